"""The reminder kind about escalations outside the PRU (see accounts.notifications)."""

import datetime

from django.db.models import F, QuerySet

from accounts.models import Notification
from accounts.notifications import ReminderKind, link, reminder_rows
from concerns.models import Escalation


def escalation_due(today: datetime.date) -> QuerySet:
    """The owner hears on the due date (or at the first pass after it) that an open escalation needs its outcome
    chased; a new due date is a new reminder."""
    escalations = Escalation.objects.filter(status=Escalation.Status.OPEN, due_on__lte=today)
    return reminder_rows(
        escalations,
        recipient="owner_id",
        obj="pk",
        due_on="due_on",
        path=link("/pupils/concerns/escalations/", F("pk"), "/"),
    )


KINDS = [ReminderKind(Notification.Kind.ESCALATION_DUE, escalation_due)]
