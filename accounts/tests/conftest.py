"""Fixtures for the reminder tests: one record of each kind that can be reminded about, dated around DAY."""

import datetime

import pytest

from accounts.models import User
from families.models import FollowUpCheck, ReintegrationPlan
from meetings.models import Action, ActionPlan, Invitee, Meeting
from pupils.models import School
from referrals.models import InformationRequest, Intervention, Referral

# A Tuesday; every reminder in these tests is about this date.
DAY = datetime.date(2026, 12, 1)
PUPIL_NAME = ("Jordan", "Example")


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.MFA_REQUIRED_ROLES = []
    settings.SITE_URL = "https://pru.example.org"
    # No broker unless a test starts one: enqueueing fails fast and the rows wait for the sweeper.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"


def with_email(*users: User) -> None:
    for user in users:
        user.email = f"{user.username}@pru.example.org"
        user.save(update_fields=["email"])


@pytest.fixture
def people(staff, leader, dsl, specialist, health_specialist, family_worker):
    with_email(staff, leader, dsl, specialist, health_specialist, family_worker)
    return {
        "staff": staff,
        "leader": leader,
        "dsl": dsl,
        "specialist": specialist,
        "health_specialist": health_specialist,
        "family_worker": family_worker,
    }


def make_plan(pupil, by, **extra) -> ActionPlan:
    return ActionPlan.objects.create(pupil=pupil, created_by=by, **extra)


def make_action(plan, owner, due_on, **extra) -> Action:
    """An action owned by `owner` (a member of staff) unless `extra` names another owner."""
    values = {
        "plan": plan,
        "description": "SENTINEL-ACTION-NOTE",
        "owner_kind": Action.Owner.STAFF,
        "owner_user": owner,
        "due_on": due_on,
        "success_criteria": "Attends",
        "created_by": plan.created_by,
    }
    return Action.objects.create(**values | extra)


def make_intervention(pupil, specialist, by, review_date) -> Intervention:
    referral = Referral.objects.create(
        pupil=pupil,
        specialism="camhs",
        reasons="SENTINEL-REFERRAL-REASON",
        raised_by=by,
        status=Referral.Status.ALLOCATED,
        allocated_to=specialist,
    )
    return Intervention.objects.create(
        pupil=pupil, referral=referral, specialism="camhs", specialist=specialist, review_date=review_date
    )


def make_information_request(pupil, agency, by, due_by) -> InformationRequest:
    return InformationRequest.objects.create(
        pupil=pupil,
        agency=agency,
        question="SENTINEL-QUESTION",
        asked_on=due_by - datetime.timedelta(days=14),
        due_by=due_by,
        asked_by=by,
    )


def make_follow_up(pupil, lead, due_on) -> FollowUpCheck:
    school = School.objects.create(name="Millbrook Academy")
    plan = ReintegrationPlan.objects.create(
        pupil=pupil,
        lead=lead,
        status=ReintegrationPlan.Status.ALLOCATED,
        allocated_school=school,
        start_date=due_on - datetime.timedelta(weeks=2),
    )
    return FollowUpCheck.objects.create(plan=plan, weeks=2, due_on=due_on)


def make_meeting(chair, held_on, invite=(), kind=Meeting.Kind.MDT) -> Meeting:
    meeting = Meeting.objects.create(kind=kind, title="Tuesday MDT", held_on=held_on, chair=chair, created_by=chair)
    for user in invite:
        Invitee.objects.create(meeting=meeting, user=user)
    return meeting
