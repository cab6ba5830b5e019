"""Reminder kinds about meetings and actions, each one set-based query (see accounts.notifications)."""

import datetime

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from accounts.models import Notification
from accounts.notifications import ReminderKind, link, reminder_rows
from meetings.models import Action, ActionPlan, Invitee, Meeting

Kind = Notification.Kind
# An action's owner hears this many days before its due date, and again once it is overdue.
DUE_SOON_DAYS = 3
# The plan's key worker hears this many days before the plan's review date.
PLAN_REVIEW_NOTICE_DAYS = 7
# The weekly summary goes to whoever chairs an MDT in the coming fortnight.
CHAIR_LOOKAHEAD_DAYS = 14


def _open_staff_actions() -> QuerySet[Action]:
    return Action.objects.filter(status=Action.Status.OPEN, owner_kind=Action.Owner.STAFF, owner_user__isnull=False)


def action_due_soon(today: datetime.date) -> QuerySet:
    actions = _open_staff_actions().filter(
        due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
    )
    return reminder_rows(
        actions, recipient="owner_user_id", obj="pk", due_on="due_on", path=link("/meetings/actions/", F("pk"), "/")
    )


def action_overdue(today: datetime.date) -> QuerySet:
    actions = _open_staff_actions().filter(due_on__lt=today)
    return reminder_rows(
        actions, recipient="owner_user_id", obj="pk", due_on="due_on", path=link("/meetings/actions/", F("pk"), "/")
    )


def overdue_actions_digest(today: datetime.date) -> QuerySet | None:
    """One summary a week (the ISO week is the occasion) for each MDT chair, if anything is overdue."""
    overdue = Action.objects.filter(status=Action.Status.OPEN, due_on__lt=today).count()
    if not overdue:
        return None
    year, week, _ = today.isocalendar()
    meetings = Meeting.objects.filter(
        kind=Meeting.Kind.MDT,
        status=Meeting.Status.PLANNED,
        held_on__gte=today,
        held_on__lte=today + datetime.timedelta(days=CHAIR_LOOKAHEAD_DAYS),
    )
    return reminder_rows(
        meetings,
        recipient="chair_id",
        obj=0,
        due_on=None,
        path=link("/meetings/actions/?overdue=on"),
        occasion=f"{year}-W{week:02d}",
        count=overdue,
    )


def plan_review(today: datetime.date) -> QuerySet:
    plans = ActionPlan.objects.filter(
        status=ActionPlan.Status.OPEN,
        review_on__isnull=False,
        review_on__lte=today + datetime.timedelta(days=PLAN_REVIEW_NOTICE_DAYS),
        pupil__status="active",
    )
    return reminder_rows(
        plans,
        recipient=Coalesce("pupil__key_worker_id", "created_by_id"),
        obj="pk",
        due_on="review_on",
        path=link("/pupils/", F("pupil_id"), "/"),
    )


def meeting_agenda(today: datetime.date) -> QuerySet:
    """The day before a meeting, each invitee with an account gets the link to its agenda."""
    invitees = Invitee.objects.filter(
        user__isnull=False,
        meeting__status=Meeting.Status.PLANNED,
        meeting__held_on=today + datetime.timedelta(days=1),
    )
    return reminder_rows(
        invitees,
        recipient="user_id",
        obj="meeting_id",
        due_on="meeting__held_on",
        path=link("/meetings/", F("meeting_id"), "/"),
    )


KINDS = [
    ReminderKind(Kind.ACTION_DUE_SOON, action_due_soon),
    ReminderKind(Kind.ACTION_OVERDUE, action_overdue),
    ReminderKind(Kind.OVERDUE_ACTIONS_DIGEST, overdue_actions_digest),
    ReminderKind(Kind.PLAN_REVIEW, plan_review),
    ReminderKind(Kind.MEETING_AGENDA, meeting_agenda),
]
