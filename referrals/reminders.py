"""Reminder kinds about interventions and information requests (see accounts.notifications)."""

import datetime

from django.db.models import F, QuerySet

from accounts.models import Notification
from accounts.notifications import ReminderKind, link, reminder_rows
from referrals.models import InformationRequest, Intervention

Kind = Notification.Kind
# The specialist hears this many days before an intervention's review date.
REVIEW_NOTICE_DAYS = 7


def intervention_review(today: datetime.date) -> QuerySet:
    interventions = Intervention.objects.filter(
        status=Intervention.Status.OPEN,
        review_date__isnull=False,
        review_date__lte=today + datetime.timedelta(days=REVIEW_NOTICE_DAYS),
    )
    return reminder_rows(
        interventions,
        recipient="specialist_id",
        obj="pk",
        due_on="review_date",
        path=link("/referrals/", F("referral_id"), "/"),
    )


def information_overdue(today: datetime.date) -> QuerySet:
    """The person who asked hears the day after the answer was due, so they can chase the agency."""
    requests = InformationRequest.objects.filter(status=InformationRequest.Status.OPEN, due_by__lt=today)
    return reminder_rows(
        requests,
        recipient="asked_by_id",
        obj="pk",
        due_on="due_by",
        path=link("/referrals/information-requests/"),
    )


KINDS = [
    ReminderKind(Kind.INTERVENTION_REVIEW, intervention_review),
    ReminderKind(Kind.INFORMATION_OVERDUE, information_overdue),
]
