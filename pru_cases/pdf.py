"""Rendering PDFs with WeasyPrint, without ever reaching the network.

Templates inline their CSS and name no remote resources; the fetcher below enforces it: a `data:` URL or
a file inside the project's own static folder is allowed, anything else (http, https, ftp, a file
elsewhere on disk) is refused, so a value typed into a record can never make the renderer fetch a URL.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string


class RefusedURL(ValueError):
    """The renderer asked for something that is not local."""


def _local_roots() -> list[Path]:
    roots = [Path(settings.BASE_DIR) / "static"]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def is_allowed_url(url: str) -> bool:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return True
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return any(path.is_relative_to(root) for root in _local_roots())


def _fetcher():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(timeout=2, allowed_protocols=("data", "file"), allow_redirects=False)

        def fetch(self, url, headers=None):
            if not is_allowed_url(url):
                raise RefusedURL(f"Refused a non-local URL while rendering a PDF: {url[:80]}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher()


def html_to_pdf(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html, base_url=None, url_fetcher=_fetcher()).write_pdf()


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template_name, context))
