"""The permission matrix: every role against every pupil-scoped URL (logged out 302, out of scope 404,
wrong role 403, allowed 200 or a redirect after a write)."""

import pytest
from django.urls import reverse

from pru_cases.models import AccessEvent

IN_SCOPE = ("dsl", "leader", "staff", "specialist", "health_specialist", "family_worker")
OUT_OF_SCOPE = ("other_staff", "outsider", "admin_user")
ROLES = IN_SCOPE + OUT_OF_SCOPE


def _post_data(name: str, pupil, users) -> dict:
    return {
        "need_level": {"level": 4 if pupil.level_of_need != 4 else 3, "reason": "Exploitation risk raised."},
        "archive": {"reason": "Record opened in error."},
        "restore": {},
        "allocation_add": {"user": users["outsider"].pk, "reason": "Agreed at the MDT."},
    }[name]


# url name, method, roles allowed (others in scope get 403), status when allowed
PUPIL_URLS = [
    ("detail", "get", IN_SCOPE, 200),
    ("edit", "get", ("dsl", "leader", "staff"), 200),
    ("health", "get", ("dsl", "health_specialist"), 200),
    ("history", "get", ("dsl",), 200),
    ("need_level", "post", ("dsl", "leader", "staff"), 302),
    ("archive", "post", ("dsl", "leader"), 302),
    ("allocation_add", "post", ("dsl", "leader"), 302),
]


@pytest.mark.parametrize("name,method,allowed,ok_status", PUPIL_URLS)
def test_it_redirects_logged_out_users_to_login(client, pupil, name, method, allowed, ok_status):
    url = reverse(f"pupils:{name}", args=[pupil.pk])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,allowed,ok_status", PUPIL_URLS)
def test_it_applies_the_policy_to_every_pupil_url(client, cast, pupil, role, name, method, allowed, ok_status):
    client.force_login(cast[role])
    url = reverse(f"pupils:{name}", args=[pupil.pk])
    data = _post_data(name, pupil, cast) if method == "post" else None
    response = getattr(client, method)(url, data)
    if role in OUT_OF_SCOPE:
        expected = 404
    elif role in allowed:
        expected = ok_status
    else:
        expected = 403
    assert response.status_code == expected, response.content[:500]
    event = AccessEvent.objects.get(user=cast[role], path=url)
    assert event.outcome == {404: "denied", 403: "forbidden"}.get(expected, "allowed")
    assert event.pupil_id == pupil.pk


@pytest.mark.parametrize("role", ROLES)
def test_it_returns_404_for_a_pupil_that_does_not_exist(client, cast, role):
    client.force_login(cast[role])
    response = client.get(reverse("pupils:detail", args=[999_999]))
    assert response.status_code == 404
    event = AccessEvent.objects.get(user=cast[role])
    assert event.outcome == AccessEvent.Outcome.DENIED
    assert event.pupil_id is None
    assert event.pupil_ref == 999_999


# Pages that are not about one pupil: every signed-in role may open them, except where named.
@pytest.mark.parametrize(
    "url,allowed",
    [
        ("/", ROLES),
        ("/pupils/", ROLES),
        ("/pupils/new/", ("dsl", "leader", "staff", "other_staff")),
        ("/account/agencies/", ROLES),
        ("/account/password/", ROLES),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_it_guards_the_other_pages(client, cast, url, allowed, role):
    assert client.get(url).status_code == 302  # logged out
    client.force_login(cast[role])
    assert client.get(url).status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_site_is_for_leaders_administrators_and_the_dsl(client, cast, role):
    client.force_login(cast[role])
    response = client.get("/admin/")
    if role in ("leader", "admin_user", "dsl"):  # the DSL for accounts only (pru_cases/tests/test_admin_duties.py)
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
