"""The agenda builds itself from the case records; the chair reorders, adds pupils and carries items over."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Agency
from concerns.models import Concern
from concerns.services import escalation_close, escalation_open
from conftest import make_pupil
from families.models import FreshStartInterview
from meetings import services
from meetings.models import Action, ActionPlan, AgendaItem, Meeting
from referrals.models import InformationRequest, Intervention, Referral

R = AgendaItem.Reason


def _kinds(meeting, pupil):
    item = meeting.items.get(pupil=pupil)
    return {reason["kind"] for reason in item.reasons}


@pytest.fixture
def sources(db, site, staff, dsl, specialist, family_worker, today):
    """One pupil for each source the agenda draws on, and one pupil who should not appear."""
    old = datetime.date(2025, 9, 1)
    pupils = {
        name: make_pupil(site, first_name=name.title(), last_name="Source", entry_date=old)
        for name in ("referral", "review", "overdue", "pattern", "info", "fresh", "plan", "quiet")
    }
    pupils["new"] = make_pupil(
        site, first_name="New", last_name="Source", entry_date=today - datetime.timedelta(days=3)
    )
    Referral.objects.create(pupil=pupils["referral"], specialism="salt", reasons="Speech unclear.", raised_by=staff)
    done = Referral.objects.create(
        pupil=pupils["review"],
        specialism="youth_justice",
        reasons="Court order.",
        raised_by=staff,
        status=Referral.Status.ALLOCATED,
        allocated_to=specialist,
    )
    Intervention.objects.create(
        pupil=pupils["review"],
        referral=done,
        specialism="youth_justice",
        specialist=specialist,
        review_date=today - datetime.timedelta(days=1),
    )
    plan = ActionPlan.objects.create(pupil=pupils["overdue"], created_by=dsl)
    Action.objects.create(
        plan=plan,
        description="Phone home",
        owner_kind=Action.Owner.STAFF,
        owner_user=staff,
        due_on=today - datetime.timedelta(days=2),
        success_criteria="Parent called back",
        created_by=dsl,
    )
    ActionPlan.objects.create(pupil=pupils["plan"], created_by=dsl, review_on=today)
    for hours in (1, 2, 3):
        Concern.objects.create(
            pupil=pupils["pattern"],
            category=Concern.Category.BEHAVIOUR,
            seen="Shouting in class.",
            logged_by=staff,
            occurred_at=timezone.now() - datetime.timedelta(hours=hours),
        )
    Concern.objects.create(pupil=pupils["quiet"], category=Concern.Category.OTHER, seen="Late once.", logged_by=staff)
    police = Agency.objects.create(name="Police", kind=Agency.Kind.POLICE)
    InformationRequest.objects.create(
        pupil=pupils["info"],
        agency=police,
        question="Any incidents?",
        asked_by=staff,
        asked_on=today - datetime.timedelta(days=20),
        due_by=today - datetime.timedelta(days=6),
    )
    FreshStartInterview.objects.create(
        pupil=pupils["fresh"],
        held_on=today - datetime.timedelta(days=5),
        school_staff=staff,
        agency_member=family_worker,
        positives="PE",
        negatives="Maths",
        goals="GCSEs",
        needs="Help",
        recorded_by=staff,
    )
    # Everyone else had their interview soon after entry, and the MDT has heard it.
    for name, pupil in pupils.items():
        if name not in ("fresh", "new"):
            _interview(pupil, staff, family_worker, held_on=old + datetime.timedelta(days=3), discussed=True)
    return pupils


def _interview(pupil, staff, family_worker, *, held_on, discussed=False) -> FreshStartInterview:
    return FreshStartInterview.objects.create(
        pupil=pupil,
        held_on=held_on,
        school_staff=staff,
        agency_member=family_worker,
        positives="PE",
        negatives="Maths",
        goals="GCSEs",
        needs="Help",
        discussed_at_mdt_on=held_on if discussed else None,
        recorded_by=staff,
    )


def test_it_builds_the_agenda_from_every_source(mdt, leader, sources):
    added = services.agenda_build(meeting=mdt, by=leader)
    assert added == 8
    assert _kinds(mdt, sources["new"]) == {R.NEW_PUPIL}
    assert _kinds(mdt, sources["referral"]) == {R.REFERRAL}
    assert _kinds(mdt, sources["review"]) == {R.REVIEW_DUE}
    assert _kinds(mdt, sources["overdue"]) == {R.OVERDUE_ACTION}
    assert _kinds(mdt, sources["pattern"]) == {R.CONCERN_PATTERN}
    assert _kinds(mdt, sources["info"]) == {R.INFORMATION_OVERDUE}
    assert _kinds(mdt, sources["fresh"]) == {R.FRESH_START}
    assert _kinds(mdt, sources["plan"]) == {R.REVIEW_DUE}
    assert not mdt.items.filter(pupil=sources["quiet"]).exists()
    # Referrals to triage come first.
    assert mdt.items.order_by("position").first().pupil == sources["referral"]


def test_it_does_not_duplicate_when_built_again(mdt, leader, sources, staff):
    services.agenda_build(meeting=mdt, by=leader)
    Referral.objects.create(pupil=sources["new"], specialism="careers", reasons="Post-16 plans.", raised_by=staff)
    assert services.agenda_build(meeting=mdt, by=leader) == 0
    assert mdt.items.count() == 8
    assert _kinds(mdt, sources["new"]) == {R.NEW_PUPIL, R.REFERRAL}


def test_it_limits_an_mdt_for_one_centre_to_that_centre(mdt, leader, sources, other_site):
    make_pupil(other_site, first_name="Far", last_name="Away", entry_date=timezone.localdate())
    Meeting.objects.filter(pk=mdt.pk).update(site=sources["new"].site)
    mdt.refresh_from_db()
    services.agenda_build(meeting=mdt, by=leader)
    assert not mdt.items.filter(pupil__last_name="Away").exists()


def test_it_builds_through_the_page_for_the_chair_only(client, mdt, leader, staff, sources):
    client.force_login(staff)
    assert client.post(f"/meetings/{mdt.pk}/agenda/build/").status_code == 403
    client.force_login(leader)
    response = client.post(f"/meetings/{mdt.pk}/agenda/build/")
    assert response.status_code == 302
    assert mdt.items.count() == 8
    assert mdt.items.first().events.filter(pgh_label="insert").exists()


def test_it_reorders_and_adds_a_pupil(client, mdt, leader, pupil, other_pupil):
    client.force_login(leader)
    first = services.agenda_add_pupil(meeting=mdt, by=leader, pupil=pupil)
    response = client.post(f"/meetings/{mdt.pk}/agenda/add/", {"pupil": other_pupil.pk, "note": "Exclusion risk"})
    assert response.status_code == 302
    second = mdt.items.get(pupil=other_pupil)
    assert second.position > first.position
    assert client.post(f"/meetings/{mdt.pk}/agenda/{second.pk}/move/", {"direction": "up"}).status_code == 302
    assert list(mdt.items.order_by("position").values_list("pupil", flat=True)) == [other_pupil.pk, pupil.pk]
    # Adding the same pupil again is refused with the input kept.
    response = client.post(f"/meetings/{mdt.pk}/agenda/add/", {"pupil": other_pupil.pk, "note": "Again"})
    assert response.status_code == 400
    assert b"already on this agenda" in response.content


def test_it_carries_an_item_over_to_the_next_weekly_meeting(client, mdt, leader, item):
    client.force_login(leader)
    assert client.post(f"/meetings/{mdt.pk}/agenda/{item.pk}/carry-over/").status_code == 302
    response = client.post(f"/meetings/{mdt.pk}/next/")
    assert response.status_code == 302
    following = Meeting.objects.get(previous=mdt)
    assert following.held_on == mdt.held_on + datetime.timedelta(days=7)
    carried = following.items.get(pupil=item.pupil)
    assert carried.carried_from == item
    assert R.CARRIED_OVER in carried.reason_kinds
    assert following.invitees.count() == mdt.invitees.count()
    # Only one next meeting.
    assert client.post(f"/meetings/{mdt.pk}/next/").status_code == 409


def test_it_adds_a_pupil_with_no_fresh_start_interview_n_days_after_entry(
    mdt, leader, site, staff, family_worker, today, settings
):
    settings.FRESH_START_FLAG_DAYS = 14
    late = make_pupil(site, first_name="Late", last_name="Interview", entry_date=today - datetime.timedelta(days=21))
    recent = make_pupil(site, first_name="Recent", last_name="Entry", entry_date=today - datetime.timedelta(days=14))
    held = make_pupil(site, first_name="Held", last_name="Interview", entry_date=today - datetime.timedelta(days=30))
    _interview(held, staff, family_worker, held_on=today - datetime.timedelta(days=20), discussed=True)
    left = make_pupil(
        site,
        first_name="Left",
        last_name="Already",
        entry_date=today - datetime.timedelta(days=60),
        exit_date=today - datetime.timedelta(days=1),
    )

    services.agenda_build(meeting=mdt, by=leader)

    item = mdt.items.get(pupil=late)
    assert item.reason_kinds == {R.FRESH_START_MISSING}
    assert item.reason_words == ["No Fresh Start interview 21 days after entry"]
    assert _kinds(mdt, recent) == {R.NEW_PUPIL}  # joined 14 days ago: new, not yet late
    for pupil in (held, left):
        assert not mdt.items.filter(pupil=pupil).exists(), pupil.first_name


def test_a_missing_interview_comes_after_interviews_to_feed_back(mdt, leader, site, staff, family_worker, today):
    missing = make_pupil(site, first_name="Missing", last_name="Order", entry_date=today - datetime.timedelta(days=40))
    fed_back = make_pupil(site, first_name="Fed", last_name="Order", entry_date=today - datetime.timedelta(days=40))
    _interview(fed_back, staff, family_worker, held_on=today - datetime.timedelta(days=2))
    overdue_plan = ActionPlan.objects.create(
        pupil=make_pupil(site, first_name="Plan", last_name="Order"), created_by=leader
    )
    _interview(overdue_plan.pupil, staff, family_worker, held_on=datetime.date(2026, 1, 8), discussed=True)
    Action.objects.create(
        plan=overdue_plan,
        description="Phone home",
        owner_kind=Action.Owner.STAFF,
        owner_user=staff,
        due_on=today - datetime.timedelta(days=2),
        success_criteria="Parent called back",
        created_by=leader,
    )
    services.agenda_build(meeting=mdt, by=leader)
    order = list(mdt.items.order_by("position").values_list("pupil_id", flat=True))
    assert order == [fed_back.pk, missing.pk, overdue_plan.pupil_id]


def test_an_open_escalation_keeps_the_pupil_on_the_agenda_until_closed(mdt, leader, dsl, pupil, today):
    escalation = escalation_open(pupil=pupil, by=dsl, route="mash", summary="Passed to MASH.")
    services.agenda_build(meeting=mdt, by=leader)
    item = mdt.items.get(pupil=pupil)
    assert R.ESCALATION in item.reason_kinds
    assert item.reason_words[0].startswith("Escalation awaiting its outcome")
    assert "MASH" not in " ".join(item.reason_words)  # the agenda is shared: no route, no reference
    assert services.SOURCE_ORDER.index(R.ESCALATION) == 1
    escalation_close(escalation=escalation, by=dsl, version=1, outcome="no_further_action")
    assert pupil.pk not in services.agenda_sources(meeting=mdt) or R.ESCALATION not in {
        reason["kind"] for reason in services.agenda_sources(meeting=mdt)[pupil.pk]
    }
