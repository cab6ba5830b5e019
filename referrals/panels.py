"""What the referrals app adds to the pupil pages: a panel on the pupil page and badges on the pupil list."""

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import HttpRequest

from pru_cases.access import Action, can
from pupils.concerns_selectors import (
    annotate_recent_concern_count,
    is_pattern,
    recent_concerns,
)
from pupils.models import Concern, Pupil
from referrals.models import Intervention, Referral
from referrals.selectors import interventions_visible_to, referrals_visible_to

RECENT = 5


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict:
    """Context for templates/referrals/_pupil_panel.html on the pupil page (pupil already access-checked)."""
    user = request.user
    recent_count = recent_concerns(pupil.pk).count()
    return {
        "ref_concerns": list(Concern.objects.filter(pupil=pupil).select_related("logged_by")[:RECENT]),
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
        "ref_can_log": can(user, Action.LOG_CONCERN),
        "ref_can_refer": can(user, Action.RAISE_REFERRAL),
        "ref_can_request": can(user, Action.REQUEST_INFORMATION),
    }


def annotate_pupil_list(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """Annotations the list badges in templates/referrals/_pupil_list_badges.html read (set-based, no per-row queries)."""
    return annotate_recent_concern_count(pupils).annotate(
        concern_pattern=ExpressionWrapper(
            Q(recent_concern_count__gte=settings.CONCERN_PATTERN_COUNT), output_field=BooleanField()
        )
    )
