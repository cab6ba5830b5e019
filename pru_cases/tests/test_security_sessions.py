"""Sessions end after 30 minutes idle or at their absolute lifetime; polling is not activity; a disabled
account is signed out everywhere at once."""

import datetime

import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts import services
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
    remaining = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(staff.pk) not in remaining
    assert str(dsl.pk) in remaining
    assert staff.events.filter(pgh_label="update").exists()


def test_the_admin_deactivates_through_the_service(client, staff, admin_user, django_capture_on_commit_callbacks):
    from django.test import Client

    victim_browser = Client()
    victim_browser.force_login(staff)
    client.force_login(admin_user)
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
    assert not Session.objects.filter(session_key=victim_browser.session.session_key).exists()
