"""The access policy, in one place.

Who may see which pupil (`pupils_visible_to`), who may read or write which restricted field group
(`can_read_field_group` / `can_write_field_group`) and what a role may do (`can`). Every view, list,
search, export and admin changelist that shows pupil data takes its rows from here; a pupil outside
a user's scope is a 404, so the page does not reveal that the pupil is known to us.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from accounts.models import User
from pru_cases.models import AccessEvent, BreakGlass

if TYPE_CHECKING:
    from pupils.models import Pupil

Role = User.Role


class FieldGroup(enum.StrEnum):
    HEALTH = "health"


class Action(enum.StrEnum):
    """Things a role may do to a pupil it can already see."""

    CREATE_PUPIL = "create_pupil"
    EDIT_PUPIL = "edit_pupil"
    SET_NEED_LEVEL = "set_need_level"
    ARCHIVE_PUPIL = "archive_pupil"
    ALLOCATE = "allocate"
    VIEW_HISTORY = "view_history"
    VIEW_ACCESS_LOG = "view_access_log"
    BREAK_GLASS = "break_glass"  # open a pupil outside one's scope for a few hours (pru_cases.security)
    LOG_CONCERN = "log_concern"
    REVIEW_SAFEGUARDING = "review_safeguarding"
    RAISE_REFERRAL = "raise_referral"
    TRIAGE_REFERRAL = "triage_referral"
    RECORD_INTERVENTION = "record_intervention"
    REQUEST_INFORMATION = "request_information"
    # families: household, consent, family support, Fresh Start, reintegration
    EDIT_FAMILY = "edit_family"
    RECORD_CONSENT = "record_consent"
    RECORD_SHARING = "record_sharing"
    FAMILY_SUPPORT = "family_support"
    HOME_VISIT = "home_visit"
    FRESH_START = "fresh_start"
    MARK_MDT_DISCUSSED = "mark_mdt_discussed"
    MANAGE_REINTEGRATION = "manage_reintegration"
    # outcomes: SDQ and other measures, attendance import, the oversight dashboard
    RECORD_OUTCOMES = "record_outcomes"
    IMPORT_ATTENDANCE = "import_attendance"
    VIEW_OVERSIGHT = "view_oversight"
    RECORD_FAMILY_FEEDBACK = "record_family_feedback"
    # meetings: scheduling the MDT/TAC, running it (the chair or the DSL), updating actions
    SCHEDULE_MEETING = "schedule_meeting"
    RUN_MEETING = "run_meeting"
    UPDATE_ACTION = "update_action"


_ACTIONS: dict[Action, frozenset[str]] = {
    Action.CREATE_PUPIL: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF}),
    Action.EDIT_PUPIL: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF}),
    Action.SET_NEED_LEVEL: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF}),
    Action.ARCHIVE_PUPIL: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    Action.ALLOCATE: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    Action.VIEW_HISTORY: frozenset({Role.DSL}),
    Action.VIEW_ACCESS_LOG: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    Action.BREAK_GLASS: frozenset({Role.STAFF}),  # leaders and the DSL already see every pupil
    Action.LOG_CONCERN: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.SPECIALIST, Role.FAMILY_WORKER}),
    Action.REVIEW_SAFEGUARDING: frozenset({Role.DSL}),
    Action.RAISE_REFERRAL: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.SPECIALIST, Role.FAMILY_WORKER}),
    Action.TRIAGE_REFERRAL: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    # The allocated specialist (checked per record) or the DSL.
    Action.RECORD_INTERVENTION: frozenset({Role.DSL, Role.SPECIALIST, Role.FAMILY_WORKER}),
    Action.REQUEST_INFORMATION: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.FAMILY_WORKER}),
    Action.EDIT_FAMILY: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.FAMILY_WORKER}),
    Action.RECORD_CONSENT: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.FAMILY_WORKER}),
    Action.RECORD_SHARING: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.FAMILY_WORKER, Role.SPECIALIST}),
    Action.FAMILY_SUPPORT: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.FAMILY_WORKER}),
    Action.HOME_VISIT: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.FAMILY_WORKER}),
    Action.FRESH_START: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.FAMILY_WORKER, Role.SPECIALIST}),
    Action.MARK_MDT_DISCUSSED: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    Action.MANAGE_REINTEGRATION: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.FAMILY_WORKER}),
    Action.RECORD_OUTCOMES: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.SPECIALIST}),
    Action.IMPORT_ATTENDANCE: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    Action.VIEW_OVERSIGHT: frozenset({Role.SENIOR_LEADER}),
    Action.RECORD_FAMILY_FEEDBACK: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.FAMILY_WORKER}),
    Action.SCHEDULE_MEETING: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    # Chairing needs this role; the minute-taker named on the meeting may also record (checked per meeting).
    Action.RUN_MEETING: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    Action.UPDATE_ACTION: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.SPECIALIST, Role.FAMILY_WORKER}),
}


def can(user: User, action: Action) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in _ACTIONS[action])


def require(user: User, action: Action) -> None:
    """A visible record with the wrong role: 403."""
    if not can(user, action):
        raise PermissionDenied


def works_with(user: User) -> Q:
    """Pupils this person key-works or is allocated to (an open allocation): "my pupils".

    Two shapes of the same question, for the planner's sake. Leaders work with few pupils, if any: their pupils are
    fetched by id from one `IN (allocations UNION ALL key-worked)` list instead of testing the whole roll. Hands-on
    staff may work with thousands: each pupil is tested against a hashed list, so a page of them can be read in name
    order and the scan stops as soon as the page is full.
    """
    from pupils.models import Allocation, Pupil

    allocated = Allocation.objects.filter(user_id=user.pk, ended_on__isnull=True).values("pupil_id")
    if user.sees_all_pupils:
        key_worked = Pupil.objects.filter(key_worker_id=user.pk).values("pk")
        return Q(pk__in=allocated.union(key_worked, all=True))
    return Q(key_worker_id=user.pk) | Q(pk__in=allocated)


def pupils_visible_to(user: User) -> QuerySet[Pupil]:
    from pupils.models import Allocation, Pupil

    pupils = Pupil.objects.all()
    if not (user.is_authenticated and user.is_active):
        return pupils.none()
    if user.sees_all_pupils:
        return pupils
    granted = BreakGlass.objects.filter(user_id=user.pk, expires_at__gt=timezone.now()).values("pupil_id")
    mine = Q(key_worker_id=user.pk) | Q(pk__in=granted)
    if user.role == Role.STAFF:
        return pupils.filter(mine | Q(site_id=user.site_id)) if user.site_id else pupils.filter(mine)
    if user.role in (Role.SPECIALIST, Role.FAMILY_WORKER):
        # Each `IN` list is worked out once and hashed; with thousands of pupils in scope that beats fetching each
        # pupil by id, which is what the `works_with` form does best for the few pupils someone works with.
        allocated = Allocation.objects.filter(user_id=user.pk, ended_on__isnull=True).values("pupil_id")
        return pupils.filter(mine | Q(pk__in=allocated))
    return pupils.none()  # administrators manage accounts, not cases


def in_pupil_scope(user: User, field: str = "pupil") -> Q:
    """A filter on `field` (a required foreign key to Pupil) for rows about pupils the user may see.

    Someone who sees every pupil gets no filter at all, rather than `pupil_id IN (every pupil)`, which would make the
    database join every referral or concern against the whole pupil table to learn nothing.
    """
    if user.is_authenticated and user.is_active and user.sees_all_pupils:
        return Q()
    return Q(**{f"{field}__in": pupils_visible_to(user)})


def _break_glass(user: User) -> Exists:
    """An unexpired break-glass grant for this user and the pupil (see pru_cases.security.break_glass_grant)."""
    grants = BreakGlass.objects.filter(pupil_id=OuterRef("pk"), user_id=user.pk, expires_at__gt=timezone.now())
    return Exists(grants)


def can_read_field_group(user: User, group: FieldGroup) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if group == FieldGroup.HEALTH:
        if user.role == Role.DSL:
            return True
        return user.agency_id is not None and user.agency.is_health
    return False


def can_write_field_group(user: User, group: FieldGroup) -> bool:
    return can_read_field_group(user, group)


def readable_field_groups(user: User) -> frozenset[FieldGroup]:
    return frozenset(group for group in FieldGroup if can_read_field_group(user, group))


# What each restricted group covers: a whole model (None) or some of its fields. Views that show records
# generically (the change history) ask `unreadable_fields` instead of naming the fields themselves.
FIELD_GROUP_FIELDS: dict[FieldGroup, dict[str, frozenset[str] | None]] = {
    FieldGroup.HEALTH: {
        "pupils.HealthRecord": None,
        "referrals.InterventionSession": frozenset({"health_notes"}),
    },
}


def unreadable_fields(user: User, model_label: str) -> frozenset[str] | None:
    """Fields of `model_label` ("app.Model") hidden from `user`: empty if none, None if the whole record is."""
    hidden: set[str] = set()
    for group, models in FIELD_GROUP_FIELDS.items():
        if model_label in models and not can_read_field_group(user, group):
            fields = models[model_label]
            if fields is None:
                return None
            hidden |= fields
    return frozenset(hidden)


def record_access(
    request: HttpRequest,
    *,
    pupil_id: int | None,
    pupil_ref: int | None,
    outcome: str,
    field_groups: frozenset[FieldGroup] = frozenset(),
) -> AccessEvent:
    user = request.user
    return AccessEvent.objects.create(
        user=user,
        role=user.role,
        agency_id=user.agency_id,
        pupil_id=pupil_id,
        pupil_ref=pupil_ref,
        method=request.method[:8],
        path=request.path[:300],
        outcome=outcome,
        field_groups=",".join(sorted(field_groups)),
    )


def get_pupil_for_user(
    request: HttpRequest,
    pk: int,
    *,
    action: Action | None = None,
    field_groups: frozenset[FieldGroup] = frozenset(),
    queryset: QuerySet[Pupil] | None = None,
    related: tuple[str, ...] = (),
) -> Pupil:
    """The pupil if `request.user` may see it, audited either way.

    404 outside the user's scope; 403 when the user may see the pupil but not do `action` or read
    every restricted field group in `field_groups` (the groups this page shows). `related` names foreign keys the
    page shows, fetched in the same query.
    """
    user = request.user
    scoped = pupils_visible_to(user)
    if queryset is not None:
        scoped = scoped & queryset
    if related:
        scoped = scoped.select_related(*related)
    if user.is_authenticated and not user.sees_all_pupils:
        scoped = scoped.annotate(_via_break_glass=_break_glass(user))
    pupil = scoped.filter(pk=pk).first()
    if pupil is None:
        from pupils.models import Pupil

        exists = Pupil.objects.filter(pk=pk).exists()
        record_access(request, pupil_id=pk if exists else None, pupil_ref=pk, outcome=AccessEvent.Outcome.DENIED)
        raise Http404("No such pupil.")
    if (action is not None and not can(user, action)) or not all(
        can_read_field_group(user, group) for group in field_groups
    ):
        record_access(request, pupil_id=pupil.pk, pupil_ref=pk, outcome=AccessEvent.Outcome.FORBIDDEN)
        raise PermissionDenied
    outcome = AccessEvent.Outcome.BREAK_GLASS if getattr(pupil, "_via_break_glass", False) else AccessEvent.Outcome.ALLOWED
    record_access(request, pupil_id=pupil.pk, pupil_ref=pk, outcome=outcome, field_groups=field_groups)
    return pupil
