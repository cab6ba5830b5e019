"""Break-glass grants read, and logging a concern, only: the walk that catches the next way round it.

With a grant to the world's pupil (pru_cases/tests/world.py), a member of staff from another centre posts
every form that staff of the pupil's own centre are offered on the pages the seeded ids fill, filled as a
browser would send it, and an empty POST to every seeded URL. Nothing about the pupil may change (no new
pghistory event in any case app, concerns apart), and every post to a pupil's record is refused. A page or
service added later is walked without touching this file.
"""

import datetime
from html.parser import HTMLParser

import pghistory.models
import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from pru_cases.models import BreakGlass
from pru_cases.tests.world import build_world, seeded_urls

CASE_APPS = ("pupils", "concerns", "referrals", "families", "meetings", "outcomes")
ALLOWED_EVENTS = ("concerns.ConcernEvent",)  # logging a concern is what a grant is for
NOT_WALKED = ("/account/", "/admin/")


class _Forms(HTMLParser):
    """Each POST form on a page with the values a browser would submit (disabled fields left out; empty
    fields given a plausible value, so a refusal is not just a validation error)."""

    def __init__(self, page: str):
        super().__init__()
        self.page, self.forms, self._form, self._select, self._textarea = page, [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._form = ((attrs.get("action") or self.page).split("#")[0], {})
                self.forms.append(self._form)
            return
        if self._form is None or "disabled" in attrs or not attrs.get("name"):
            return
        data, name, kind = self._form[1], attrs["name"], attrs.get("type", "text")
        if tag == "input" and kind not in ("submit", "button", "file"):
            if kind in ("checkbox", "radio"):
                if "checked" in attrs or kind == "radio" and name not in data:
                    data[name] = attrs.get("value", "on")
            elif attrs.get("value"):
                data[name] = attrs["value"]
            else:
                data[name] = {"date": timezone.localdate().isoformat(), "number": "1"}.get(kind, "Walked by a test.")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in attrs or (attrs.get("value") and not data.get(self._select)):
                data[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            data[name] = "Walked by a test."

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _case_events() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event)
        and model._meta.app_label in CASE_APPS
        and model._meta.label not in ALLOWED_EVENTS
    }


@pytest.fixture
def world(pupil, dsl, leader, staff, specialist, health_specialist, family_worker):
    return build_world(
        pupil=pupil,
        dsl=dsl,
        leader=leader,
        staff=staff,
        specialist=specialist,
        health_specialist=health_specialist,
        family_worker=family_worker,
        pdfs=False,
    )


def test_nothing_about_a_pupil_changes_through_break_glass(world, pupil, staff, other_staff):
    now = timezone.now()
    BreakGlass.objects.create(
        user=other_staff,
        pupil=pupil,
        reason="A walk of every form under a grant.",
        granted_at=now,
        expires_at=now + datetime.timedelta(hours=4),
    )
    urls = [url for url in seeded_urls(world) if not url.startswith(NOT_WALKED)]
    own_centre = Client(raise_request_exception=False)
    own_centre.force_login(staff)
    posts: list[tuple[str, dict]] = [(url, {}) for url in urls]
    for url in urls:
        response = own_centre.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            parser = _Forms(url)
            parser.feed(response.content.decode())
            posts += [(action, data) for action, data in parser.forms if not action.startswith(NOT_WALKED)]
    assert any(action == f"/pupils/{pupil.pk}/edit/" and data.get("first_name") for action, data in posts)

    glass = Client(raise_request_exception=False)
    glass.force_login(other_staff)
    assert glass.get(f"/pupils/{pupil.pk}/").status_code == 200  # the grant does open the record to read
    before = _case_events()
    ids = {str(value) for value in world.ids.values()}
    accepted = []
    for action, data in posts:
        response = glass.post(action, data)
        assert response.status_code < 500, (action, data)
        names_a_record = any(f"/{pk}/" in action for pk in ids)
        if names_a_record and response.status_code < 400:
            accepted.append((action, response.status_code))
    assert not accepted, accepted
    after = _case_events()
    assert after == before, {label: (before[label], after[label]) for label in before if before[label] != after[label]}
