"""Writes to the concern log."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import notify, safeguarding_leads
from concerns.models import Concern, Escalation, EscalationRoute, StatutoryMeeting, escalation_due_on
from concerns.selectors import escalation_owners, pru_people, recent_concerns
from pru_cases.access import Action, require_write
from pru_cases.lib.conflicts import EditConflict
from pupils.models import Pupil

# A little slack for clocks that run fast on a classroom laptop.
FUTURE_SLACK = datetime.timedelta(minutes=5)


@transaction.atomic
def concern_log(
    *, pupil: Pupil, by: User, category: str, seen: str, occurred_at: datetime.datetime | None = None
) -> Concern:
    """Log what was seen. Safeguarding concerns land in the DSL's queue (they stay open until the DSL reviews them)."""
    require_write(by, pupil, Action.LOG_CONCERN)
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + FUTURE_SLACK:
        raise ValidationError({"occurred_at": "A concern cannot be logged for a time in the future."})
    if pupil.is_archived:
        raise ValidationError("This pupil's record is archived: restore it before logging a concern.")
    concern = Concern(
        pupil=pupil, logged_by=by, category=category, seen=seen.strip(), occurred_at=occurred_at, logged_at=now
    )
    # The pupil and the person logging are the rows the caller already holds (and checked above): no query to learn
    # that they exist. The status and review fields keep their defaults (open, not reviewed) until a review, so the
    # check that ties them together is left to the review and to the database.
    concern.full_clean(exclude=["pupil", "logged_by", "status", "reviewed_at", "reviewed_by"])
    concern.save()
    if concern.category == Concern.Category.SAFEGUARDING:
        safeguarding_concern_alert(concern, by=by)
    if recent_concerns(concern.pupil_id).count() == settings.CONCERN_PATTERN_COUNT:
        pattern_alert(concern.pupil_id, by=by)
    return concern


def safeguarding_concern_alert(concern: Concern, *, by: User | None) -> int:
    """Every DSL hears at once of a safeguarding concern (but not the one who logged it). Idempotent."""
    return notify(
        kind=Notification.Kind.SAFEGUARDING_CONCERN,
        recipients=safeguarding_leads(),
        object_id=concern.pk,
        occasion="logged",
        path=reverse("concerns:review", args=[concern.pk]),
        pupil_id=concern.pupil_id,
        exclude=by,
    )


def pattern_alert(pupil_id: int, *, by: User | None) -> int:
    """Every DSL hears that a pupil has reached the pattern of concerns: once a day at most."""
    return notify(
        kind=Notification.Kind.CONCERN_PATTERN,
        recipients=safeguarding_leads(),
        object_id=pupil_id,
        occasion=f"{timezone.localdate():%Y-%m-%d}",
        path=reverse("pupils:detail", args=[pupil_id]),
        pupil_id=pupil_id,
        detail=f"{settings.CONCERN_PATTERN_COUNT} concerns in {settings.CONCERN_PATTERN_DAYS} days",
        exclude=by,
    )


@transaction.atomic
def concern_review(*, concern: Concern, by: User, note: str) -> Concern:
    """The DSL records what was done about a concern; the row is claimed with a conditional update."""
    if not note.strip():
        raise ValidationError({"note": "Say what was done, for example: spoke to the pupil, referred to social care."})
    updated = Concern.objects.filter(pk=concern.pk, status=Concern.Status.OPEN).update(
        status=Concern.Status.REVIEWED, reviewed_by=by, reviewed_at=timezone.now(), review_note=note.strip()[:500]
    )
    if not updated:
        raise ValidationError("This concern has already been reviewed.")
    concern.refresh_from_db()
    return concern


# Escalations outside the PRU ----------------------------------------------------------------------------------

ESCALATION_CONFLICT = (
    "Someone else changed this escalation while you were looking at it. Check its new state below, then try again."
)
STATUTORY_MEETING_CONFLICT = (
    "Someone else changed this meeting's record while you were looking at it. Check it below, then try again."
)
# An answer from MASH or the police is expected within days; a date further off than this is a typing slip.
LONGEST_DUE = datetime.timedelta(days=183)
# Statutory meetings are recorded after they happen, sometimes from old notes; the next one is within months.
EARLIEST_HELD = datetime.timedelta(days=3 * 366)
LONGEST_UNTIL_NEXT = datetime.timedelta(days=366)
OUTSIDE_REFERENCE_LIMIT = 80


def _check_owner(owner: User) -> None:
    if not escalation_owners().filter(pk=owner.pk).exists():
        raise ValidationError({"owner": "The owner must be a designated safeguarding lead or a senior leader."})


def _check_due(due_on: datetime.date, *, since: datetime.date) -> None:
    if due_on < since:
        raise ValidationError({"due_on": f"The due date cannot be before the escalation opened ({since:%-d %b %Y})."})
    if due_on > since + LONGEST_DUE:
        raise ValidationError({"due_on": "The due date is more than six months away: check the year."})


def _clean_reference(reference: str) -> str:
    reference = reference.strip()
    if len(reference) > OUTSIDE_REFERENCE_LIMIT:
        raise ValidationError({"outside_reference": f"Keep the reference to {OUTSIDE_REFERENCE_LIMIT} characters."})
    return reference


def _tell_owner(escalation: Escalation, by: User) -> None:
    """The owner hears at once that the escalation is theirs (not when they took it on themselves)."""
    notify(
        kind=Notification.Kind.ESCALATION_OWNED,
        recipients=[escalation.owner_id],
        object_id=escalation.pk,
        occasion=f"to-{escalation.owner_id}",
        path=reverse("concerns:escalation", args=[escalation.pk]),
        pupil_id=escalation.pupil_id,
        detail=f"{escalation.get_route_display()}, due {escalation.due_on:%-d %b %Y}; given to you by {by}.",
        exclude=by,
    )


@transaction.atomic
def escalation_open(
    *,
    pupil: Pupil,
    by: User,
    route: str,
    summary: str,
    owner: User | None = None,
    due_on: datetime.date | None = None,
    outside_reference: str = "",
    concern: Concern | None = None,
) -> Escalation:
    """Take a worry outside the PRU and track it until its outcome is recorded. The owner (by default whoever
    opens it) is reminded when it is due, and the pupil is on each MDT agenda until it is closed."""
    require_write(by, pupil, Action.MANAGE_ESCALATION)
    if pupil.is_archived:
        raise ValidationError("This pupil's record is archived: restore it before escalating.")
    if route not in EscalationRoute.values:
        raise ValidationError({"route": "Choose where the worry was taken."})
    if not summary.strip():
        raise ValidationError({"summary": "Say what was passed on, to whom, and why."})
    if concern is not None and concern.pupil_id != pupil.pk:
        raise ValidationError("That concern is about another pupil.")
    owner = owner or by
    _check_owner(owner)
    today = timezone.localdate()
    due_on = due_on or escalation_due_on(today)
    _check_due(due_on, since=today)
    escalation = Escalation(
        pupil=pupil,
        route=route,
        concern=concern,
        owner=owner,
        opened_by=by,
        opened_at=timezone.now(),
        due_on=due_on,
        outside_reference=_clean_reference(outside_reference),
        summary=summary.strip(),
    )
    escalation.full_clean()
    escalation.save()
    _tell_owner(escalation, by)
    return escalation


def _lock_escalation(escalation: Escalation, version: int) -> Escalation:
    locked = Escalation.objects.select_for_update(of=("self",)).get(pk=escalation.pk)
    if locked.version != version:
        raise EditConflict(ESCALATION_CONFLICT)
    if locked.status != Escalation.Status.OPEN:
        raise ValidationError("This escalation is closed: its outcome is on record.")
    return locked


@transaction.atomic
def escalation_update(
    *,
    escalation: Escalation,
    by: User,
    version: int,
    route: str,
    owner: User,
    due_on: datetime.date,
    outside_reference: str,
    summary: str,
) -> Escalation:
    """Correct or move on an open escalation: a new owner, a new due date, the reference once it is known."""
    require_write(by, escalation.pupil_id, Action.MANAGE_ESCALATION)
    locked = _lock_escalation(escalation, version)
    if route not in EscalationRoute.values:
        raise ValidationError({"route": "Choose where the worry was taken."})
    if not summary.strip():
        raise ValidationError({"summary": "Say what was passed on, to whom, and why."})
    _check_owner(owner)
    _check_due(due_on, since=timezone.localtime(locked.opened_at).date())
    new_owner = owner.pk != locked.owner_id
    locked.route = route
    locked.owner = owner
    locked.due_on = due_on
    locked.outside_reference = _clean_reference(outside_reference)
    locked.summary = summary.strip()
    locked.version += 1
    locked.full_clean()
    locked.save()
    if new_owner:
        _tell_owner(locked, by)
    return locked


@transaction.atomic
def escalation_close(
    *, escalation: Escalation, by: User, version: int, outcome: str, outcome_note: str = "", outside_reference: str = ""
) -> Escalation:
    """Record what came of the escalation; it leaves the DSL's queue and the MDT agenda."""
    require_write(by, escalation.pupil_id, Action.MANAGE_ESCALATION)
    locked = _lock_escalation(escalation, version)
    if outcome not in Escalation.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome before closing the escalation."})
    if outcome == Escalation.Outcome.OTHER and not outcome_note.strip():
        raise ValidationError({"outcome_note": "Say what the outcome was."})
    locked.status = Escalation.Status.CLOSED
    locked.outcome = outcome
    locked.outcome_note = outcome_note.strip()
    if outside_reference.strip():
        locked.outside_reference = _clean_reference(outside_reference)
    locked.closed_by = by
    locked.closed_at = timezone.now()
    locked.version += 1
    locked.full_clean()
    locked.save()
    return locked


# Statutory meetings outside the PRU --------------------------------------------------------------------------


def _check_meeting(
    *, kind: str, held_on: datetime.date, next_on: datetime.date | None, decisions: str, attended_by: list[User]
) -> None:
    today = timezone.localdate()
    if kind not in StatutoryMeeting.Kind.values:
        raise ValidationError({"kind": "Choose the kind of meeting."})
    if held_on > today:
        raise ValidationError({"held_on": "Record a meeting once it has been held: the date is in the future."})
    if held_on < today - EARLIEST_HELD:
        raise ValidationError({"held_on": "That date is more than three years ago: check the year."})
    if next_on is not None:
        if next_on <= held_on:
            raise ValidationError({"next_on": "The next meeting must come after this one."})
        if next_on > held_on + LONGEST_UNTIL_NEXT:
            raise ValidationError({"next_on": "The next meeting is more than a year away: check the year."})
    if not decisions.strip():
        raise ValidationError({"decisions": "Say what the meeting decided."})
    people = {user.pk for user in attended_by}
    if len(people) != pru_people().filter(pk__in=people).count():
        raise ValidationError({"attended_by": "Name only people of the PRU who attended."})


@transaction.atomic
def statutory_meeting_record(
    *,
    pupil: Pupil,
    by: User,
    kind: str,
    held_on: datetime.date,
    decisions: str,
    attended_by: list[User] = (),
    others_attending: str = "",
    next_on: datetime.date | None = None,
) -> StatutoryMeeting:
    """Record a child protection conference, CIN meeting, LAC review or strategy meeting the PRU attended."""
    require_write(by, pupil, Action.RECORD_STATUTORY_MEETING)
    attended_by = list(attended_by)
    _check_meeting(kind=kind, held_on=held_on, next_on=next_on, decisions=decisions, attended_by=attended_by)
    meeting = StatutoryMeeting(
        pupil=pupil,
        kind=kind,
        held_on=held_on,
        others_attending=others_attending.strip(),
        decisions=decisions.strip(),
        next_on=next_on,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    meeting.full_clean()
    meeting.save()
    meeting.attended_by.set(attended_by)
    return meeting


@transaction.atomic
def statutory_meeting_update(
    *,
    meeting: StatutoryMeeting,
    by: User,
    version: int,
    kind: str,
    held_on: datetime.date,
    decisions: str,
    attended_by: list[User] = (),
    others_attending: str = "",
    next_on: datetime.date | None = None,
) -> StatutoryMeeting:
    """Correct the record of a statutory meeting (the history keeps what it said before)."""
    require_write(by, meeting.pupil_id, Action.RECORD_STATUTORY_MEETING)
    locked = StatutoryMeeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    if locked.version != version:
        raise EditConflict(STATUTORY_MEETING_CONFLICT)
    attended_by = list(attended_by)
    _check_meeting(kind=kind, held_on=held_on, next_on=next_on, decisions=decisions, attended_by=attended_by)
    locked.kind = kind
    locked.held_on = held_on
    locked.decisions = decisions.strip()
    locked.others_attending = others_attending.strip()
    locked.next_on = next_on
    locked.version += 1
    locked.full_clean()
    locked.save()
    locked.attended_by.set(attended_by)
    return locked
