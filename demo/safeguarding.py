"""The DSL's outside work in the demo: escalations with their trail and the statutory meetings the PRU attended.

Every referral the demo triaged as escalated gets its tracked escalation (as triage opens one today); two of this
week's safeguarding concerns went to MASH and the police, one of them past its due date; pupils on a child protection
plan, a child in need plan or looked after have their last conference, meeting or review on record.
"""

import datetime
import random

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from concerns.models import Concern, Escalation, EscalationRoute, StatutoryMeeting, StatutoryMeetingAttendee
from pru_cases.lib.dates import add_working_days
from pupils.models import Pupil
from referrals.models import Referral

CLOSED_OUTCOMES = [
    (Escalation.Outcome.EARLY_HELP_PLAN, "Family agreed an early help plan; lead professional from Early Help."),
    (Escalation.Outcome.NO_FURTHER_ACTION, "Threshold not met; advice given to school and family."),
    (Escalation.Outcome.POLICE_ATTENDED, "Officers saw the young person at home; safe and well."),
    (Escalation.Outcome.CIN_PLAN, "Assessment led to a child in need plan; PRU invited to the CIN meetings."),
]

MEETINGS = {
    Pupil.SocialCare.CP: (
        StatutoryMeeting.Kind.CP_REVIEW,
        (
            "Plan continues under the category of neglect. PRU to report attendance weekly to the social worker and "
            "keep the breakfast offer in place."
        ),
        90,
    ),
    Pupil.SocialCare.CIN: (
        StatutoryMeeting.Kind.CIN_MEETING,
        (
            "Plan continues. Housing referral made by the social worker; PRU to share attendance and any concerns "
            "before the next meeting."
        ),
        42,
    ),
    Pupil.SocialCare.LAC: (
        StatutoryMeeting.Kind.LAC_REVIEW,
        (
            "Placement stable. PEP targets agreed: reading age and attendance above 90%. Designated teacher to update "
            "the PEP after the MDT."
        ),
        120,
    ),
}


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=datetime.UTC)


def seed(*, rng: random.Random, pupils: list[Pupil], users: dict[str, User]) -> dict[str, int]:
    """Add the escalations and statutory meetings; returns how many of each."""
    today = timezone.localdate()
    dsl = users["dsl"]
    leads = [users[name] for name in ("dsl", "dsl2", "deputy") if name in users]
    ids = [pupil.pk for pupil in pupils]
    escalations: list[tuple[Escalation, int | None]] = []
    for referral in Referral.objects.filter(
        pupil_id__in=ids, status=Referral.Status.ESCALATED, escalation_record__isnull=True
    ).select_related("triaged_by"):
        opened = referral.triaged_at or referral.raised_at
        due = add_working_days(opened.date(), 3)
        closed = due < today - datetime.timedelta(days=7) and rng.random() < 0.7
        outcome, note = rng.choice(CLOSED_OUTCOMES) if closed else ("", "")
        owner = referral.triaged_by or dsl
        escalation = Escalation(
            pupil_id=referral.pupil_id,
            route=referral.escalation,
            owner=owner,
            opened_by=owner,
            opened_at=opened,
            due_on=due,
            outside_reference=f"MASH-{opened:%y%m}-{rng.randrange(1000, 9999)}" if rng.random() < 0.6 else "",
            summary=f"Escalated when referral #{referral.pk} was triaged.",
            status=Escalation.Status.CLOSED if closed else Escalation.Status.OPEN,
            outcome=outcome,
            outcome_note=note,
            closed_by=owner if closed else None,
            closed_at=_at(due + datetime.timedelta(days=2), 15) if closed else None,
        )
        escalations.append((escalation, referral.pk))
    # This week's worries taken outside: one still within its time, one past it (the owner is reminded).
    recent = list(
        Concern.objects.filter(pupil_id__in=ids, category=Concern.Category.SAFEGUARDING, pupil__exit_date__isnull=True)
        .order_by("-logged_at")
        .select_related("pupil")[:2]
    )
    for concern, (route, days_ago, reference) in zip(
        recent,
        [(EscalationRoute.MASH, 1, "MASH-2611-0412"), (EscalationRoute.POLICE_SAFE_AND_WELL, 6, "Log 0314 of 26/11")],
        strict=False,
    ):
        opened = timezone.now() - datetime.timedelta(days=days_ago, hours=2)
        escalations.append(
            (
                Escalation(
                    pupil_id=concern.pupil_id,
                    route=route,
                    concern=concern,
                    owner=dsl,
                    opened_by=dsl,
                    opened_at=opened,
                    due_on=add_working_days(opened.date(), 3),
                    outside_reference=reference,
                    summary=f"Passed on after the concern logged {concern.logged_at:%-d %b}: {concern.seen}",
                ),
                None,
            )
        )
    created = Escalation.objects.bulk_create([escalation for escalation, _ in escalations])
    for escalation, (_, referral_pk) in zip(created, escalations, strict=True):
        if referral_pk is not None:
            Referral.objects.filter(pk=referral_pk).update(escalation_record=escalation)

    meetings, attendees = [], []
    known = Pupil.objects.filter(pk__in=ids, exit_date__isnull=True).filter(
        ~Q(social_care_status=Pupil.SocialCare.NONE)
    )
    for pupil in known:
        kind, decisions, every = MEETINGS[pupil.social_care_status]
        held = today - datetime.timedelta(days=rng.randrange(7, 40))
        meetings.append(
            (
                StatutoryMeeting(
                    pupil=pupil,
                    kind=kind,
                    held_on=held,
                    decisions=decisions,
                    next_on=held + datetime.timedelta(days=every),
                    recorded_by=dsl,
                    recorded_at=_at(held, 16),
                ),
                {rng.choice(leads).pk, pupil.key_worker_id or dsl.pk},
            )
        )
    made = StatutoryMeeting.objects.bulk_create([meeting for meeting, _ in meetings])
    for meeting, (_, people) in zip(made, meetings, strict=True):
        attendees.extend(StatutoryMeetingAttendee(meeting=meeting, user_id=pk) for pk in sorted(people))
    StatutoryMeetingAttendee.objects.bulk_create(attendees)
    return {"escalations": len(created), "statutory meetings": len(made)}
