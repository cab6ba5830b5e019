"""Scoped queries for family records, shared by the views, the pupil panel and the admin site."""

from __future__ import annotations

from django.db.models import Exists, F, Func, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from families.models import Carer, Household, HouseholdPupil, ReintegrationPlan, SupportAction
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
