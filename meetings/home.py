"""What meetings adds to the home page (registered in `MeetingsConfig.ready()`): the next meeting for whoever runs
meetings, and everyone's own actions that are due soon or overdue."""

import datetime

from django.http import HttpRequest
from django.utils import timezone

from meetings.models import Action, Meeting
from meetings.selectors import actions_visible_to, meetings_visible_to
from pru_cases.access import Action as Perm
from pru_cases.access import can
from pupils.home import HomeSection

ACTIONS_SHOWN = 8
DUE_WITHIN = datetime.timedelta(days=14)


def next_meeting(request: HttpRequest) -> dict | None:
    user = request.user
    if not can(user, Perm.RUN_MEETING):
        return None
    today = timezone.localdate()
    meeting = (
        meetings_visible_to(user)
        .filter(status=Meeting.Status.PLANNED, held_on__gte=today, kind=Meeting.Kind.MDT)
        .select_related(None)
        .select_related("site")
        .only("title", "held_on", "starts_at", "site__name")
        .order_by("held_on", "starts_at", "pk")
        .first()
    )
    return {"meeting": meeting}


def my_actions(request: HttpRequest) -> dict | None:
    user = request.user
    today = timezone.localdate()
    actions = list(
        actions_visible_to(user)
        .filter(owner_user_id=user.pk, status=Action.Status.OPEN, due_on__lte=today + DUE_WITHIN)
        # Of each action, what the section shows: its words, when it is due and whose it is.
        .select_related(None)
        .select_related("plan__pupil")
        .only(
            "description", "due_on", "plan__pupil__first_name", "plan__pupil__preferred_name", "plan__pupil__last_name"
        )
        .order_by("due_on", "pk")[:ACTIONS_SHOWN]
    )
    if not actions:
        return None
    return {"actions": actions, "today": today, "pupil_ids": [action.plan.pupil_id for action in actions]}


SECTIONS = (
    HomeSection(name="next_meeting", template="meetings/_home_next_meeting.html", build=next_meeting, order=40),
    HomeSection(name="my_actions", template="meetings/_home_actions.html", build=my_actions, order=50),
)
