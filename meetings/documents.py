"""What goes into each printed document. A PDF is read by everyone who was in the room, so it holds only what
all of them could see on the shared screen (meetings.selectors.room_for), and never health detail."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch
from django.utils import timezone

from meetings.models import (
    Action,
    ActionPlan,
    AgendaItem,
    Invitee,
    Meeting,
    PdfJob,
    ProgressNote,
)
from meetings.selectors import room_for

TEMPLATES = {
    PdfJob.Kind.MINUTES: "meetings/pdf/minutes.html",
    PdfJob.Kind.ACTION_PLAN: "meetings/pdf/action_plan.html",
    PdfJob.Kind.FAMILY_LETTER: "meetings/pdf/family_letter.html",
}


def document_context(job: PdfJob) -> tuple[str, dict]:
    meeting = Meeting.objects.select_related("chair", "minute_taker", "pupil", "site").get(pk=job.meeting_id)
    builders = {
        PdfJob.Kind.MINUTES: minutes_context,
        PdfJob.Kind.ACTION_PLAN: action_plan_context,
        PdfJob.Kind.FAMILY_LETTER: family_letter_context,
    }
    context = builders[job.kind](meeting) | {"meeting": meeting, "printed_on": timezone.localdate()}
    return TEMPLATES[job.kind], context


def _attendance(meeting: Meeting) -> dict[str, list[Invitee]]:
    groups: dict[str, list[Invitee]] = defaultdict(list)
    for invitee in meeting.invitees.select_related("user__agency", "agency"):
        groups[invitee.attendance].append(invitee)
    return groups


def minutes_context(meeting: Meeting) -> dict:
    items = list(
        meeting.items.select_related("pupil").prefetch_related(
            Prefetch("discussions"),
            Prefetch("decisions"),
            Prefetch("actions", queryset=Action.objects.select_related("owner_user", "owner_agency")),
        )
    )
    room = room_for(meeting, None, {item.pupil_id for item in items if item.pupil_id})
    attendance = _attendance(meeting)
    return {
        "items": [{"item": item, "shown": room.shows(item), "number": n} for n, item in enumerate(items, start=1)],
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


def action_plan_context(meeting: Meeting) -> dict:
    actions = _plan_actions(meeting)
    return {
        "pupil": meeting.pupil,
        "actions": actions,
        "open_actions": [a for a in actions if a.status == Action.Status.OPEN],
        "finished_actions": [a for a in actions if a.status != Action.Status.OPEN],
        "attendance": _attendance(meeting),
    }


def family_letter_context(meeting: Meeting) -> dict:
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
        "pupil": meeting.pupil,
        "family": family,
        "family_actions": [a for a in actions if a.owner_kind == Action.Owner.FAMILY],
        "agency_actions": sorted(by_agency.items()),
        "reason_items": AgendaItem.Reason,
    }
