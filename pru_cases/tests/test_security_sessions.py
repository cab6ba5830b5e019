"""Sessions end after 30 minutes idle or at their absolute lifetime; polling is not activity; a disabled
account is signed out everywhere at once."""

import datetime

import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import UserSession
from pru_cases.security import SESSION_LAST_ACTIVITY, SESSION_STARTED

BACKGROUND = {"HTTP_X_BACKGROUND": "1", "HTTP_HX_REQUEST": "true"}


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_it_stamps_the_session_at_sign_in(client, staff):
    client.force_login(staff)
    session = client.session
    assert abs(session[SESSION_STARTED] - timezone.now().timestamp()) < 5
    assert session[SESSION_LAST_ACTIVITY] == session[SESSION_STARTED]


def test_it_signs_out_after_thirty_idle_minutes(client, staff, settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    client.force_login(staff)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        response = client.get(reverse("pupils:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not _signed_in(client)
    follow = client.get(response["Location"])
    assert "signed out after a period of inactivity" in follow.content.decode()


def test_it_keeps_an_active_session_going(client, staff):
    client.force_login(staff)
    start = timezone.now()
    for minutes in (20, 40, 60):  # a page every 20 minutes: never 30 idle
        with time_machine.travel(start + datetime.timedelta(minutes=minutes)):
            assert client.get(reverse("pupils:list")).status_code == 200
    assert _signed_in(client)


def test_it_does_not_count_background_polling_as_activity(client, staff):
    client.force_login(staff)
    start = timezone.now()
    for minutes in (10, 20):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes)):
            assert client.get(reverse("home"), **BACKGROUND).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=31)):
        response = client.get(reverse("home"), **BACKGROUND)
    # htmx is told to load the login page as a whole page, not to swap it into a fragment.
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("login")
    assert not _signed_in(client)


def test_it_ends_the_session_at_its_absolute_lifetime_even_when_active(client, staff, settings):
    settings.SESSION_ABSOLUTE_LIFETIME = 2 * 60 * 60
    client.force_login(staff)
    start = timezone.now()
    for minutes in range(20, 120, 20):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes)):
            assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=121)):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert not _signed_in(client)
    assert "maximum length" in client.get(response["Location"]).content.decode()


def test_the_idle_timeout_is_configurable(client, staff, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    client.force_login(staff)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        assert client.get(reverse("home")).status_code == 302


def test_it_signs_a_disabled_user_out_on_their_next_request(client, staff, leader):
    client.force_login(staff)
    assert client.get(reverse("home")).status_code == 200
    staff.is_active = False
    staff.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_deactivating_a_user_deletes_every_session_they_have(
    client, staff, dsl, leader, django_capture_on_commit_callbacks
):
    from django.test import Client

    other_browser = Client()
    client.force_login(staff)
    other_browser.force_login(staff)
    colleague = Client()
    colleague.force_login(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        services.user_deactivate(user=staff, by=leader)
    staff.refresh_from_db()
    assert staff.is_active is False
    remaining = [s.get_decoded().get("_auth_user_id") for s in UserSession.objects.all()]
    assert str(staff.pk) not in remaining
    assert str(dsl.pk) in remaining
    assert staff.events.filter(pgh_label="update").exists()


def test_the_admin_deactivates_through_the_service(client, staff, leader, django_capture_on_commit_callbacks):
    # A leader: they manage staff placed at a centre (the administrator may only disable them, by the action).
    from django.test import Client

    victim_browser = Client()
    victim_browser.force_login(staff)
    client.force_login(leader)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    form = client.get(url).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and key != "password"}
    data.update(
        {
            "is_active": "",
            "agency": staff.agency_id,
            "site": staff.site_id,
            "last_login": "",
            "date_joined": "",
        }
    )
    data = {k: v for k, v in data.items() if k not in ("last_login", "date_joined", "groups", "user_permissions")}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    staff.refresh_from_db()
    assert staff.is_active is False
    assert victim_browser.get(reverse("home")).status_code == 302


def test_the_admin_action_disables_and_signs_out(client, staff, admin_user, django_capture_on_commit_callbacks):
    from django.test import Client

    victim_browser = Client()
    victim_browser.force_login(staff)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "deactivate", "_selected_action": [staff.pk]},
        )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.is_active is False
    assert not UserSession.objects.filter(session_key=victim_browser.session.session_key).exists()


# One's own sessions: a list (browser, address, started, last active) and "sign out everywhere (else)".

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile/15E148 "
    "Safari/604.1"
)


def _signed_in_browser(user, user_agent: str, address: str):
    """A browser that signed in with the password form, as a person does."""
    from django.test import Client

    from conftest import PASSWORD

    browser = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = browser.post(reverse("login"), {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in browser.session
    return browser


def test_it_lists_only_ones_own_sessions(staff, dsl):
    mine = _signed_in_browser(staff, FIREFOX, "192.0.2.10")
    _signed_in_browser(staff, SAFARI, "198.51.100.7")
    _signed_in_browser(dsl, "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36", "203.0.113.99")
    response = mine.get(reverse("sessions"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Firefox on Windows" in body and "192.0.2.10" in body
    assert "Safari on iPhone" in body and "198.51.100.7" in body
    assert "203.0.113.99" not in body and "Linux" not in body  # the DSL's session is theirs alone
    assert body.count("This browser") == 1
    sessions = response.context["sessions"]
    assert len(sessions) == 2
    assert [s.is_current for s in sessions].count(True) == 1
    assert all(s.started_at and s.last_active_at for s in sessions)


def test_sign_out_everywhere_else_ends_the_others_and_keeps_this_one(staff, dsl):
    mine = _signed_in_browser(staff, FIREFOX, "192.0.2.10")
    other = _signed_in_browser(staff, SAFARI, "198.51.100.7")
    colleague = _signed_in_browser(dsl, FIREFOX, "203.0.113.99")
    response = mine.post(reverse("sessions_end_others"))
    assert response.status_code == 302 and response["Location"] == reverse("sessions")
    assert "Signed out of 1 other session." in mine.get(response["Location"]).content.decode()
    assert mine.get(reverse("home")).status_code == 200
    assert other.get(reverse("home")).status_code == 302  # sent to sign in again
    assert colleague.get(reverse("home")).status_code == 200  # someone else's sessions are untouched
    assert UserSession.objects.filter(user=staff).count() == 1


def test_sign_out_everywhere_ends_this_session_too(staff, dsl):
    mine = _signed_in_browser(staff, FIREFOX, "192.0.2.10")
    other = _signed_in_browser(staff, SAFARI, "198.51.100.7")
    colleague = _signed_in_browser(dsl, FIREFOX, "203.0.113.99")
    response = mine.post(reverse("sessions_end_all"))
    assert response["Location"] == reverse("login")
    assert "signed out everywhere" in mine.get(response["Location"]).content.decode()
    assert mine.get(reverse("home")).status_code == 302
    assert other.get(reverse("home")).status_code == 302
    assert colleague.get(reverse("home")).status_code == 200
    assert not UserSession.objects.filter(user=staff).exists()


def test_signing_out_elsewhere_needs_a_post_with_a_csrf_token(staff):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    other = Client()
    other.force_login(staff)
    assert browser.get(reverse("sessions_end_others")).status_code == 405
    assert browser.post(reverse("sessions_end_others")).status_code == 403
    assert browser.post(reverse("sessions_end_all")).status_code == 403
    assert other.get(reverse("home")).status_code == 200


def test_a_session_ended_by_a_password_change_is_not_listed(client, staff):
    from conftest import PASSWORD

    mine = _signed_in_browser(staff, FIREFOX, "192.0.2.10")
    _signed_in_browser(staff, SAFARI, "198.51.100.7")
    new = "spruce-lantern-orbit-41"
    response = mine.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    body = mine.get(reverse("sessions")).content.decode()
    assert "Firefox on Windows" in body and "Safari on iPhone" not in body


def test_the_session_store_reads_a_live_session_and_forgets_an_expired_or_unknown_one(staff):
    from accounts.sessions import SessionStore

    saved = SessionStore()
    saved["_auth_user_id"] = str(staff.pk)
    saved["note"] = "kept"
    saved.create()
    key = saved.session_key
    live = SessionStore(key)
    assert live.load()["note"] == "kept" and live.session_key == key
    UserSession.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None
