"""Headers on every signed-in page, cookies and HSTS under production settings, and error pages that give
nothing away. (`check --deploy` is in test_deploy.py; it does not look at any of this.)"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from pru_cases.tests.pages import candidate_urls
from pru_cases.tests.test_deploy import PRODUCTION

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def signed_in_pages(client, dsl, pupil, health_record):
    client.force_login(dsl)
    pages = []
    for url in candidate_urls(pupil.pk):
        response = client.get(url)
        if response.status_code == 200:
            pages.append((url, response))
    assert len(pages) >= 8  # the walk really reached the app's pages
    return pages


def test_every_signed_in_page_is_no_store(signed_in_pages):
    for url, response in signed_in_pages:
        cache = response.get("Cache-Control", "")
        assert "no-store" in cache and "private" in cache, url


def test_every_page_has_a_csp_without_unsafe_sources(signed_in_pages, client):
    for url, response in [
        *signed_in_pages,
        ("/account/login/", Client().get("/account/login/")),
    ]:
        policy = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy, url
        assert "style-src 'self'" in policy, url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        assert response["X-Frame-Options"] == "DENY", url


def test_no_signed_in_page_renders_an_inline_script_or_style(signed_in_pages):
    import re

    for url, response in signed_in_pages:
        if not response["Content-Type"].startswith("text/html"):
            continue
        body = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", body):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert ' style="' not in body, url


def _production_probe(script: str) -> dict:
    """Run `script` in a fresh interpreter with production settings; it prints one JSON object."""
    # The test run's development settings (pytest.ini) must not leak into "production".
    dev_only = {"DJANGO_ALLOW_ASYNC_UNSAFE", "MFA_REQUIRED_ROLES", "MFA_REQUIRED_FOR_EVERYONE", "MAIL_BACKEND"}
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in dev_only}
    env |= PRODUCTION | {
        "DJANGO_SETTINGS_MODULE": "pru_cases.settings",
        "STATIC_MANIFEST": "False",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_and_host_prefixed_secure_cookies():
    seen = _production_probe(
        """
import json
from django.test import Client
client = Client(HTTP_HOST="cases.example-pru.org.uk")
plain = client.get("/account/login/")
response = client.get("/account/login/", secure=True)
cookie = response.cookies.get("__Host-csrftoken")
from django.conf import settings
print(json.dumps({
    "redirect": [plain.status_code, plain.get("Location")],
    "status": response.status_code,
    "hsts": response.get("Strict-Transport-Security"),
    "csrf_cookie": cookie is not None,
    "csrf_secure": bool(cookie and cookie["secure"]),
    "csrf_path": cookie["path"] if cookie else None,
    "csrf_domain": cookie["domain"] if cookie else None,
    "session_cookie": settings.SESSION_COOKIE_NAME,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "mfa_roles": settings.MFA_REQUIRED_ROLES,
    "mfa_everyone": settings.MFA_REQUIRED_FOR_EVERYONE,
    "axes": settings.AXES_LOCKOUT_PARAMETERS,
    "idle": settings.SESSION_IDLE_TIMEOUT,
}))
"""
    )
    assert seen["redirect"] == [301, "https://cases.example-pru.org.uk/account/login/"]
    assert seen["status"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["csrf_cookie"] and seen["csrf_secure"]
    assert seen["csrf_path"] == "/" and not seen["csrf_domain"]
    assert seen["session_cookie"] == "__Host-sessionid"
    assert seen["session_secure"] and seen["session_httponly"]
    assert seen["mfa_roles"] == ["dsl", "senior_leader", "admin"]
    assert seen["mfa_everyone"] is True  # a second factor for every role unless switched off
    assert seen["axes"] == [["username", "ip_address"]]
    assert seen["idle"] == 1800


@override_settings(ROOT_URLCONF="pru_cases.tests.urls_fault", DEBUG=False)
def test_the_500_page_gives_nothing_away(dsl):
    client = Client(raise_request_exception=False)
    client.force_login(dsl)
    response = client.get("/test-explode/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in body
    for leak in (
        "SENTINEL-INTERNAL-DETAIL",
        "secret_table_name",
        "Traceback",
        "RuntimeError",
        "settings",
    ):
        assert leak not in body


def test_the_404_page_gives_nothing_away(client, dsl):
    client.force_login(dsl)
    response = client.get("/no-such-page/%3Cscript%3E/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body
    assert "<script>" not in body and "URLconf" not in body and "pru_cases.urls" not in body


def test_no_pupil_data_goes_into_urls(signed_in_pages, pupil):
    """Links and form actions carry record ids, never names or dates of birth."""
    import re

    name_bits = {pupil.first_name, pupil.last_name, pupil.date_of_birth.isoformat()}
    for url, response in signed_in_pages:
        body = response.content.decode()
        for link in re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', body):
            assert not any(bit in link for bit in name_bits), (url, link)
