"""Signing in: allauth's form under the project's URL names, and django-axes locking a username from one
address (never a whole school's shared address) for a cool-off period."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD

SCHOOL_IP = "203.0.113.7"
HOME_IP = "198.51.100.23"


def _login(client, username: str, password: str, ip: str = SCHOOL_IP):
    return client.post(reverse("login"), {"login": username, "password": password}, REMOTE_ADDR=ip)


def _fail(client, username: str, times: int, ip: str = SCHOOL_IP) -> None:
    """`times` failed attempts; the last one that reaches the limit is answered with the lockout page."""
    for attempt in range(1, times + 1):
        response = _login(client, username, "wrong-password-123", ip)
        assert response.status_code == (429 if attempt >= 5 else 200)


def test_it_keeps_the_login_url_name_and_path(client, db):
    assert reverse("login") == "/account/login/"
    response = client.get("/account/login/")
    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()


def test_it_signs_in_with_a_username_and_password(client, staff):
    response = _login(client, "teacher", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(client, staff):
    response = _login(client, "teacher", "not-the-password")
    assert response.status_code in (200, 400)
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="teacher", ip_address=SCHOOL_IP).failures_since_start == 1


def test_it_locks_the_username_from_that_address_after_five_failures(client, staff, settings):
    _fail(client, "teacher", settings.AXES_FAILURE_LIMIT - 1)
    response = _login(client, "teacher", "wrong-password-123")
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert response["Retry-After"] == "900"
    # The right password does not help while the lock lasts.
    response = _login(client, "teacher", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_does_not_lock_out_colleagues_behind_the_same_school_address(client, staff, dsl, settings):
    _fail(client, "teacher", settings.AXES_FAILURE_LIMIT)
    assert _login(client, "teacher", PASSWORD).status_code == 429
    response = _login(client, "dsl", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(dsl.pk)


def test_it_lets_the_locked_user_sign_in_from_another_address(client, staff, settings):
    _fail(client, "teacher", settings.AXES_FAILURE_LIMIT)
    assert _login(client, "teacher", PASSWORD, ip=HOME_IP).status_code == 302


def test_it_lifts_the_lock_after_the_cool_off(client, staff, settings):
    _fail(client, "teacher", settings.AXES_FAILURE_LIMIT)
    assert _login(client, "teacher", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=5)):
        assert _login(client, "teacher", PASSWORD).status_code == 302


def test_it_treats_the_username_case_insensitively_for_lockout(client, staff, settings):
    _fail(client, "Teacher", settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, "TEACHER", "wrong-password-123").status_code == 429


def test_it_redirects_the_admin_login_to_the_two_factor_login(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/admin/"


def test_it_offers_no_self_sign_up(client, db):
    response = client.post(
        "/account/signup/",
        {"username": "mallory", "password1": "x" * 20, "password2": "x" * 20},
    )
    from accounts.models import User

    assert not User.objects.filter(username="mallory").exists()
    assert response.status_code in (200, 403, 404)


@pytest.mark.parametrize("forwarded,expected", [("", "10.0.0.5"), ("1.2.3.4, 192.0.2.9", "192.0.2.9")])
def test_it_takes_the_client_address_from_the_proxy_only_behind_one(rf, settings, forwarded, expected):
    from pru_cases.security import client_ip

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
    settings.SECURE_PROXY_SSL_HEADER = None
    assert client_ip(request) == "10.0.0.5"
