"""What goes into each printed document, built for the person who asked for it (`PdfJob.requested_by`).

A document holds only what that person may see through the access policy (`pupils_visible_to`) AND, for the
minutes, what everyone present could see on the shared screen (meetings.selectors.room_for, with the reader
counted as one of the room), and never health detail. A one-pupil document (action plan, family letter) for
someone who may not see that pupil is refused, not rendered. Each builder returns the ids of the pupils the
document names, kept on the job for the download's access log.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Site, User
from meetings.models import (
    Action,
    ActionPlan,
    AgendaItem,
    Invitee,
    Meeting,
    PdfJob,
    ProgressNote,
)
from meetings.selectors import room_for, shareable_pupil_ids
from pupils.selectors import pupils_visible_to


class OutOfScope(Exception):
    """The document is about a pupil the person who asked for it may not see: it is not made."""


TEMPLATES = {
    PdfJob.Kind.MINUTES: "meetings/pdf/minutes.html",
    PdfJob.Kind.ACTION_PLAN: "meetings/pdf/action_plan.html",
    PdfJob.Kind.FAMILY_LETTER: "meetings/pdf/family_letter.html",
}


def document_context(job: PdfJob) -> tuple[str, dict, list[int]]:
    """The template, its context and the ids of the pupils it names, for `job.requested_by`."""
    meeting = Meeting.objects.select_related("chair", "minute_taker", "pupil__site", "site").get(pk=job.meeting_id)
    reader = User.objects.select_related("agency").get(pk=job.requested_by_id)
    context = BUILDERS[job.kind](meeting, reader)
    named = sorted(context.pop("pupils_named"))
    return (
        TEMPLATES[job.kind],
        context | {"meeting": meeting, "reader": reader, "printed_on": timezone.localdate()},
        named,
    )


def _attendance(meeting: Meeting) -> dict[str, list[Invitee]]:
    groups: dict[str, list[Invitee]] = defaultdict(list)
    for invitee in meeting.invitees.select_related("user__agency", "agency"):
        groups[invitee.attendance].append(invitee)
    return groups


def minutes_context(meeting: Meeting, reader: User) -> dict:
    items = list(
        meeting.items.select_related("pupil").prefetch_related(
            Prefetch("discussions"),
            Prefetch("decisions"),
            Prefetch("actions", queryset=Action.objects.select_related("owner_user", "owner_agency")),
        )
    )
    # The reader is one of the room: a minute-taker who was not marked present gets only the cases that both
    # they and everyone present may see, never the whole agenda.
    room = room_for(meeting, reader, {item.pupil_id for item in items if item.pupil_id})
    attendance = _attendance(meeting)
    entries = [{"item": item, "shown": room.shows(item), "number": n} for n, item in enumerate(items, start=1)]
    # The minutes record what was discussed; cases not reached are one line (carried over, or not discussed).
    discussed = [e for e in entries if e["item"].status == AgendaItem.Status.DISCUSSED]
    carried = [e for e in entries if e["item"].status == AgendaItem.Status.CARRIED_OVER]
    pending = [e for e in entries if e["item"].status == AgendaItem.Status.PENDING]
    listed = discussed + carried + pending
    return {
        "items": discussed,
        "carried": carried,
        "not_discussed": pending,
        "pupils_named": {e["item"].pupil_id for e in listed if e["shown"] and e["item"].pupil_id},
        "present": attendance[Invitee.Attendance.PRESENT],
        "apologies": attendance[Invitee.Attendance.APOLOGIES],
        "absent": attendance[Invitee.Attendance.ABSENT] + attendance[Invitee.Attendance.INVITED],
        "left": attendance[Invitee.Attendance.LEFT],
    }


def _plan_actions(meeting: Meeting) -> list[Action]:
    plan = (
        ActionPlan.objects.filter(pupil_id=meeting.pupil_id).order_by("status", "-created_at").first()
        if meeting.pupil_id
        else None
    )
    if plan is None:
        return []
    return list(
        plan.actions.select_related("owner_user__agency", "owner_agency").prefetch_related(
            Prefetch("progress_notes", queryset=ProgressNote.objects.order_by("-recorded_at", "-pk"))
        )
    )


def _require_pupil_in_scope(meeting: Meeting, reader: User) -> None:
    """A one-pupil document is for those who may see the pupil, and for the team invited to the pupil's TAC."""
    if meeting.pupil_id is not None and shareable_pupil_ids(meeting, reader, {meeting.pupil_id}):
        return
    if meeting.pupil_id is None or not pupils_visible_to(reader).filter(pk=meeting.pupil_id).exists():
        raise OutOfScope(f"Meeting {meeting.pk}: its pupil is outside the scope of user {reader.pk}.")


def action_plan_context(meeting: Meeting, reader: User) -> dict:
    _require_pupil_in_scope(meeting, reader)
    actions = _plan_actions(meeting)
    return {
        "pupils_named": {meeting.pupil_id},
        "pupil": meeting.pupil,
        "actions": actions,
        "open_actions": [a for a in actions if a.status == Action.Status.OPEN],
        "finished_actions": [a for a in actions if a.status != Action.Status.OPEN],
        "attendance": _attendance(meeting),
    }


def next_meeting_date(meeting: Meeting) -> datetime.date | None:
    """When the team meets again: the date set at the meeting, else the next meeting in the series, else the
    review date of the child's action plan."""
    if meeting.next_review_on:
        return meeting.next_review_on
    following = Meeting.objects.filter(previous=meeting).values_list("held_on", flat=True).first()
    if following:
        return following
    if meeting.pupil_id:
        return (
            ActionPlan.objects.filter(pupil_id=meeting.pupil_id, status=ActionPlan.Status.OPEN, review_on__isnull=False)
            .values_list("review_on", flat=True)
            .first()
        )
    return None


def letterhead(meeting: Meeting) -> Site | None:
    """The centre the letter comes from: the meeting's, else the child's."""
    if meeting.site_id:
        return meeting.site
    return meeting.pupil.site if meeting.pupil_id and meeting.pupil.site_id else None


def family_letter_context(meeting: Meeting, reader: User) -> dict:
    """The thank-you letter to the family, in the words chosen for them (`Action.for_family`)."""
    _require_pupil_in_scope(meeting, reader)
    actions = [a for a in _plan_actions(meeting) if a.status == Action.Status.OPEN]
    family = [i for i in meeting.invitees.all() if i.is_family]
    by_agency: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        if action.owner_kind == Action.Owner.AGENCY:
            by_agency[str(action.owner_agency)].append(action)
        elif action.owner_kind == Action.Owner.STAFF:
            agency = action.owner_user.agency if action.owner_user.agency_id else None
            by_agency[str(agency) if agency else "School staff"].append(action)
    return {
        "pupils_named": {meeting.pupil_id},
        "pupil": meeting.pupil,
        "family": family,
        "family_actions": [a for a in actions if a.owner_kind == Action.Owner.FAMILY],
        "agency_actions": sorted(by_agency.items()),
        "site": letterhead(meeting),
        "next_date": next_meeting_date(meeting),
    }


# Every kind of PdfJob has a builder here; pru_cases/tests/test_security_documents.py walks them all.
BUILDERS = {
    PdfJob.Kind.MINUTES: minutes_context,
    PdfJob.Kind.ACTION_PLAN: action_plan_context,
    PdfJob.Kind.FAMILY_LETTER: family_letter_context,
}
