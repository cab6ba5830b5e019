"""Scoped queries for family records, shared by the views, the pupil panel and the admin site."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from families.models import Carer, FreshStartInterview, Household, HouseholdPupil, ReintegrationPlan, SupportAction
from pupils.models import Pupil
from pupils.selectors import in_pupil_scope, pupils_visible_to

# The path from a household to its pupils, for the access log (pru_cases.access.get_for_user logs each one the
# reader sees).
HOUSEHOLD_PUPILS = "pupil_links__pupil"


def households_visible_to(user: User) -> QuerySet[Household]:
    """A household is visible when at least one of its pupils is."""
    visible_links = HouseholdPupil.objects.filter(household_id=OuterRef("pk"), pupil__in=pupils_visible_to(user))
    return Household.objects.filter(Exists(visible_links))


def _count(queryset: QuerySet) -> Subquery:
    """A correlated COUNT(*) subquery: evaluated for the rows on the page only, never a join that multiplies rows."""
    return Subquery(
        queryset.order_by().values("household_id").annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def household_list_queryset(user: User) -> QuerySet[Household]:
    """The household list: counts are correlated subqueries, so the page costs the same however many rows exist."""

    return (
        households_visible_to(user)
        .annotate(
            pupil_count=Coalesce(
                _count(HouseholdPupil.objects.filter(household_id=OuterRef("pk"), pupil__in=pupils_visible_to(user))), 0
            ),
            open_actions=Coalesce(
                _count(
                    SupportAction.objects.filter(
                        household_id=OuterRef("pk"),
                        status__in=[SupportAction.Status.OPEN, SupportAction.Status.WAITING],
                    )
                ),
                0,
            ),
            carer_count=Coalesce(_count(Carer.objects.filter(household_id=OuterRef("pk"), is_active=True)), 0),
        )
        .order_by("name", "pk")
    )


def plans_visible_to(user: User) -> QuerySet[ReintegrationPlan]:
    return ReintegrationPlan.objects.filter(in_pupil_scope(user))


# Fresh Start interviews overdue ------------------------------------------------------------------------------------
# A pupil is flagged when on roll (not archived, not yet left) more than FRESH_START_FLAG_DAYS after entry with no
# interview held. An interview is recorded only once held (its date is never in the future), so a row is one held.


def fresh_start_missing_condition(*, on: datetime.date) -> Q:
    """A filter on pupils: flagged on `on` (set-based, for lists and the agenda)."""
    held = FreshStartInterview.objects.filter(pupil_id=OuterRef("pk"), held_on__lte=on)
    return (
        Q(status=Pupil.Status.ACTIVE, entry_date__lt=on - datetime.timedelta(days=settings.FRESH_START_FLAG_DAYS))
        & (Q(exit_date__isnull=True) | Q(exit_date__gt=on))
        & ~Exists(held)
    )


def fresh_start_missing(pupils: QuerySet[Pupil], *, on: datetime.date) -> QuerySet[Pupil]:
    """The pupils of `pupils` flagged on `on` for having had no Fresh Start interview."""
    return pupils.filter(fresh_start_missing_condition(on=on))


def fresh_start_days_overdue(pupil: Pupil, interview: FreshStartInterview | None, *, on: datetime.date) -> int | None:
    """For one loaded pupil and their interview (or None): the days since entry if flagged on `on`, else None."""
    if interview is not None and interview.held_on <= on:
        return None
    if pupil.status != Pupil.Status.ACTIVE or (pupil.exit_date is not None and pupil.exit_date <= on):
        return None
    days = (on - pupil.entry_date).days
    return days if days > settings.FRESH_START_FLAG_DAYS else None
