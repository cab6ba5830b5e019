import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_pupil
from families import services
from families.models import (
    FollowUpCheck,
    ReintegrationPlan,
    SchoolVisit,
    ShortlistedSchool,
)
from families.panels import annotate_pupil_list
from pupils.models import Allocation, Pupil

S = ReintegrationPlan.Status


def _url(pupil, step=""):
    return f"/families/pupil/{pupil.pk}/reintegration/{step}"


def test_it_runs_the_whole_plan_from_readiness_to_follow_up(client, family_worker, leader, pupil, schools, today):
    client.force_login(family_worker)
    assert client.post(_url(pupil, "start/")).status_code == 302
    plan = ReintegrationPlan.objects.get(pupil=pupil)
    assert plan.status == S.CONSIDERING and plan.lead == family_worker

    assert (
        client.post(
            _url(pupil, "readiness/"),
            {"ready-ready": "yes", "ready-reason": "Attendance 95% this term.", "ready-version": 1},
        ).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.status == S.PREFERENCES

    prefs = {
        "prefs-pupil_preferences": "Small school",
        "prefs-pupil_priorities": "Friends",
        "prefs-parent_preferences": "Near home",
        "prefs-parent_priorities": "Reading support",
        "prefs-version": plan.version,
    }
    assert client.post(_url(pupil, "preferences/"), prefs).status_code == 302
    plan.refresh_from_db()
    assert (plan.pupil_preferences, plan.parent_priorities) == ("Small school", "Reading support")

    for school in schools[:2]:
        assert (
            client.post(
                _url(pupil, "shortlist/"), {"shortlist-school": school.pk, "shortlist-reason": "Close"}
            ).status_code
            == 302
        )
    plan.refresh_from_db()
    assert plan.status == S.SHORTLIST and plan.shortlist.count() == 2
    first, second = plan.shortlist.order_by("pk")

    assert (
        client.post(
            _url(pupil, "visits/"), {"arrange-shortlisted": second.pk, "arrange-visit_on": today.isoformat()}
        ).status_code
        == 302
    )
    visit = SchoolVisit.objects.get()
    assert visit.accompanied_by == family_worker and visit.status == SchoolVisit.Status.ARRANGED
    response = client.post(
        _url(pupil, f"visits/{visit.pk}/"),
        {"status": "attended", "pupil_feedback": "Liked it", "parent_feedback": "Good"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == SchoolVisit.Status.ATTENDED and visit.pupil_feedback == "Liked it"

    send = {
        f"send-rank_{first.pk}": 2,
        f"send-rank_{second.pk}": 1,
        "send-sent_to": leader.pk,
        "send-note": "Prefer Parkside",
        "send-version": plan.version,
    }
    assert client.post(_url(pupil, "preference/"), send).status_code == 302
    plan.refresh_from_db()
    assert plan.status == S.PREFERENCE_SENT and plan.preference_sent_to == leader
    assert list(plan.shortlist.order_by("family_rank").values_list("pk", flat=True)) == [second.pk, first.pk]

    start = today + datetime.timedelta(days=14)
    allocate = {
        "allocate-school": second.school_id,
        "allocate-start_date": start.isoformat(),
        "allocate-phased_timetable": "Weeks 1-2: mornings.",
        "allocate-version": plan.version,
    }
    assert client.post(_url(pupil, "allocate/"), allocate).status_code == 302
    plan.refresh_from_db()
    assert plan.status == S.ALLOCATED and plan.allocated_school == second.school and plan.start_date == start
    checks = list(plan.follow_ups.values_list("weeks", "due_on"))
    assert checks == [(w, start + datetime.timedelta(weeks=w)) for w in (2, 6, 12)]
    assert plan.events.filter(pgh_label="update").count() >= 5

    check = plan.follow_ups.first()
    too_early = client.post(
        _url(pupil, f"follow-ups/{check.pk}/"), {"done_on": today.isoformat(), "outcome": "on_track"}
    )
    assert too_early.status_code == 400  # the check comes after the start date
    assert (
        client.post(
            _url(pupil, "close/"), {"close-completed": "yes", "close-reason": "Settled.", "close-version": plan.version}
        ).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.status == S.COMPLETED and plan.closed_on == today


def test_it_records_a_follow_up_check(pupil, family_worker, shortlist_plan, schools, today):
    plan = services.reintegration_allocate(
        plan=shortlist_plan,
        by=family_worker,
        school=schools[0],
        start_date=today - datetime.timedelta(weeks=3),
        phased_timetable="Full time.",
        version=shortlist_plan.version,
    )
    check = plan.follow_ups.get(weeks=2)
    assert check.is_overdue
    services.follow_up_record(
        check=check, by=family_worker, done_on=today, outcome=FollowUpCheck.Outcome.ON_TRACK, notes="Fine."
    )
    check.refresh_from_db()
    assert check.done_by == family_worker and not check.is_overdue
    with pytest.raises(ValidationError):
        services.follow_up_record(check=check, by=family_worker, done_on=today, outcome="on_track", notes="Again.")


def test_it_keeps_one_open_plan_per_pupil(client, family_worker, shortlist_plan, pupil):
    client.force_login(family_worker)
    response = client.post(_url(pupil, "start/"))
    assert response.status_code == 400
    assert "already has an open reintegration plan" in response.content.decode()
    assert ReintegrationPlan.objects.filter(pupil=pupil).count() == 1


def test_it_refuses_steps_out_of_order_and_stale_versions(client, family_worker, pupil, schools):
    client.force_login(family_worker)
    client.post(_url(pupil, "start/"))
    plan = ReintegrationPlan.objects.get()
    early = client.post(_url(pupil, "shortlist/"), {"shortlist-school": schools[0].pk})
    assert early.status_code == 400 and "after readiness is agreed" in early.content.decode()
    client.post(_url(pupil, "readiness/"), {"ready-ready": "no", "ready-reason": "Not yet.", "ready-version": 1})
    plan.refresh_from_db()
    assert plan.status == S.NOT_READY
    stale = client.post(_url(pupil, "readiness/"), {"ready-ready": "yes", "ready-reason": "Now.", "ready-version": 1})
    assert stale.status_code == 409
    assert 'name="ready-version" value="2"' in stale.content.decode()  # re-saving applies on top of the latest
    assert not ShortlistedSchool.objects.exists()


def test_it_checks_the_ranking(client, family_worker, leader, pupil, shortlist_plan):
    client.force_login(family_worker)
    first, second = shortlist_plan.shortlist.order_by("pk")
    response = client.post(
        _url(pupil, "preference/"),
        {
            f"send-rank_{first.pk}": 1,
            f"send-rank_{second.pk}": 1,
            "send-sent_to": leader.pk,
            "send-version": shortlist_plan.version,
        },
    )
    assert response.status_code == 400 and "Use each rank once" in response.content.decode()
    shortlist_plan.refresh_from_db()
    assert shortlist_plan.status == S.SHORTLIST


def test_it_closes_a_plan_and_allows_a_new_one(client, family_worker, pupil, shortlist_plan):
    client.force_login(family_worker)
    assert (
        client.post(
            _url(pupil, "close/"),
            {"close-completed": "no", "close-reason": "Moved away.", "close-version": shortlist_plan.version},
        ).status_code
        == 302
    )
    shortlist_plan.refresh_from_db()
    assert shortlist_plan.status == S.CLOSED
    assert client.post(_url(pupil, "start/")).status_code == 302
    assert ReintegrationPlan.objects.filter(pupil=pupil).count() == 2
    page = client.get(_url(pupil)).content.decode()
    assert "Earlier plans" in page


def test_it_shows_the_plan_state_on_the_pupil_list(client, dsl, pupil, shortlist_plan):
    client.force_login(dsl)
    body = client.get("/pupils/").content.decode()
    assert "Reintegration: shortlist and visits" in body
    annotated = annotate_pupil_list(Pupil.objects.filter(pk=pupil.pk)).get()
    assert annotated.reintegration_status == S.SHORTLIST


def _pupil_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/pupils/?status=").status_code == 200
    return len(queries)


def _make_plans(site, by, count, start):
    for n in range(start, start + count):
        child = make_pupil(site, first_name=f"Plan{n}", last_name=f"Pupil{n:03d}")
        Allocation.objects.create(pupil=child, user=by, created_by=by)  # a family worker leads their own pupils' plans
        services.reintegration_plan_start(pupil=child, by=by)


def test_it_keeps_the_pupil_list_query_count_constant_with_plans(client, dsl, site, family_worker):
    client.force_login(dsl)
    _make_plans(site, family_worker, 3, 0)
    small = _pupil_list_queries(client)
    _make_plans(site, family_worker, 30, 3)
    assert _pupil_list_queries(client) == small


def test_it_keeps_the_plan_list_query_count_constant(client, dsl, site, family_worker, django_assert_max_num_queries):
    client.force_login(dsl)
    _make_plans(site, family_worker, 3, 0)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/families/reintegration/").status_code == 200
    _make_plans(site, family_worker, 30, 3)
    with django_assert_max_num_queries(len(small)):
        response = client.get("/families/reintegration/?status=considering")
    assert response.context["page"].paginator.count == 33
