"""Reminder kinds about reintegration (see accounts.notifications)."""

import datetime

from django.db.models import F, QuerySet

from accounts.models import Notification
from accounts.notifications import ReminderKind, link, reminder_rows
from families.models import FollowUpCheck, ReintegrationPlan

Kind = Notification.Kind
# The plan's lead hears this many days before a follow-up check is due.
FOLLOW_UP_NOTICE_DAYS = 3


def follow_up_due(today: datetime.date) -> QuerySet:
    checks = FollowUpCheck.objects.filter(
        done_on__isnull=True,
        due_on__lte=today + datetime.timedelta(days=FOLLOW_UP_NOTICE_DAYS),
        plan__status__in=[ReintegrationPlan.Status.ALLOCATED, ReintegrationPlan.Status.COMPLETED],
    )
    return reminder_rows(
        checks,
        recipient="plan__lead_id",
        obj="pk",
        due_on="due_on",
        path=link("/families/pupil/", F("plan__pupil_id"), "/reintegration/"),
    )


KINDS = [ReminderKind(Kind.FOLLOW_UP_DUE, follow_up_due)]
