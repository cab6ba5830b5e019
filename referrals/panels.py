"""What the referrals app adds to the pupil pages: a panel on the pupil page and badges on the pupil list."""

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, IntegerField, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from concerns.models import Concern
from concerns.selectors import annotate_recent_concern_count, is_pattern, recent_concerns
from pru_cases.access import Action, can, can_for_pupil, restricted_rows
from pupils.models import Pupil
from referrals.models import Intervention, Referral
from referrals.selectors import interventions_visible_to, referrals_visible_to

RECENT = 5


TEMPLATE = "referrals/_pupil_panel.html"  # drawn on the pupil page with pupil_panel's context


def pupil_related(user) -> tuple[str, ...]:
    """What the pupil page fetches with the pupil for this panel: nothing (its rows are lists)."""
    return ()


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict:
    """Context for templates/referrals/_pupil_panel.html on the pupil page (pupil already access-checked)."""
    user = request.user
    # The five latest concerns, each carrying the count in the pattern window (one query for both).
    in_window = recent_concerns(pupil.pk).order_by().values("pupil_id").annotate(n=Count("pk")).values("n")
    concerns = list(
        Concern.objects.filter(pupil=pupil)
        .select_related("logged_by")
        .annotate(_recent_count=Coalesce(Subquery(in_window, output_field=IntegerField()), 0))[:RECENT]
    )
    recent_count = concerns[0]._recent_count if concerns else 0
    # Someone who may not read health detail learns only that a health service has been asked to help.
    held_back = Q(pk__in=[])
    for rule in restricted_rows(user, "referrals.Referral"):
        held_back |= rule.rows
    health_referrals = Referral.objects.filter(held_back, pupil=pupil, status__in=Referral.OPEN).count()
    return {
        "ref_concerns": concerns,
        "ref_recent_count": recent_count,
        "ref_pattern": is_pattern(recent_count),
        "ref_pattern_days": settings.CONCERN_PATTERN_DAYS,
        # The pupil is known: only the people the panel names are fetched with each row.
        "ref_referrals": list(
            referrals_visible_to(user)
            .filter(pupil=pupil, status__in=Referral.OPEN)
            .select_related(None)
            .select_related("allocated_to")
        ),
        "ref_interventions": list(
            interventions_visible_to(user)
            .filter(pupil=pupil, status=Intervention.Status.OPEN)
            .select_related(None)
            .select_related("specialist")
        ),
        "ref_health_referrals_held_back": health_referrals,
        "ref_can_log": can(user, Action.LOG_CONCERN),
        "ref_can_refer": can_for_pupil(user, Action.RAISE_REFERRAL, pupil),
        "ref_can_request": can_for_pupil(user, Action.REQUEST_INFORMATION, pupil),
    }


def annotate_pupil_list(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """Annotations read by `pupil_list_badges` (set-based, one query)."""
    return annotate_recent_concern_count(pupils).annotate(
        concern_pattern=ExpressionWrapper(
            Q(recent_concern_count__gte=settings.CONCERN_PATTERN_COUNT), output_field=BooleanField()
        )
    )


def pupil_list_badges(pupil: Pupil) -> list[dict]:
    """The badges on the pupil's row of the list, from `annotate_pupil_list`'s annotations."""
    if not pupil.concern_pattern:
        return []
    return [{"colour": "warning", "text": f"Pattern: {pupil.recent_concern_count} concerns"}]
