"""The permission matrix for every families route: logged out 302, out of scope 404, wrong role 403, allowed."""

import datetime

import pytest
from django.utils import timezone

from families import services
from families.models import Consent, FreshStartInterview, SchoolVisit, SupportAction
from pru_cases.models import AccessEvent

IN_SCOPE = ("dsl", "leader", "staff", "specialist", "health_specialist", "family_worker")
OUT_OF_SCOPE = ("other_staff", "outsider", "admin_user")
ROLES = IN_SCOPE + OUT_OF_SCOPE
EDIT_FAMILY = ("dsl", "leader", "staff", "family_worker")
SUPPORT = ("dsl", "leader", "family_worker")
MANAGE = ("dsl", "leader", "family_worker")


def _today():
    return timezone.localdate()


def _household(f):
    return f"/families/{f['household'].pk}/"


def _pupil(f):
    return f"/families/pupil/{f['pupil'].pk}/"


def _support(f):
    action = SupportAction.objects.create(
        household=f["household"], kind="foodbank", detail="Voucher", owner=f["family_worker"]
    )
    return f"{_household(f)}support/{action.pk}/", {"status": "waiting", "outcome": "", "version": 1}


def _withdraw(f):
    consent = Consent.objects.create(
        pupil=f["pupil"],
        agency_kind="any",
        purpose="All",
        status="given",
        given_by="Mum",
        recorded_by=f["dsl"],
        decided_on=_today() - datetime.timedelta(days=5),
    )
    return f"{_pupil(f)}consents/{consent.pk}/withdraw/", {
        "withdraw-withdrawn_on": _today().isoformat(),
        "withdraw-reason": "Phoned.",
    }


def _discussed(f):
    FreshStartInterview.objects.create(
        pupil=f["pupil"],
        held_on=_today(),
        school_staff=f["staff"],
        agency_member=f["family_worker"],
        positives="a",
        negatives="b",
        goals="c",
        needs="d",
        recorded_by=f["staff"],
    )
    return f"{_pupil(f)}fresh-start/discussed/", {"mdt-discussed_on": _today().isoformat()}


def _plan(f):
    return services.reintegration_plan_start(pupil=f["pupil"], by=f["family_worker"])


def _shortlisted(f):
    plan = _plan(f)
    services.reintegration_decide_readiness(plan=plan, by=f["family_worker"], ready=True, reason="Ready.", version=1)
    services.reintegration_shortlist_add(plan=plan, by=f["family_worker"], school=f["schools"][0])
    plan.refresh_from_db()
    return plan


def _readiness(f):
    _plan(f)
    return f"{_pupil(f)}reintegration/readiness/", {"ready-ready": "yes", "ready-reason": "Ready.", "ready-version": 1}


def _preferences(f):
    plan = _shortlisted(f)
    return f"{_pupil(f)}reintegration/preferences/", {"prefs-pupil_preferences": "Small", "prefs-version": plan.version}


def _shortlist(f):
    _shortlisted(f)
    return f"{_pupil(f)}reintegration/shortlist/", {"shortlist-school": f["schools"][1].pk}


def _arrange(f):
    plan = _shortlisted(f)
    return f"{_pupil(f)}reintegration/visits/", {
        "arrange-shortlisted": plan.shortlist.get().pk,
        "arrange-visit_on": _today().isoformat(),
    }


def _visit_record(f):
    plan = _shortlisted(f)
    visit = services.school_visit_arrange(shortlisted=plan.shortlist.get(), by=f["family_worker"], visit_on=_today())
    return f"{_pupil(f)}reintegration/visits/{visit.pk}/", {"status": SchoolVisit.Status.ATTENDED}


def _send(f):
    plan = _shortlisted(f)
    entry = plan.shortlist.get()
    return f"{_pupil(f)}reintegration/preference/", {
        f"send-rank_{entry.pk}": 1,
        "send-sent_to": f["leader"].pk,
        "send-version": plan.version,
    }


def _allocate(f):
    plan = _shortlisted(f)
    return f"{_pupil(f)}reintegration/allocate/", {
        "allocate-school": f["schools"][0].pk,
        "allocate-start_date": _today().isoformat(),
        "allocate-phased_timetable": "Mornings.",
        "allocate-version": plan.version,
    }


def _follow_up(f):
    plan = _shortlisted(f)
    services.reintegration_allocate(
        plan=plan,
        by=f["family_worker"],
        school=f["schools"][0],
        start_date=_today() - datetime.timedelta(weeks=3),
        phased_timetable="Full time.",
        version=plan.version,
    )
    check = plan.follow_ups.get(weeks=2)
    return f"{_pupil(f)}reintegration/follow-ups/{check.pk}/", {"done_on": _today().isoformat(), "outcome": "on_track"}


def _close(f):
    plan = _plan(f)
    return f"{_pupil(f)}reintegration/close/", {
        "close-completed": "no",
        "close-reason": "Moved.",
        "close-version": plan.version,
    }


def _carer_edit(f):
    return f"{_household(f)}carers/{f['carer'].pk}/edit/", None


# name, setup -> (url, data), method, roles allowed (others in scope get 403), status when allowed, household route?
ROUTES = [
    ("household", lambda f: (_household(f), None), "get", IN_SCOPE, 200, True),
    ("household_edit", lambda f: (f"{_household(f)}edit/", None), "get", EDIT_FAMILY, 200, True),
    (
        "carer_add",
        lambda f: (
            f"{_household(f)}carers/",
            {
                "carer-name": "Sam",
                "carer-relationship": "father",
                "carer-preferred_contact": "phone",
                "carer-lives_with_pupil": "on",
            },
        ),
        "post",
        EDIT_FAMILY,
        302,
        True,
    ),
    ("carer_edit", _carer_edit, "get", EDIT_FAMILY, 200, True),
    ("sibling_add", lambda f: (f"{_household(f)}siblings/", {"sibling-name": "Alfie"}), "post", EDIT_FAMILY, 302, True),
    (
        "support_add",
        lambda f: (f"{_household(f)}support/", {"support-kind": "benefits", "support-detail": "UC claim"}),
        "post",
        SUPPORT,
        302,
        True,
    ),
    ("support_update", _support, "post", SUPPORT, 302, True),
    (
        "visit_add",
        lambda f: (
            f"{_household(f)}visits/",
            {"visit-visited_on": _today().isoformat(), "visit-purpose": "Check", "visit-outcome": "no_answer"},
        ),
        "post",
        EDIT_FAMILY,
        302,
        True,
    ),
    ("pupil_family", lambda f: (_pupil(f), None), "get", IN_SCOPE, 200, False),
    (
        "pupil_household",
        lambda f: (f"{_pupil(f)}household/", {"new-name": "New household", "new-home_language": "English"}),
        "post",
        EDIT_FAMILY,
        302,
        False,
    ),
    (
        "consent_add",
        lambda f: (
            f"{_pupil(f)}consents/",
            {
                "consent-agency_kind": "any",
                "consent-purpose": "All",
                "consent-status": "given",
                "consent-given_by": "Mum",
                "consent-how": "written",
                "consent-decided_on": _today().isoformat(),
            },
        ),
        "post",
        EDIT_FAMILY,
        302,
        False,
    ),
    ("consent_withdraw", _withdraw, "post", EDIT_FAMILY, 302, False),
    (
        "sharing_add",
        lambda f: (
            f"{_pupil(f)}sharing/",
            {
                "sharing-decided_on": _today().isoformat(),
                "sharing-what": "Attendance",
                "sharing-agency_kind": "careers",
                "sharing-recipient": "Adviser",
                "sharing-why": "Plan",
                "sharing-lawful_basis": "public_task",
                "sharing-shared": "yes",
            },
        ),
        "post",
        ("dsl", "leader", "specialist", "health_specialist", "family_worker"),
        302,
        False,
    ),
    ("fresh_start", lambda f: (f"{_pupil(f)}fresh-start/", None), "get", IN_SCOPE, 200, False),
    ("fresh_start_discussed", _discussed, "post", ("dsl", "leader"), 302, False),
    ("reintegration", lambda f: (f"{_pupil(f)}reintegration/", None), "get", IN_SCOPE, 200, False),
    ("reintegration_start", lambda f: (f"{_pupil(f)}reintegration/start/", {}), "post", MANAGE, 302, False),
    ("reintegration_readiness", _readiness, "post", MANAGE, 302, False),
    ("reintegration_preferences", _preferences, "post", MANAGE, 302, False),
    ("reintegration_shortlist", _shortlist, "post", MANAGE, 302, False),
    ("reintegration_visit_arrange", _arrange, "post", MANAGE, 302, False),
    ("reintegration_visit_record", _visit_record, "post", MANAGE, 302, False),
    ("reintegration_send", _send, "post", MANAGE, 302, False),
    ("reintegration_allocate", _allocate, "post", MANAGE, 302, False),
    ("reintegration_follow_up", _follow_up, "post", MANAGE, 302, False),
    ("reintegration_close", _close, "post", MANAGE, 302, False),
]
IDS = [route[0] for route in ROUTES]


@pytest.fixture
def world(cast, pupil, household, carer, schools):
    return cast | {"pupil": pupil, "household": household, "carer": carer, "schools": schools}


@pytest.mark.parametrize("name,setup,method,allowed,ok_status,household_route", ROUTES, ids=IDS)
def test_it_redirects_logged_out_users_to_login(
    client, world, name, setup, method, allowed, ok_status, household_route
):
    url, data = setup(world)
    response = getattr(client, method)(url, data)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,setup,method,allowed,ok_status,household_route", ROUTES, ids=IDS)
def test_it_applies_the_policy_to_every_route(
    client, world, role, name, setup, method, allowed, ok_status, household_route
):
    url, data = setup(world)
    client.force_login(world[role])
    response = getattr(client, method)(url, data)
    if role in OUT_OF_SCOPE:
        expected = 404
    elif role in allowed:
        expected = ok_status
    else:
        expected = 403
    assert response.status_code == expected, response.content[:800]
    event = AccessEvent.objects.filter(user=world[role], path=url).get()
    assert event.outcome == {404: "denied", 403: "forbidden"}.get(expected, "allowed")
    if expected == 404 and household_route:
        assert event.pupil_id is None  # the household's pupils are not revealed
    else:
        assert event.pupil_id == world["pupil"].pk


# Lists: every signed-in user may open them; rows are scoped by the access policy.
@pytest.mark.parametrize("url", ["/families/", "/families/reintegration/", "/families/fresh-start/awaiting-mdt/"])
@pytest.mark.parametrize("role", ROLES)
def test_it_scopes_the_lists(client, world, url, role):
    _plan(world)
    assert client.get(url).status_code == 302
    client.force_login(world[role])
    response = client.get(url)
    assert response.status_code == 200
    count = response.context["page"].paginator.count
    if url == "/families/fresh-start/awaiting-mdt/":
        assert count == 0
    else:
        assert count == (1 if role in IN_SCOPE else 0)


def test_it_returns_404_for_a_carer_reached_through_another_household(client, world, other_pupil):
    from families.models import Household, HouseholdPupil

    elsewhere = Household.objects.create(name="Elsewhere household")
    HouseholdPupil.objects.create(pupil=other_pupil, household=elsewhere)
    client.force_login(world["dsl"])  # sees both households: the carer still belongs to only one
    carer = world["carer"]
    assert client.get(f"/families/{elsewhere.pk}/carers/{carer.pk}/edit/").status_code == 404
    assert client.get(f"/families/{world['household'].pk}/carers/{carer.pk}/edit/").status_code == 200
