"""The permission matrix for every route this app adds (and the concern log's routes in pupils):
logged out 302 to login, out of scope 404, wrong role 403, allowed 200 or a redirect after a write."""

import datetime

import pytest
from django.urls import reverse

from pru_cases.models import AccessEvent
from pru_cases.tests.cast import CAST

ROLES = CAST


def _expect(role: str, allowed: dict, forbidden: tuple) -> int:
    if role in allowed:
        return allowed[role]
    if role in forbidden:
        return 403
    return 404


ALL_IN_SCOPE = ("dsl", "leader", "staff", "specialist", "health_specialist", "family_worker")


def _everyone(status: int, roles=ALL_IN_SCOPE) -> dict:
    return {role: status for role in roles}


# (name, url builder, method, data builder, {role: status when allowed}, roles that get 403)
# Roles in neither are out of scope: 404. A referral to CAMHS, and the intervention that follows, are health
# detail down to their existence: only health staff and the DSL know of them (pru_cases.access.ROW_FIELD_GROUPS).
RECORD_ROUTES = [
    (
        "referral detail",
        lambda f: reverse("referrals:detail", args=[f["camhs_referral"].pk]),
        "get",
        lambda f: None,
        _everyone(200, ("dsl", "health_specialist")),
        (),
    ),
    (
        "referral detail, not health",
        lambda f: reverse("referrals:detail", args=[f["yjs_referral"].pk]),
        "get",
        lambda f: None,
        _everyone(200, ("dsl", "leader", "staff", "specialist")),
        (),
    ),
    (
        "referral triage",
        lambda f: reverse("referrals:triage_referral", args=[f["camhs_referral"].pk]),
        "post",
        lambda f: {"outcome": "signposted", "offer": "Lunchtime mentoring", "version": f["camhs_referral"].version},
        _everyone(302, ("dsl",)),
        ("health_specialist",),
    ),
    (
        "referral triage, not health",
        lambda f: reverse("referrals:triage_referral", args=[f["yjs_referral"].pk]),
        "post",
        lambda f: {"outcome": "signposted", "offer": "Lunchtime mentoring", "version": f["yjs_referral"].version},
        _everyone(302, ("dsl", "leader")),
        ("staff", "specialist"),
    ),
    (
        "referral start",
        lambda f: reverse("referrals:start", args=[f["allocated_referral"].pk]),
        "post",
        lambda f: {},
        _everyone(302, ("dsl", "health_specialist")),
        (),
    ),
    (
        "referral close",
        lambda f: reverse("referrals:close", args=[f["allocated_referral"].pk]),
        "post",
        lambda f: {"outcome": "achieved", "note": "Goals met.", "version": f["allocated_referral"].version},
        _everyone(302, ("dsl", "health_specialist")),
        (),
    ),
    (
        "session add",
        lambda f: reverse("referrals:session_add", args=[f["intervention"].pk]),
        "post",
        lambda f: {
            "held_on": datetime.date.today().isoformat(),
            "minutes": 45,
            "attended": "on",
            "notes": "Good session.",
        },
        _everyone(302, ("dsl", "health_specialist")),
        (),
    ),
    (
        "intervention update",
        lambda f: reverse("referrals:intervention_update", args=[f["intervention"].pk]),
        "post",
        lambda f: {"review_date": "2027-01-10", "goals": "Sleep routine.", "version": f["intervention"].version},
        _everyone(302, ("dsl", "health_specialist")),
        (),
    ),
    (
        "referral new",
        lambda f: reverse("referrals:new", args=[f["pupil"].pk]),
        "get",
        lambda f: None,
        _everyone(200),
        (),
    ),
    (
        "referral new post",
        lambda f: reverse("referrals:new", args=[f["pupil"].pk]),
        "post",
        lambda f: {
            "specialism": "careers",
            "reasons": "No post-16 plan.",
            "consent_status": "parent",
            "urgency": "routine",
        },
        _everyone(302),
        (),
    ),
    (
        "information request new",
        lambda f: reverse("referrals:information_request_new", args=[f["pupil"].pk]),
        "post",
        lambda f: {
            "agency": f["police"].pk,
            "question": "Any incidents?",
            "asked_on": datetime.date.today().isoformat(),
        },
        _everyone(302, ("dsl", "leader", "staff", "family_worker")),
        ("specialist", "health_specialist"),
    ),
    (
        "information request answer",
        lambda f: reverse("referrals:information_request_answer", args=[f["info_request"].pk]),
        "post",
        lambda f: {"answered_on": datetime.date.today().isoformat(), "answer": "Nothing known."},
        _everyone(302, ("dsl", "leader", "staff", "family_worker")),
        ("specialist", "health_specialist"),
    ),
    (
        "concern new for a pupil",
        lambda f: reverse("concerns:new") + f"?pupil={f['pupil'].pk}",
        "get",
        lambda f: None,
        _everyone(200),
        (),
    ),
    (
        "concern log",
        lambda f: reverse("concerns:new"),
        "post",
        lambda f: {"pupil": f["pupil"].pk, "category": "punctuality", "seen": "Arrived 10:20."},
        _everyone(302),
        (),
    ),
    (
        "concern review",
        lambda f: reverse("concerns:review", args=[f["safeguarding_concern"].pk]),
        "post",
        lambda f: {"note": "Spoke to mum; referred to MASH."},
        _everyone(302, ("dsl",)),
        ("leader", "staff", "specialist", "health_specialist", "family_worker"),
    ),
]
IDS = [route[0] for route in RECORD_ROUTES]


@pytest.fixture
def record_fixtures(request, pupil, police, info_request, safeguarding_concern):
    # Referral fixtures are built lazily: the triage route needs a submitted referral, the others an allocated one.
    return {
        "request": request,
        "pupil": pupil,
        "police": police,
        "info_request": info_request,
        "safeguarding_concern": safeguarding_concern,
    }


def _resolve(record_fixtures, name: str):
    if name in record_fixtures:
        return record_fixtures[name]
    return record_fixtures["request"].getfixturevalue(name)


class Lazy(dict):
    def __init__(self, base):
        super().__init__()
        self.base = base

    def __missing__(self, key):
        value = _resolve(self.base, key)
        self[key] = value
        return value


@pytest.mark.parametrize("name,url,method,data,allowed,forbidden", RECORD_ROUTES, ids=IDS)
def test_it_redirects_logged_out_users_to_login(client, record_fixtures, name, url, method, data, allowed, forbidden):
    f = Lazy(record_fixtures)
    response = getattr(client, method)(url(f), data(f))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,url,method,data,allowed,forbidden", RECORD_ROUTES, ids=IDS)
def test_it_applies_the_policy_to_every_record_route(
    client, cast, record_fixtures, role, name, url, method, data, allowed, forbidden
):
    f = Lazy(record_fixtures)
    target = url(f)
    body = data(f)
    client.force_login(cast[role])
    response = getattr(client, method)(target, body)
    expected = _expect(role, allowed, forbidden)
    assert response.status_code == expected, response.content[:800]
    path = target.split("?")[0]
    event = AccessEvent.objects.filter(user=cast[role], path=path).first()
    assert event is not None, "every read or refusal is audited"
    assert event.outcome == {404: "denied", 403: "forbidden"}.get(expected, "allowed")
    assert event.pupil_id == f["pupil"].pk


ALL = ROLES
PAGES = [
    ("/referrals/", ALL),
    ("/referrals/triage/", ("dsl", "leader")),
    ("/referrals/caseload/", ("dsl", "leader", "specialist", "health_specialist", "family_worker", "outsider")),
    ("/referrals/information-requests/", ("dsl", "leader", "staff", "other_staff", "family_worker")),
    ("/pupils/concerns/", ALL),
    ("/pupils/concerns/new/", tuple(r for r in ALL if r != "admin_user")),
    ("/pupils/concerns/pupil-search/", tuple(r for r in ALL if r != "admin_user")),  # POSTed: no name in the URL
]


@pytest.mark.parametrize("url,allowed", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_it_guards_the_list_pages(client, cast, pupil, url, allowed, role):
    def fetch():
        return client.post(url, {"q": "Jo"}) if url.endswith("pupil-search/") else client.get(url)

    response = fetch()
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(cast[role])
    assert fetch().status_code == (200 if role in allowed else 403)
