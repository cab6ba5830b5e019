"""Passwords: Django's validators plus our own, through AUTH_PASSWORD_VALIDATORS, so every form that sets a
password (changing one's own, the admin's) refuses guessable ones."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from conftest import PASSWORD


@pytest.fixture(autouse=True)
def organisation(settings, site, other_site):
    settings.ORGANISATION_NAME = "Millbrook PRU"


def _refusals(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("millbrook-pru-2026", "password_context_words"),  # the organisation's name and a year
        ("safeguarding2026", "password_context_words"),
        ("aaaaaaaaaaaa", "password_pattern"),
    ],
)
def test_it_refuses_the_passwords_the_probe_set(password, code, staff):
    assert code in _refusals(password, staff)


@pytest.mark.parametrize(
    "password",
    [
        "Northfield-Learning-2026",  # a centre's name
        "riverside.centre.99",
        "nf-northfield-123",
        "Teacher-Tester-2026",  # the person's own username and surname
        "S4feguard1ng!2026",  # digits for letters
        "M1llbr00k-PRU-2026",
    ],
)
def test_it_refuses_passwords_made_of_words_guessable_here(password, staff):
    assert "password_context_words" in _refusals(password, staff)


@pytest.mark.parametrize("password", ["abcdefghijkl", "123456789012", "qwertyuiopas", "abcabcabcabc", "zyxwvu987654"])
def test_it_refuses_repeats_and_runs_of_keys(password):
    assert "password_pattern" in _refusals(password)


@pytest.mark.parametrize("password", ["Password2026!", "p@ssw0rd12345", "dr4gon123456", "!!monkey123456"])
def test_it_refuses_a_common_password_with_characters_added(password):
    assert "password_too_common" in _refusals(password)


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "spruce-lantern-orbit-41", "Millbrook-kettle-violin-harbour", "safeguarding-83920571-mq"],
)
def test_it_accepts_a_password_with_enough_of_its_own(password, staff):
    assert _refusals(password, staff) == []


def test_the_password_change_page_uses_them(client, staff):
    client.force_login(staff)
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "safeguarding2026", "new_password2": "safeguarding2026"},
    )
    assert response.status_code == 200
    assert "mostly words anyone could guess here" in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_the_pru_agency_name_counts_when_the_setting_is_empty(settings, staff):
    from accounts.models import Agency

    settings.ORGANISATION_NAME = ""
    Agency.objects.create(name="Millbrook PRU", kind=Agency.Kind.PRU)
    assert "password_context_words" in _refusals("millbrook-pru-2026", staff)
