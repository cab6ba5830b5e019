"""Scoped queries for family records, shared by the views, the pupil panel and the admin site."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, Func, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest

from accounts.models import User
from families.models import Household, HouseholdPupil, ReintegrationPlan
from pru_cases.access import Action, can, in_pupil_scope, pupils_visible_to, record_access
from pru_cases.models import AccessEvent


def households_visible_to(user: User) -> QuerySet[Household]:
    """A household is visible when at least one of its pupils is."""
    visible_links = HouseholdPupil.objects.filter(household_id=OuterRef("pk"), pupil__in=pupils_visible_to(user))
    return Household.objects.filter(Exists(visible_links))


def get_household_for_user(request: HttpRequest, pk: int, *, action: Action | None = None) -> Household:
    """The household if `request.user` may see it; audited against each of its pupils the user can see.

    404 outside the user's scope (the household's existence is not revealed); 403 for the wrong role.
    """
    user = request.user
    household = households_visible_to(user).filter(pk=pk).first()
    if household is None:
        record_access(request, pupil_id=None, pupil_ref=None, outcome=AccessEvent.Outcome.DENIED)
        raise Http404("No such household.")
    pupil_ids = list(pupils_visible_to(user).filter(household_link__household=household).values_list("pk", flat=True))
    outcome = AccessEvent.Outcome.ALLOWED
    if action is not None and not can(user, action):
        outcome = AccessEvent.Outcome.FORBIDDEN
    for pupil_id in pupil_ids:
        record_access(request, pupil_id=pupil_id, pupil_ref=pupil_id, outcome=outcome)
    if outcome == AccessEvent.Outcome.FORBIDDEN:
        raise PermissionDenied
    return household


def _count(queryset: QuerySet) -> Subquery:
    """A correlated COUNT(*) subquery: evaluated for the rows on the page only, never a join that multiplies rows."""
    return Subquery(
        queryset.order_by().values("household_id").annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def household_list_queryset(user: User) -> QuerySet[Household]:
    """The household list: counts are correlated subqueries, so the page costs the same however many rows exist."""
    from families.models import Carer, SupportAction

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
