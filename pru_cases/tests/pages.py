"""Finding the project's pages and forms from the URLconf, so security tests cover routes other apps add later."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.urls import URLPattern, URLResolver, get_resolver

# Paths never walked: the admin (its own test), sign-in machinery (it would sign the test user out or
# start a second-factor flow), and downloads.
SKIP_PREFIXES = (
    "admin/",
    "account/login",
    "account/logout",
    "account/2fa/",
    "account/reauthenticate",
    "account/password/reset",
    "account/signup",
    "account/confirm",
    "account/email",
    "account/inactive",
    "account/password/set",
    "account/password/change",
)
SKIP_ACTIONS = ("/account/logout/", "/account/sessions/end-all/")  # both would sign the walking user out
PUPIL_ARGS = frozenset({"pk", "pupil_pk"})


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def candidate_urls(pupil_pk: int) -> list[str]:
    """Every GET-able path: no arguments, or only a pupil id (filled with `pupil_pk`)."""
    urls = []
    for route in _walk(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES) or route.startswith("^") or "(?P" in route:
            continue
        args = re.findall(r"<(?:(\w+):)?(\w+)>", route)
        if any(converter not in ("int", "") or name not in PUPIL_ARGS for converter, name in args):
            continue
        path = "/" + re.sub(r"<(?:\w+:)?\w+>", str(pupil_pk), route)
        urls.append(path)
    return sorted(set(urls))


@dataclass
class Form:
    page: str
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> choices (empty for free text)


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action") or self.page
            self._form = Form(self.page, (attrs.get("method") or "get").lower(), action.split("#")[0])
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea", "select") and attrs.get("name"):
            name = attrs["name"]
            if name == "csrfmiddlewaretoken" or attrs.get("type") in (
                "submit",
                "button",
                "file",
            ):
                return
            choices = self._form.fields.setdefault(name, [])
            if tag == "input" and attrs.get("type") in ("checkbox", "radio"):
                choices.append(attrs.get("value", "on"))
            if tag == "select":
                self._select = name
        elif tag == "option" and self._select:
            self._form.fields[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(page: str, html: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    return [form for form in parser.forms if form.action.startswith("/") and form.action not in SKIP_ACTIONS]
