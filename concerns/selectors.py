"""Queries over the concern log shared by the concern pages and the referrals panels."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, IntegerField, Max, QuerySet
from django.utils import timezone

from accounts.models import User
from concerns.models import Concern, Escalation, StatutoryMeeting
from pru_cases.access import Action, can, role_can
from pupils.models import Pupil
from pupils.panels import row_sql
from pupils.selectors import in_pupil_scope


def pattern_window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.CONCERN_PATTERN_DAYS)


def recent_concerns(pupil_id) -> QuerySet[Concern]:
    """Concerns inside the pattern window (withdrawn ones do not count)."""
    return Concern.objects.filter(pupil_id=pupil_id, occurred_at__gte=pattern_window_start()).exclude(
        status=Concern.Status.WITHDRAWN
    )


def pattern_counts() -> QuerySet:
    """`pupil_id`, `n` (the concerns in the pattern window) and `latest` (when the last of them happened) for each
    pupil at the pattern of concerns: read from the concerns alone (`concern_recent_idx` holds the window's
    columns), never the pupil table."""
    return (
        Concern.objects.filter(occurred_at__gte=pattern_window_start())
        .exclude(status=Concern.Status.WITHDRAWN)
        .order_by()
        .values("pupil_id")
        .annotate(n=Count("*"), latest=Max("occurred_at"))
        .filter(n__gte=settings.CONCERN_PATTERN_COUNT)
    )


def pupils_at_pattern() -> QuerySet:
    """The ids of the pupils at the pattern of concerns (as `values("pupil_id")`, for `pk__in` or a list)."""
    return pattern_counts().values("pupil_id")


def annotate_recent_concern_count(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """`recent_concern_count`: each pupil's `recent_concerns`, counted by one correlated subquery for the whole
    page, written as SQL (the pupil list asks it on every view; compiled from a queryset it cost more than it ran)."""
    count = row_sql(
        "SELECT count(*) FROM {concern} c WHERE c.pupil_id = {pupil_id} AND c.occurred_at >= %s AND c.status <> %s",
        (pattern_window_start(), Concern.Status.WITHDRAWN),
        tables={"concern": Concern},
        output_field=IntegerField(),
    )
    return pupils.annotate(recent_concern_count=count)


def is_pattern(count: int) -> bool:
    return count >= settings.CONCERN_PATTERN_COUNT


def concerns_visible_to(user: User) -> QuerySet[Concern]:
    return Concern.objects.filter(in_pupil_scope(user)).select_related("pupil", "logged_by", "pupil__site")


def safeguarding_queue(user: User) -> QuerySet[Concern]:
    """Open safeguarding concerns: the DSL's queue."""
    return concerns_visible_to(user).filter(category=Concern.Category.SAFEGUARDING, status=Concern.Status.OPEN)


def escalations_visible_to(user: User) -> QuerySet[Escalation]:
    """Escalations outside the PRU are child-protection detail: only the roles that manage them see them (within
    their pupil scope); everyone else sees none, so their pages are a 404 and the pupil page leaves them out."""
    if not can(user, Action.MANAGE_ESCALATION):
        return Escalation.objects.none()
    return Escalation.objects.filter(in_pupil_scope(user)).select_related("pupil", "owner")


def statutory_meetings_visible_to(user: User) -> QuerySet[StatutoryMeeting]:
    """Child protection conferences, CIN meetings, LAC reviews: seen by the same roles as escalations."""
    if not can(user, Action.RECORD_STATUTORY_MEETING):
        return StatutoryMeeting.objects.none()
    return StatutoryMeeting.objects.filter(in_pupil_scope(user)).select_related("pupil")


def open_escalations(user: User) -> QuerySet[Escalation]:
    """The DSL's queue of escalations still waiting for an outcome, the earliest due first."""
    return escalations_visible_to(user).filter(status=Escalation.Status.OPEN).order_by("due_on", "opened_at", "pk")


def escalation_owners() -> QuerySet[User]:
    """Who may own an escalation: active people whose role manages escalations."""
    roles = [role for role in User.Role.values if role_can(role, Action.MANAGE_ESCALATION)]
    return User.objects.filter(is_active=True, role__in=roles).order_by("last_name", "first_name", "pk")


def pru_people() -> QuerySet[User]:
    """Who may be named as attending a statutory meeting for the PRU: active people of the PRU's own roles."""
    return User.objects.filter(
        is_active=True, role__in=[User.Role.DSL, User.Role.SENIOR_LEADER, User.Role.STAFF, User.Role.FAMILY_WORKER]
    ).order_by("last_name", "first_name", "pk")
