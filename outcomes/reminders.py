"""Reminder kinds about outcomes (see accounts.notifications)."""

import datetime

from django.db.models import Exists, F, OuterRef, QuerySet

from accounts.models import Notification
from accounts.notifications import ReminderKind, link, reminder_rows
from outcomes.models import SDQResponse
from outcomes.models.measures import Occasion
from pupils.models import Pupil

Kind = Notification.Kind
# Exit dates further back than this are history, not a reminder (a first run must not flood anyone).
SDQ_ENDLINE_LOOKBACK_DAYS = 30


def sdq_endline(today: datetime.date) -> QuerySet:
    """Once a pupil has an exit date, their key worker hears that the exit SDQ is due, until one is recorded."""
    endline = SDQResponse.objects.filter(pupil_id=OuterRef("pk"), occasion=Occasion.ENDLINE, withdrawn_at__isnull=True)
    pupils = Pupil.objects.filter(
        exit_date__isnull=False,
        exit_date__gte=today - datetime.timedelta(days=SDQ_ENDLINE_LOOKBACK_DAYS),
        key_worker__isnull=False,
    ).filter(~Exists(endline))
    return reminder_rows(
        pupils,
        recipient="key_worker_id",
        obj="pk",
        due_on="exit_date",
        path=link("/pupils/", F("pk"), "/outcomes/"),
    )


KINDS = [ReminderKind(Kind.SDQ_ENDLINE, sdq_endline)]
