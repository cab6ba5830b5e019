"""Meetings, their agenda and minutes, action plans, and the PDF jobs. Every service is atomic; anything that
changes a meeting's record locks the meeting row first and refuses once the minutes are closed."""

from __future__ import annotations

import datetime
import logging
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import Agency, Notification, User
from accounts.notifications import notify
from concerns.models import Escalation
from concerns.selectors import annotate_recent_concern_count
from families.models import FreshStartInterview
from families.selectors import fresh_start_missing
from families.services import fresh_start_mark_discussed
from meetings.documents import OutOfScope, document_context
from meetings.models import (
    Action,
    ActionPlan,
    AgendaItem,
    Decision,
    Discussion,
    Invitee,
    Meeting,
    PdfJob,
    ProgressNote,
    SharingBasis,
    SharingBasisAgency,
    SharingBasisPerson,
)
from meetings.selectors import may_download
from meetings.tasks import pdf_job_render as pdf_job_render_task
from pru_cases.access import Action as Perm
from pru_cases.access import FieldGroup, can, require, require_write, row_in_group
from pru_cases.celery import send_now
from pru_cases.lib.conflicts import EditConflict
from pru_cases.pdf import render_pdf
from pupils.models import Pupil
from pupils.services import allocation_add
from referrals.models import InformationRequest, Intervention, Referral
from referrals.services import referral_triage

log = logging.getLogger(__name__)

NEW_PUPIL_DAYS = 14
# A job pending this long without a worker picking it up (broker down, message lost) is enqueued again;
# a job "running" this long belonged to a worker that died.
PENDING_GRACE = datetime.timedelta(minutes=2)
RUNNING_STUCK_AFTER = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 5


class MeetingClosed(ValidationError):
    """The minutes are final: nothing more can be recorded on this meeting."""


CLOSED_MESSAGE = "This meeting is closed and its minutes are final: nothing more can be recorded on it."


def _lock_open(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status != Meeting.Status.PLANNED:
        raise MeetingClosed(CLOSED_MESSAGE)
    return locked


# The MDT's sharing basis ---------------------------------------------------------------------------------


@transaction.atomic
def sharing_basis_save(
    *,
    by: User,
    site,
    agreement: str,
    agreed_on: datetime.date,
    lawful_basis: str,
    review_on: datetime.date | None = None,
    agencies=(),
    people=(),
    version: int | None = None,
) -> SharingBasis:
    """Record (or change) a centre's MDT sharing basis: the DSL alone, as it decides who sees which cases."""
    require(by, Perm.SET_SHARING_BASIS)
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": "The agreement cannot be dated in the future."})
    if not lawful_basis.strip() or not agreement.strip():
        raise ValidationError("Name the partnership agreement and the lawful basis it gives.")
    outsiders = [person for person in people if not person.is_active or person.role == User.Role.ADMIN]
    if outsiders:
        raise ValidationError({"people": f"{outsiders[0]} cannot be a core member (no active case account)."})
    existing = SharingBasis.objects.select_for_update().filter(site=site).first()
    if existing is not None and version is not None and existing.version != version:
        raise EditConflict(
            "Someone else changed this sharing basis while you were editing it. Check it and save again."
        )
    basis = existing or SharingBasis(site=site)
    basis.agreement = agreement.strip()
    basis.agreed_on = agreed_on
    basis.review_on = review_on
    basis.lawful_basis = lawful_basis.strip()
    basis.updated_by = by
    basis.updated_at = timezone.now()
    basis.version = (existing.version + 1) if existing else 1
    basis.full_clean(validate_constraints=False)
    basis.save()
    wanted_agencies = {agency.pk for agency in agencies}
    SharingBasisAgency.objects.filter(basis=basis).exclude(agency_id__in=wanted_agencies).delete()
    known = set(SharingBasisAgency.objects.filter(basis=basis).values_list("agency_id", flat=True))
    SharingBasisAgency.objects.bulk_create(
        SharingBasisAgency(basis=basis, agency_id=pk) for pk in sorted(wanted_agencies - known)
    )
    wanted_people = {person.pk for person in people}
    SharingBasisPerson.objects.filter(basis=basis).exclude(user_id__in=wanted_people).delete()
    known = set(SharingBasisPerson.objects.filter(basis=basis).values_list("user_id", flat=True))
    SharingBasisPerson.objects.bulk_create(
        SharingBasisPerson(basis=basis, user_id=pk) for pk in sorted(wanted_people - known)
    )
    return basis


# Meetings and attendance -------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    by: User,
    kind: str,
    title: str,
    held_on: datetime.date,
    chair: User,
    starts_at: datetime.time | None = None,
    location: str = "",
    site=None,
    pupil: Pupil | None = None,
    recurrence: str = Meeting.Recurrence.NONE,
    minute_taker: User | None = None,
    invite: list[User] | tuple[User, ...] = (),
) -> Meeting:
    if kind == Meeting.Kind.TAC and pupil is None:
        raise ValidationError(
            {"kind": "A Team Around the Child meeting is about one pupil: arrange it from the pupil's page."}
        )
    if kind != Meeting.Kind.TAC:
        pupil = None

    if not can(chair, Perm.RUN_MEETING):
        raise ValidationError({"chair": "The chair must be the DSL or a senior leader."})
    _check_meeting_date(held_on, pupil=pupil, site=site)
    meeting = Meeting(
        kind=kind,
        title=title.strip(),
        held_on=held_on,
        starts_at=starts_at or datetime.time(9, 30),
        location=location.strip(),
        site=site,
        pupil=pupil,
        recurrence=recurrence,
        chair=chair,
        minute_taker=minute_taker,
        created_by=by,
    )
    meeting.full_clean()
    meeting.save()
    people = [chair, *([minute_taker] if minute_taker else []), *invite]
    seen: set[int] = set()
    for person in people:
        if person.pk not in seen:
            seen.add(person.pk)
            Invitee.objects.create(meeting=meeting, user=person, agency_id=person.agency_id)
    if pupil is not None:
        AgendaItem.objects.create(
            meeting=meeting, pupil=pupil, position=1, added_by=by, reasons=[_reason(AgendaItem.Reason.TAC, None, "")]
        )
    return meeting


# How far ahead a meeting may be arranged.
MEETING_DATE_AHEAD = datetime.timedelta(days=366)


def _check_meeting_date(held_on: datetime.date, *, pupil: Pupil | None, site) -> None:
    """A meeting's date falls within the records it is about: not before the pupil joined (a TAC) or the centre's first
    pupil joined (else a year back), and not more than a year ahead."""
    today = timezone.localdate()
    if held_on > today + MEETING_DATE_AHEAD:
        raise ValidationError(
            {"held_on": f"That is more than a year ahead: choose a date before {today + MEETING_DATE_AHEAD:%d %B %Y}."}
        )
    if pupil is not None:
        earliest, what = pupil.entry_date, f"{pupil.full_name} joined the PRU"
    else:
        pupils = Pupil.objects.filter(site=site) if site is not None else Pupil.objects.all()
        earliest = pupils.aggregate(first=Min("entry_date"))["first"] or today - datetime.timedelta(days=365)
        what = "the centre's records begin" if site is not None else "the PRU's records begin"
    if earliest and held_on < earliest:
        raise ValidationError({"held_on": f"That is before {what} ({earliest:%d %B %Y}): check the year."})


@transaction.atomic
def meeting_schedule_next(*, meeting: Meeting, by: User) -> Meeting:
    """The next meeting of a repeating series: same people (attendance reset), items carried over."""
    days = Meeting.RECURRENCE_DAYS.get(meeting.recurrence)
    if days is None:
        raise ValidationError("This meeting does not repeat.")
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if Meeting.objects.filter(previous=locked).exists():
        raise ValidationError("The next meeting in this series has already been scheduled.")
    following = Meeting.objects.create(
        kind=locked.kind,
        title=locked.title,
        held_on=locked.held_on + datetime.timedelta(days=days),
        starts_at=locked.starts_at,
        location=locked.location,
        site_id=locked.site_id,
        pupil_id=locked.pupil_id,
        recurrence=locked.recurrence,
        previous=locked,
        chair_id=locked.chair_id,
        minute_taker_id=locked.minute_taker_id,
        created_by=by,
    )
    Invitee.objects.bulk_create(
        Invitee(meeting=following, user_id=i.user_id, name=i.name, agency_id=i.agency_id, is_family=i.is_family)
        for i in locked.invitees.all()
    )
    for item in _waiting_to_carry(locked.items.all()):
        _carry_into(item, following, by)
    return following


def _waiting_to_carry(items):
    """Items carried over from their meeting and not yet on a later agenda."""
    return items.filter(status=AgendaItem.Status.CARRIED_OVER, carried_to__isnull=True).select_related("meeting")


def _carry_into(item: AgendaItem, target: Meeting, by: User) -> None:
    reason = _reason(AgendaItem.Reason.CARRIED_OVER, item.pk, f"Carried over from {item.meeting.held_on:%d %b}")
    existing = AgendaItem.objects.filter(meeting=target, pupil_id=item.pupil_id).first() if item.pupil_id else None
    if existing is not None:
        if AgendaItem.Reason.CARRIED_OVER not in existing.reason_kinds:
            existing.reasons = [*existing.reasons, reason]
        if existing.carried_from_id is None:
            existing.carried_from = item
        existing.save(update_fields=["reasons", "carried_from"])
        return
    AgendaItem.objects.create(
        meeting=target,
        pupil_id=item.pupil_id,
        title=item.title,
        reasons=[reason, *[r for r in item.reasons if r.get("kind") != AgendaItem.Reason.CARRIED_OVER]],
        position=_next_position(target),
        carried_from=item,
        added_by=by,
    )


@transaction.atomic
def invitee_add(
    *,
    meeting: Meeting,
    by: User,
    user: User | None = None,
    name: str = "",
    agency: Agency | None = None,
    is_family: bool = False,
    allocate: bool = False,
) -> Invitee:
    """Invite someone. At a TAC, `allocate` also opens the child's record to them (the DSL and senior leaders);
    otherwise they are the team around the child for this meeting only (meetings.selectors)."""
    _lock_open(meeting)
    if allocate:
        if user is None or meeting.kind != Meeting.Kind.TAC:
            raise ValidationError({"allocate": "Only a person with an account invited to a TAC can be allocated."})
        if not can(by, Perm.ALLOCATE):
            raise ValidationError({"allocate": "Only the DSL or a senior leader allocates people to a pupil."})
    if user is None and not name.strip():
        raise ValidationError({"name": "Choose a person, or type the name of a guest."})
    if user is not None and Invitee.objects.filter(meeting=meeting, user=user).exists():
        raise ValidationError({"user": f"{user} is already invited."})
    invitee = Invitee(
        meeting=meeting,
        user=user,
        name="" if user else name.strip(),
        agency=agency or (user.agency if user else None),
        is_family=is_family and user is None,
    )
    invitee.full_clean()
    invitee.save()
    if allocate and not meeting.pupil.allocations.filter(user=user, ended_on__isnull=True).exists():
        allocation_add(pupil=meeting.pupil, user=user, by=by, reason=f"Team around the child: {meeting}")
    return invitee


@transaction.atomic
def invitees_add(
    *,
    meeting: Meeting,
    by: User,
    people: list[User] | tuple[User, ...] = (),
    name: str = "",
    agency: Agency | None = None,
    is_family: bool = False,
    allocate: bool = False,
) -> list[Invitee]:
    """Invite several people with accounts, and a guest by name, in one go (all or none)."""
    if not people and not name.strip():
        raise ValidationError("Tick the people to invite, or type the name of a guest.")
    invited = [invitee_add(meeting=meeting, by=by, user=person, allocate=allocate) for person in people]
    if name.strip():
        invited.append(invitee_add(meeting=meeting, by=by, name=name, agency=agency, is_family=is_family))
    return invited


@transaction.atomic
def attendance_set(*, invitee: Invitee, by: User, attendance: str) -> Invitee:
    _lock_open(invitee.meeting)
    if attendance not in Invitee.Attendance.values:
        raise ValidationError({"attendance": "Choose present, apologies, absent or left early."})
    Invitee.objects.filter(pk=invitee.pk).update(attendance=attendance)
    invitee.refresh_from_db()
    return invitee


@transaction.atomic
def attendance_record(*, meeting: Meeting, by: User, attendance: dict[int, str]) -> int:
    """Everyone's attendance at once: invitee id -> Invitee.Attendance value. Returns how many changed."""
    _lock_open(meeting)
    wrong = [value for value in attendance.values() if value not in Invitee.Attendance.values]
    if wrong:
        raise ValidationError("Choose present, apologies, absent or left early for each person.")
    invitees = {invitee.pk: invitee for invitee in meeting.invitees.filter(pk__in=attendance)}
    if set(attendance) - set(invitees):
        raise ValidationError("Someone in the list is not invited to this meeting: reload the page and try again.")
    changed = 0
    for pk, value in attendance.items():
        if invitees[pk].attendance != value:
            Invitee.objects.filter(pk=pk).update(attendance=value)
            changed += 1
    return changed


def _mark_present(meeting: Meeting, user: User) -> None:
    """Whoever chairs or records at the meeting was there: invited or not, they are marked present (unless already
    recorded as having left)."""
    invitee = Invitee.objects.filter(meeting=meeting, user=user).first()
    if invitee is None:
        Invitee.objects.create(
            meeting=meeting, user=user, agency_id=user.agency_id, attendance=Invitee.Attendance.PRESENT
        )
    elif invitee.attendance in (Invitee.Attendance.INVITED, Invitee.Attendance.ABSENT):
        Invitee.objects.filter(pk=invitee.pk).update(attendance=Invitee.Attendance.PRESENT)


# The agenda ---------------------------------------------------------------------------------------------


def _reason(kind: str, ref: int | None, text: str) -> dict[str, Any]:
    return {"kind": str(kind), "ref": ref, "text": text}


def _next_position(meeting: Meeting) -> int:
    return (meeting.items.aggregate(top=Max("position"))["top"] or 0) + 1


def agenda_sources(*, meeting: Meeting, new_pupil_days: int = NEW_PUPIL_DAYS) -> dict[int, list[dict[str, Any]]]:
    """pupil id -> reasons the pupil should be on this meeting's agenda (one query per source)."""

    day = meeting.held_on
    pupils = Pupil.objects.filter(status=Pupil.Status.ACTIVE)
    if meeting.site_id:
        pupils = pupils.filter(site_id=meeting.site_id)
    found: dict[int, list[dict[str, Any]]] = {}

    def add(pupil_id: int, kind: str, ref: int | None, text: str) -> None:
        found.setdefault(pupil_id, []).append(_reason(kind, ref, text))

    since = day - datetime.timedelta(days=new_pupil_days)
    for pk, entry in pupils.filter(entry_date__gte=since, entry_date__lte=day).values_list("pk", "entry_date"):
        add(pk, AgendaItem.Reason.NEW_PUPIL, None, f"Joined on {entry:%d %b %Y}")

    for pk, count in (
        annotate_recent_concern_count(pupils)
        .filter(recent_concern_count__gte=settings.CONCERN_PATTERN_COUNT)
        .values_list("pk", "recent_concern_count")
    ):
        add(pk, AgendaItem.Reason.CONCERN_PATTERN, None, f"{count} concerns in {settings.CONCERN_PATTERN_DAYS} days")

    for pk, pupil_id, due in Action.objects.filter(
        status=Action.Status.OPEN, due_on__lt=day, plan__pupil__in=pupils
    ).values_list("pk", "plan__pupil_id", "due_on"):
        add(pupil_id, AgendaItem.Reason.OVERDUE_ACTION, pk, f"Action due {due:%d %b}")

    for pk, pupil_id, review in ActionPlan.objects.filter(
        status=ActionPlan.Status.OPEN, review_on__lte=day, pupil__in=pupils
    ).values_list("pk", "pupil_id", "review_on"):
        add(pupil_id, AgendaItem.Reason.REVIEW_DUE, None, f"Action plan review due {review:%d %b}")

    for pk, pupil_id, urgency in Referral.objects.filter(
        status=Referral.Status.SUBMITTED, pupil__in=pupils
    ).values_list("pk", "pupil_id", "urgency"):
        add(
            pupil_id,
            AgendaItem.Reason.REFERRAL,
            pk,
            "Urgent referral to triage" if urgency == "urgent" else "Referral to triage",
        )
    # An escalation outside the PRU keeps the pupil on every agenda until its outcome is recorded. The words name
    # no route or reference: the agenda is shared with the meeting's core members.
    for pk, pupil_id, due in Escalation.objects.filter(status=Escalation.Status.OPEN, pupil__in=pupils).values_list(
        "pk", "pupil_id", "due_on"
    ):
        add(pupil_id, AgendaItem.Reason.ESCALATION, pk, f"Escalation awaiting its outcome (due {due:%d %b})")
    for pk, pupil_id, review in Intervention.objects.filter(
        status=Intervention.Status.OPEN, review_date__lte=day, pupil__in=pupils
    ).values_list("pk", "pupil_id", "review_date"):
        add(pupil_id, AgendaItem.Reason.REVIEW_DUE, pk, f"Intervention review due {review:%d %b}")
    for pk, pupil_id, due in InformationRequest.objects.filter(
        status=InformationRequest.Status.OPEN, due_by__lt=day, pupil__in=pupils
    ).values_list("pk", "pupil_id", "due_by"):
        add(pupil_id, AgendaItem.Reason.INFORMATION_OVERDUE, pk, f"Answer was due {due:%d %b}")

    for pk, pupil_id, held in FreshStartInterview.objects.filter(
        discussed_at_mdt_on__isnull=True, held_on__lte=day, pupil__in=pupils
    ).values_list("pk", "pupil_id", "held_on"):
        add(pupil_id, AgendaItem.Reason.FRESH_START, pk, f"Interview held {held:%d %b}")

    for pk, entry in fresh_start_missing(pupils, on=day).values_list("pk", "entry_date"):
        days = (day - entry).days
        add(pk, AgendaItem.Reason.FRESH_START_MISSING, None, f"No Fresh Start interview {days} days after entry")
    return found


# Sources come first in this order on a fresh agenda: triage and safeguarding-flavoured items lead.
SOURCE_ORDER = [
    AgendaItem.Reason.REFERRAL,
    AgendaItem.Reason.ESCALATION,
    AgendaItem.Reason.CONCERN_PATTERN,
    AgendaItem.Reason.NEW_PUPIL,
    AgendaItem.Reason.FRESH_START,
    AgendaItem.Reason.FRESH_START_MISSING,
    AgendaItem.Reason.OVERDUE_ACTION,
    AgendaItem.Reason.INFORMATION_OVERDUE,
    AgendaItem.Reason.REVIEW_DUE,
]


@transaction.atomic
def agenda_build(*, meeting: Meeting, by: User, new_pupil_days: int = NEW_PUPIL_DAYS) -> int:
    """Add a case for every pupil the sources name; merge new reasons into cases already on the agenda.

    Safe to run again: it never duplicates a case or a reason, and never moves what the chair ordered. A TAC is about
    its own child: it is never built from the whole PRU."""
    locked = _lock_open(meeting)
    if locked.kind == Meeting.Kind.TAC:
        raise ValidationError(
            "A Team Around the Child meeting is about its own child: its agenda is not built from the whole PRU. "
            "Add a general item or another pupil by hand if the team needs one."
        )
    sources = agenda_sources(meeting=locked, new_pupil_days=new_pupil_days)
    existing = {item.pupil_id: item for item in locked.items.filter(pupil__isnull=False)}
    position = _next_position(locked)
    rank = {kind: index for index, kind in enumerate(SOURCE_ORDER)}
    new_items = []
    for pupil_id, reasons in sorted(
        sources.items(), key=lambda pair: (min(rank.get(r["kind"], 99) for r in pair[1]), pair[0])
    ):
        item = existing.get(pupil_id)
        if item is None:
            new_items.append(
                AgendaItem(meeting=locked, pupil_id=pupil_id, reasons=reasons, position=position, added_by=by)
            )
            position += 1
            continue
        known = {(r.get("kind"), r.get("ref")) for r in item.reasons}
        extra = [r for r in reasons if (r["kind"], r["ref"]) not in known]
        if extra:
            item.reasons = [*item.reasons, *extra]
            item.save(update_fields=["reasons"])
    AgendaItem.objects.bulk_create(new_items)
    # Cases carried over from earlier meetings of this kind at this centre that no later agenda has taken yet.
    earlier = AgendaItem.objects.filter(
        meeting__kind=locked.kind,
        meeting__site_id=locked.site_id,
        meeting__status=Meeting.Status.CLOSED,
        meeting__held_on__lte=locked.held_on,
    ).exclude(meeting=locked)
    carried = list(_waiting_to_carry(earlier))
    for item in carried:
        _carry_into(item, locked, by)
    return len(new_items) + len(carried)


@transaction.atomic
def agenda_add_pupil(*, meeting: Meeting, by: User, pupil: Pupil, note: str = "") -> AgendaItem:
    require_write(by, pupil)
    locked = _lock_open(meeting)
    if AgendaItem.objects.filter(meeting=locked, pupil=pupil).exists():
        raise ValidationError({"pupil": f"{pupil.full_name} is already on this agenda."})
    return AgendaItem.objects.create(
        meeting=locked,
        pupil=pupil,
        reasons=[_reason(AgendaItem.Reason.ADDED, None, note.strip()[:200] or "Added by the chair")],
        position=_next_position(locked),
        added_by=by,
    )


@transaction.atomic
def agenda_move(*, item: AgendaItem, by: User, direction: str) -> AgendaItem:
    """Swap the item with its neighbour above ("up") or below ("down")."""
    locked = _lock_open(item.meeting)
    items = list(locked.items.order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other_index < len(items):
        raise ValidationError("This item cannot move further that way.")
    items[index], items[other_index] = items[other_index], items[index]
    for position, row in enumerate(items, start=1):
        if row.position != position:
            AgendaItem.objects.filter(pk=row.pk).update(position=position)
    item.refresh_from_db()
    return item


@transaction.atomic
def agenda_carry_over(*, item: AgendaItem, by: User) -> AgendaItem:
    """Not reached (or not finished) this week: it goes onto the next meeting in the series."""
    locked = _lock_open(item.meeting)
    AgendaItem.objects.filter(pk=item.pk).update(status=AgendaItem.Status.CARRIED_OVER)
    item.refresh_from_db()
    following = next_in_series(locked)
    if following is not None:
        _carry_into(item, following, by)
    return item


def _require_item_write(by: User, item: AgendaItem) -> None:
    """What is minuted about a case is a write to that pupil's records: not through a break-glass grant."""
    if item.pupil_id is not None:
        require_write(by, item.pupil_id)


# Minutes: discussion, decisions, actions -----------------------------------------------------------------


@transaction.atomic
def discussion_record(*, item: AgendaItem, by: User, text: str) -> Discussion:
    _require_item_write(by, item)
    meeting = _lock_open(item.meeting)
    _mark_present(meeting, by)
    if not text.strip():
        raise ValidationError({"text": "Write what was discussed."})
    discussion = Discussion.objects.create(item=item, text=text.strip(), recorded_by=by)
    AgendaItem.objects.filter(pk=item.pk, status=AgendaItem.Status.PENDING).update(status=AgendaItem.Status.DISCUSSED)
    return discussion


@transaction.atomic
def decision_record(
    *,
    item: AgendaItem,
    by: User,
    text: str,
    referral=None,
    outcome: str = "",
    specialist: User | None = None,
    duplication_reason: str = "",
    offer: str = "",
    reason: str = "",
    escalation: str = "",
) -> Decision:
    """A decision for the minutes. With a referral, it is also that referral's triage (by the referrals app)."""
    _require_item_write(by, item)
    _mark_present(_lock_open(item.meeting), by)
    if not text.strip() and referral is None:
        raise ValidationError({"text": "Write what was decided."})
    if referral is not None:
        if referral.pupil_id != item.pupil_id:
            raise ValidationError({"referral": "That referral is about a different pupil."})
        if not can(by, Perm.TRIAGE_REFERRAL):
            raise ValidationError({"referral": "Only the DSL or a senior leader can record a triage outcome."})
        referral = referral_triage(
            referral=referral,
            by=by,
            outcome=outcome,
            specialist=specialist,
            duplication_reason=duplication_reason,
            offer=offer,
            reason=reason,
            escalation=escalation,
            note=text,
        )
        # The minutes are read by everyone at the meeting: a referral to a health service is not named there.

        service = referral.get_specialism_display()
        if row_in_group(referral, FieldGroup.HEALTH):
            service = "a specialist health service"
        summary = f"Referral #{referral.pk} ({service}): {referral.get_status_display().lower()}."
        text = f"{summary} {text.strip()}".strip()
    decision = Decision.objects.create(
        item=item, text=text.strip(), referral=referral, triage_outcome=outcome if referral else "", recorded_by=by
    )
    AgendaItem.objects.filter(pk=item.pk, status=AgendaItem.Status.PENDING).update(status=AgendaItem.Status.DISCUSSED)
    return decision


def _open_plan(*, pupil: Pupil, by: User, meeting: Meeting | None) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().filter(pupil=pupil, status=ActionPlan.Status.OPEN).first()
    if plan is None:
        plan = ActionPlan.objects.create(pupil=pupil, started_at_meeting=meeting, created_by=by)
    return plan


@transaction.atomic
def action_add(
    *,
    item: AgendaItem,
    by: User,
    description: str,
    owner_kind: str,
    due_on: datetime.date,
    success_criteria: str,
    owner_user: User | None = None,
    owner_agency: Agency | None = None,
    owner_name: str = "",
    family_wording: str = "",
) -> Action:
    """A new action agreed at the meeting, on the pupil's open action plan (started if there is none).

    `family_wording` is how the family's letter puts it; empty, the letter uses `description`."""
    _require_item_write(by, item)
    meeting = _lock_open(item.meeting)
    _mark_present(meeting, by)
    if item.pupil_id is None:
        raise ValidationError("Actions belong to a pupil's plan: add them on a case, not a general item.")
    if due_on < meeting.held_on:
        raise ValidationError({"due_on": "The date cannot be before the meeting."})
    owners = {
        Action.Owner.STAFF: (owner_user, "owner_user", "Choose the member of staff who will do this."),
        Action.Owner.AGENCY: (owner_agency, "owner_agency", "Choose the agency that will do this."),
        Action.Owner.FAMILY: (owner_name.strip() or None, "owner_name", "Write the parent or carer's name."),
    }
    if owner_kind not in owners:
        raise ValidationError({"owner_kind": "Choose who will do this."})
    value, field, message = owners[owner_kind]
    if value is None:
        raise ValidationError({field: message})
    plan = _open_plan(pupil=item.pupil, by=by, meeting=meeting)
    action = Action(
        plan=plan,
        agreed_at=item,
        description=description.strip(),
        family_wording=family_wording.strip(),
        owner_kind=owner_kind,
        owner_user=owner_user if owner_kind == Action.Owner.STAFF else None,
        owner_agency=owner_agency if owner_kind == Action.Owner.AGENCY else None,
        owner_name=owner_name.strip() if owner_kind == Action.Owner.FAMILY else "",
        due_on=due_on,
        success_criteria=success_criteria.strip(),
        created_by=by,
    )
    action.full_clean()
    action.save()
    AgendaItem.objects.filter(pk=item.pk, status=AgendaItem.Status.PENDING).update(status=AgendaItem.Status.DISCUSSED)
    action_assigned_alert(action, by=by)
    return action


def action_assigned_alert(action: Action, *, by: User) -> int:
    """A member of staff given an action by someone else hears that it is theirs, and by when."""
    if not action.owner_user_id:
        return 0
    agreed_at = action.agreed_at.meeting.title if action.agreed_at_id else "a meeting"
    return notify(
        kind=Notification.Kind.ACTION_ASSIGNED,
        recipients=[action.owner_user_id],
        object_id=action.pk,
        occasion=f"to-{action.owner_user_id}",
        path=reverse("meetings:action", args=[action.pk]),
        pupil_id=action.plan.pupil_id,
        detail=f"By {action.due_on:%-d %b %Y}, agreed at {agreed_at}.",
        exclude=by,
    )


@transaction.atomic
def action_progress_add(*, action: Action, by: User, text: str) -> ProgressNote:
    require_write(by, action.plan.pupil_id)
    if action.status != Action.Status.OPEN:
        raise ValidationError("This action is finished: progress can no longer be added.")
    if not text.strip():
        raise ValidationError({"text": "Write what has happened."})
    return ProgressNote.objects.create(action=action, text=text.strip(), recorded_by=by)


@transaction.atomic
def action_set_status(*, action: Action, by: User, status: str, version: int, reason: str = "") -> Action:
    require_write(by, action.plan.pupil_id)
    if status not in (Action.Status.DONE, Action.Status.DROPPED):
        raise ValidationError({"status": "Mark the action done, or dropped with a reason."})
    if status == Action.Status.DROPPED and not reason.strip():
        raise ValidationError({"reason": "Say why the action is dropped."})
    changes: dict[str, Any] = {"status": status, "version": F("version") + 1}
    if status == Action.Status.DONE:
        changes["done_on"] = timezone.localdate()
    else:
        changes["dropped_reason"] = reason.strip()[:300]
    updated = Action.objects.filter(pk=action.pk, version=version, status=Action.Status.OPEN).update(**changes)
    if not updated:
        raise EditConflict(
            "Someone else changed this action while you were looking at it. Check its new state, then try again."
        )
    ProgressNote.objects.create(
        action=action,
        text="Marked done." if status == Action.Status.DONE else f"Dropped: {reason.strip()}",
        recorded_by=by,
    )
    action.refresh_from_db()
    return action


# Closing -----------------------------------------------------------------------------------------------


def next_in_series(meeting: Meeting) -> Meeting | None:
    """Where carried-over items go: the next meeting of the series, else the next planned meeting of the same kind
    at the same centre (for a TAC, about the same child)."""
    following = Meeting.objects.filter(previous=meeting, status=Meeting.Status.PLANNED).first()
    if following is not None:
        return following
    same = Meeting.objects.filter(
        kind=meeting.kind, site_id=meeting.site_id, pupil_id=meeting.pupil_id, status=Meeting.Status.PLANNED
    ).exclude(pk=meeting.pk)
    return same.filter(held_on__gte=meeting.held_on).order_by("held_on", "starts_at", "pk").first()


@transaction.atomic
def meeting_close(
    *,
    meeting: Meeting,
    by: User,
    summary: str = "",
    version: int | None = None,
    carry_over: bool = True,
    next_review_on: datetime.date | None = None,
) -> Meeting:
    """Freeze the minutes, feed back Fresh Start interviews that were discussed, and queue the PDFs.

    Cases not reached are carried over (unless `carry_over` is False: they stay "to discuss" in these minutes) to
    the next meeting if one is planned, else when the next one in the series is scheduled. The chair and whoever
    closes the meeting are marked present. `next_review_on`, when the team will meet again, goes in the family's
    letter."""
    locked = _lock_open(meeting)
    if version is not None and locked.version != version:
        raise EditConflict(
            "Someone else changed this meeting while you were looking at it. Check it, then close it again."
        )
    if next_review_on is not None and not (locked.held_on < next_review_on <= locked.held_on + MEETING_DATE_AHEAD):
        raise ValidationError(
            {"next_review_on": "The next meeting must be after this one, and within a year of it: check the date."}
        )
    if carry_over:
        pending = list(locked.items.filter(status=AgendaItem.Status.PENDING).select_related("meeting"))
        AgendaItem.objects.filter(pk__in=[item.pk for item in pending]).update(status=AgendaItem.Status.CARRIED_OVER)
        following = next_in_series(locked)
        if following is not None:
            for item in pending:
                _carry_into(item, following, by)
    _mark_present(locked, by)
    if locked.chair_id != by.pk:
        chair = Invitee.objects.filter(meeting=locked, user_id=locked.chair_id).first()
        if chair is None or chair.attendance == Invitee.Attendance.INVITED:
            _mark_present(locked, locked.chair)
    now = timezone.now()
    locked.status = Meeting.Status.CLOSED
    locked.summary = summary.strip()
    locked.closed_at = now
    locked.closed_by = by
    locked.next_review_on = next_review_on
    locked.version += 1
    locked.save(update_fields=["status", "summary", "closed_at", "closed_by", "next_review_on", "version"])
    _fresh_starts_discussed(locked, by)
    kinds = PDF_KINDS_FOR[locked.kind]
    jobs = [_pdf_job_create(meeting=locked, by=by, kind=kind) for kind in kinds]
    _enqueue_after_commit([job.pk for job in jobs])
    meeting.refresh_from_db()
    return meeting


def _fresh_starts_discussed(meeting: Meeting, by: User) -> None:

    ids = [
        reason["ref"]
        for item in meeting.items.filter(status=AgendaItem.Status.DISCUSSED)
        for reason in item.reasons
        if reason.get("kind") == AgendaItem.Reason.FRESH_START and reason.get("ref")
    ]
    for interview in FreshStartInterview.objects.filter(pk__in=ids, discussed_at_mdt_on__isnull=True):
        fresh_start_mark_discussed(
            interview=interview, by=by, discussed_on=min(meeting.held_on, timezone.localdate()), note=f"{meeting.title}"
        )


# PDF jobs ------------------------------------------------------------------------------------------------

PDF_KINDS_FOR = {
    Meeting.Kind.MDT: (PdfJob.Kind.MINUTES,),
    Meeting.Kind.AD_HOC: (PdfJob.Kind.MINUTES,),
    Meeting.Kind.TAC: (PdfJob.Kind.MINUTES, PdfJob.Kind.ACTION_PLAN, PdfJob.Kind.FAMILY_LETTER),
}


@transaction.atomic
def pdf_request(*, meeting: Meeting, by: User, kind: str) -> PdfJob:
    """A copy of a document for `by`, who alone may download it. The job row, in the caller's transaction; the task
    is enqueued only after commit, and a broker that is down at that moment costs a delay (the sweeper enqueues it
    later), never the request."""

    if not may_download(by, meeting):  # the copy is made for `by`: only someone who may have the documents
        raise PermissionDenied
    if meeting.status != Meeting.Status.CLOSED:
        raise ValidationError("PDFs are made from the final minutes: close the meeting first.")
    if kind not in PDF_KINDS_FOR[meeting.kind]:
        raise ValidationError("That document is not made for this kind of meeting.")
    job = _pdf_job_create(meeting=meeting, by=by, kind=kind)
    _enqueue_after_commit([job.pk])
    return job


def _pdf_job_create(*, meeting: Meeting, by: User, kind: str) -> PdfJob:
    return PdfJob.objects.create(meeting=meeting, kind=kind, requested_by=by)


def _enqueue_after_commit(job_ids: list[int]) -> None:
    """One robust callback for all the jobs: if the broker is down, the first failure ends it (one delay, not
    one per job), the error is logged, and the request still succeeds; the sweeper sends the jobs later."""

    def send() -> None:
        for job_id in job_ids:
            pdf_job_enqueue(job_id=job_id)

    transaction.on_commit(send, robust=True)


def pdf_job_enqueue(*, job_id: int) -> None:

    send_now(pdf_job_render_task, job_id=job_id)
    PdfJob.objects.filter(pk=job_id, status=PdfJob.Status.PENDING).update(enqueued_at=timezone.now())


def pdf_job_render(*, job_id: int, redelivered: bool = False) -> bool:
    """Render one job. Claimed with a conditional UPDATE, so a duplicate delivery renders nothing. True if rendered.

    A `redelivered` task is one the broker handed back because the worker running it died before
    acknowledging it: it may take over the job that worker left RUNNING. Each claim counts an attempt,
    and only the latest claim may save, so a job is completed once even if two workers ever render it.
    """
    import pghistory

    claimable = Q(status=PdfJob.Status.PENDING)
    if redelivered:
        # A job whose renders keep killing their worker (out of memory, a crash in the renderer) must not take
        # down worker after worker: after MAX_ATTEMPTS it is given up, as the sweeper gives up a stuck one.
        PdfJob.objects.filter(pk=job_id, status=PdfJob.Status.RUNNING, attempts__gte=MAX_ATTEMPTS).update(
            status=PdfJob.Status.FAILED, error="Gave up: the worker rendering it stopped each time."
        )
        claimable |= Q(status=PdfJob.Status.RUNNING, attempts__lt=MAX_ATTEMPTS)
    claimed = PdfJob.objects.filter(claimable, pk=job_id).update(
        status=PdfJob.Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    job = PdfJob.objects.select_related("meeting").get(pk=job_id)
    mine = Q(pk=job_id, status=PdfJob.Status.RUNNING, attempts=job.attempts)
    try:
        with pghistory.context(task="pdf_job_render", job_id=job_id):
            rendered = render_job_pdf(job)
    except OutOfScope:  # no retry can help: the person who asked may not see the pupil
        PdfJob.objects.filter(mine).update(
            status=PdfJob.Status.FAILED, error="Not made: the pupil is outside your scope."
        )
        return False
    except Exception as error:  # the job row records the failure; the sweeper retries a few times
        log.exception("PDF job %s failed", job_id)
        status = PdfJob.Status.FAILED if job.attempts >= MAX_ATTEMPTS else PdfJob.Status.PENDING
        PdfJob.objects.filter(mine).update(status=status, error=type(error).__name__[:300])
        return False
    with transaction.atomic():
        job = PdfJob.objects.select_for_update().filter(mine).first()
        if job is None:  # finished, or taken over by a later claim, meanwhile
            return False
        job.file.save(f"meeting-{job.meeting_id}-{job.kind}-{job.pk}.pdf", ContentFile(rendered.content), save=False)
        job.pupils_named = rendered.pupils_named
        job.status = PdfJob.Status.DONE
        job.finished_at = timezone.now()
        job.error = ""
        job.save(update_fields=["file", "pupils_named", "status", "finished_at", "error"])
    return True


def pdf_jobs_sweep(*, now: datetime.datetime | None = None) -> int:
    """Re-enqueue jobs that no worker has taken (pending past the grace period) or whose worker died."""
    now = now or timezone.now()
    PdfJob.objects.filter(
        status=PdfJob.Status.RUNNING, started_at__lt=now - RUNNING_STUCK_AFTER, attempts__lt=MAX_ATTEMPTS
    ).update(status=PdfJob.Status.PENDING)
    PdfJob.objects.filter(
        status=PdfJob.Status.RUNNING, started_at__lt=now - RUNNING_STUCK_AFTER, attempts__gte=MAX_ATTEMPTS
    ).update(status=PdfJob.Status.FAILED, error="Gave up after repeated attempts.")
    stale = list(
        PdfJob.objects.filter(status=PdfJob.Status.PENDING, requested_at__lt=now - PENDING_GRACE)
        .filter(_not_recently_enqueued(now))
        .values_list("pk", flat=True)[:200]
    )
    sent = 0
    for job_id in stale:
        try:
            pdf_job_enqueue(job_id=job_id)
        except (OperationalError, OSError):  # broker still down: try again on the next sweep
            log.warning("Could not enqueue PDF job %s; will retry on the next sweep", job_id)
            break
        sent += 1
    return sent


def _not_recently_enqueued(now: datetime.datetime):
    from django.db.models import Q

    return Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - PENDING_GRACE)


class RenderedDocument(NamedTuple):
    content: bytes
    pupils_named: list[int]


def render_job_pdf(job: PdfJob) -> RenderedDocument:
    """The PDF built for the person who asked for it (meetings.documents), and the pupils it names."""

    template, context, named = document_context(job)
    return RenderedDocument(render_pdf(template, context), named)
