"""Queries over the concern log shared by the concern pages and the referrals panels."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from concerns.models import Concern
from pupils.models import Pupil
from pupils.selectors import in_pupil_scope


def pattern_window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.CONCERN_PATTERN_DAYS)


def recent_concerns(pupil_id) -> QuerySet[Concern]:
    """Concerns inside the pattern window (withdrawn ones do not count)."""
    return Concern.objects.filter(pupil_id=pupil_id, occurred_at__gte=pattern_window_start()).exclude(
        status=Concern.Status.WITHDRAWN
    )


def pupils_at_pattern() -> QuerySet:
    """The ids of the pupils at the pattern of concerns (as `values("pupil_id")`, for `pk__in` or a list)."""
    return (
        Concern.objects.filter(occurred_at__gte=pattern_window_start())
        .exclude(status=Concern.Status.WITHDRAWN)
        .order_by()
        .values("pupil_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.CONCERN_PATTERN_COUNT)
        .values("pupil_id")
    )


def annotate_recent_concern_count(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """One correlated subquery for the whole page, never a query per row."""
    counts = recent_concerns(OuterRef("pk")).order_by().values("pupil_id").annotate(n=Count("pk")).values("n")[:1]
    return pupils.annotate(recent_concern_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0))


def is_pattern(count: int) -> bool:
    return count >= settings.CONCERN_PATTERN_COUNT


def concerns_visible_to(user: User) -> QuerySet[Concern]:
    return Concern.objects.filter(in_pupil_scope(user)).select_related("pupil", "logged_by", "pupil__site")


def safeguarding_queue(user: User) -> QuerySet[Concern]:
    """Open safeguarding concerns: the DSL's queue."""
    return concerns_visible_to(user).filter(category=Concern.Category.SAFEGUARDING, status=Concern.Status.OPEN)
