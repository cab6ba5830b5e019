"""Two-factor sign-in (allauth.mfa): required of everyone in production (MFA_REQUIRED_FOR_EVERYONE, on by default:
see test_security_headers.py), and at least of the DSL, senior leaders and administrators when it is switched off,
as most tests here do to check the roles one by one."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from conftest import PASSWORD

REQUIRED = ["dsl", "senior_leader", "admin"]


@pytest.fixture(autouse=True)
def enforce_mfa(settings):
    # pytest.ini switches enforcement off for the rest of the suite, which signs in with force_login.
    settings.MFA_REQUIRED_ROLES = REQUIRED
    settings.MFA_REQUIRED_FOR_EVERYONE = False


def current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _password_login(client, username: str):
    return client.post(
        reverse("login"),
        {"login": username, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.10",
    )


@pytest.mark.parametrize("who", ["dsl", "leader", "admin_user"])
def test_it_sends_a_required_role_without_a_second_factor_to_set_one_up(client, request, who, pupil):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for url in (
        reverse("home"),
        reverse("pupils:list"),
        reverse("pupils:detail", args=[pupil.pk]),
        "/admin/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_index")
    assert client.get(reverse("mfa_index")).status_code == 200


def test_it_tells_htmx_to_load_the_set_up_page(client, dsl):
    client.force_login(dsl)
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("mfa_index")


def test_it_leaves_other_roles_free_to_choose(client, staff):
    client.force_login(staff)
    assert client.get(reverse("home")).status_code == 200


def test_a_setting_requires_it_for_everyone(client, staff, settings):
    settings.MFA_REQUIRED_FOR_EVERYONE = True
    client.force_login(staff)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_index")


def test_a_dsl_sets_up_totp_and_then_gets_in(client, dsl):
    response = _password_login(client, "dsl")
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("mfa_index")

    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "data:image/svg+xml;base64," in page.content.decode()  # the QR code, as an image (CSP: no inline script)
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=dsl, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=dsl, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_does_not_activate_totp(client, dsl):
    _password_login(client, "dsl")
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=dsl).exists()
    assert client.get(reverse("home"))["Location"] == reverse("mfa_index")


def test_it_encrypts_the_totp_secret_at_rest(dsl):
    secret = generate_totp_secret()
    TOTP.activate(dsl, secret)
    stored = Authenticator.objects.get(user=dsl, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored
    from accounts.adapters import MFAAdapter

    assert MFAAdapter().decrypt(stored) == secret


@pytest.fixture
def dsl_with_totp(dsl) -> tuple:
    secret = generate_totp_secret()
    TOTP.activate(dsl, secret)
    return dsl, secret


def test_login_asks_for_the_code_once_totp_is_set_up(client, dsl_with_totp):
    dsl, secret = dsl_with_totp
    response = _password_login(client, "dsl")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone does not sign in.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(dsl.pk)
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_at_login_keeps_the_door_shut(client, dsl_with_totp):
    _password_login(client, "dsl")
    response = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_signs_in_once(client, dsl_with_totp):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    dsl, _ = dsl_with_totp
    code = RecoveryCodes.activate(dsl).get_unused_codes()[0]
    _password_login(client, "dsl")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(dsl.pk)
    client.post(reverse("logout"))
    _password_login(client, "dsl")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_required_role_cannot_remove_its_last_second_factor(dsl_with_totp):
    from accounts.adapters import MFAAdapter

    dsl, _ = dsl_with_totp
    totp = Authenticator.objects.get(user=dsl, type=Authenticator.Type.TOTP)
    assert MFAAdapter().can_delete_authenticator(totp) is False
    Authenticator.objects.create(user=dsl, type=Authenticator.Type.WEBAUTHN, data={"name": "key"})
    assert MFAAdapter().can_delete_authenticator(totp) is True


def test_the_passkey_set_up_page_loads_its_script_from_our_own_static_files(client, dsl_with_totp, settings):
    _, secret = dsl_with_totp
    _password_login(client, "dsl")
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    # Adding a factor when one exists asks for the password again.
    assert client.get(reverse("mfa_add_webauthn"))["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_add_webauthn"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'src="/static/mfa/js/webauthn.js"' in body
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_a_leader_can_remove_a_lost_authenticator_in_the_admin(client, leader, staff, settings):
    settings.MFA_REQUIRED_ROLES = []  # the leader's own second factor is not what this test is about
    TOTP.activate(staff, generate_totp_secret())  # a teacher's lost phone (the DSL's is for the DSL: test_admin_duties)
    totp = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    client.force_login(leader)
    listing = client.get("/admin/mfa/authenticator/")
    assert listing.status_code == 200
    assert "secret" not in client.get(f"/admin/mfa/authenticator/{totp.pk}/change/").content.decode().lower()
    response = client.post(f"/admin/mfa/authenticator/{totp.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=totp.pk).exists()


def test_a_leader_can_lift_a_lockout_in_the_admin(client, leader, settings):
    from axes.models import AccessAttempt

    settings.MFA_REQUIRED_ROLES = []
    attempt = AccessAttempt.objects.create(
        username="teacher",
        ip_address="203.0.113.7",
        failures_since_start=5,
        user_agent="x",
        path_info="/account/login/",
        get_data="",
        post_data="",
    )
    client.force_login(leader)
    assert client.get("/admin/axes/accessattempt/").status_code == 200
    assert client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()


@pytest.mark.parametrize("who", ["staff", "specialist", "health_specialist", "family_worker"])
def test_everyone_needs_a_second_factor_under_the_production_default(client, request, who, settings):
    settings.MFA_REQUIRED_FOR_EVERYONE = True  # the default when the environment does not switch it off
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("home"))["Location"] == reverse("mfa_index")
    assert client.get(reverse("sessions"))["Location"] == reverse("mfa_index")


def test_the_check_on_every_page_costs_no_query_of_its_own(client, dsl_with_totp, settings):
    """Whether the person has a second factor comes with the person (accounts.auth_backends); a factor removed
    counts from the next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dsl, _secret = dsl_with_totp
    settings.MFA_REQUIRED_ROLES = []  # no check at all
    client.force_login(dsl)
    with CaptureQueriesContext(connection) as free:
        assert client.get(reverse("ping")).status_code == 200
    settings.MFA_REQUIRED_FOR_EVERYONE = True
    with CaptureQueriesContext(connection) as checked:
        assert client.get(reverse("ping")).status_code == 200
    assert len(checked) == len(free)
    Authenticator.objects.filter(user=dsl).delete()  # a leader removed the lost phone in the admin
    assert client.get(reverse("ping"))["Location"] == reverse("mfa_index")
