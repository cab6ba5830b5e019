"""The access policy, in one place.

Who may see which pupil (`pupils_visible_to`: the pupils app's scope, registered here as `pupil_scope()`), who may
change a pupil's records (`may_write`: the usual scope, never a break-glass grant), who may read or write which
restricted field group (`can_read_field_group` / `can_write_field_group`) and what a role may do (`can`, with the
roles of `pru_cases.roles`). Every view, list, search, export and admin changelist that shows pupil data takes its
rows from here; a pupil outside a user's scope is a 404, so the page does not reveal that the pupil is known to us.

Every view fetches its record with the one audited getter, `get_for_user` (`get_pupil_for_user` for a pupil),
given the scope of the record's app (`<plural>_visible_to(user)` in that app's selectors, so this module need not
know the apps' models): 404 outside it, 403 for the wrong role, and an `AccessEvent` for the pupils the record is
about, whatever the outcome.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Model, Q, QuerySet, Value
from django.http import Http404, HttpRequest
from django.utils import timezone

from pru_cases.models import AccessEvent, BreakGlass
from pru_cases.roles import HEALTH_AGENCY_KINDS, Role

# The people and records the policy reasons about, by what it reads of them: a user's role, agency
# (`agency.is_health`), centre (`site_id`) and `sees_all_pupils`; a pupil's id.
User = AbstractUser
Pupil = Model


class FieldGroup(enum.StrEnum):
    HEALTH = "health"


class Action(enum.StrEnum):
    """Things a role may do to a pupil it can already see."""

    CREATE_PUPIL = "create_pupil"
    EDIT_PUPIL = "edit_pupil"
    SET_NEED_LEVEL = "set_need_level"
    ARCHIVE_PUPIL = "archive_pupil"
    ALLOCATE = "allocate"  # allocations and the key worker: both open the pupil's record to that person
    MOVE_PUPIL = "move_pupil"  # change a pupil's learning centre, which decides which PRU staff see them
    VIEW_HISTORY = "view_history"
    VIEW_ACCESS_LOG = "view_access_log"
    BREAK_GLASS = "break_glass"  # open a pupil outside one's scope for a few hours (pru_cases.security)
    LOG_CONCERN = "log_concern"
    REVIEW_SAFEGUARDING = "review_safeguarding"
    # escalations outside the PRU and statutory meetings: child-protection detail, seen only by these roles
    MANAGE_ESCALATION = "manage_escalation"
    RECORD_STATUTORY_MEETING = "record_statutory_meeting"
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
    SET_SHARING_BASIS = "set_sharing_basis"  # the MDT's core members and lawful basis
    UPDATE_ACTION = "update_action"
    # accounts and the admin site (separation of duties: see `can_manage_account`)
    USE_ADMIN = "use_admin"
    MANAGE_ACCOUNTS = "manage_accounts"
    RESET_SECOND_FACTOR = "reset_second_factor"


_ACTIONS: dict[Action, frozenset[str]] = {
    Action.CREATE_PUPIL: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF}),
    Action.EDIT_PUPIL: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF}),
    Action.SET_NEED_LEVEL: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF}),
    Action.ARCHIVE_PUPIL: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    Action.ALLOCATE: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    Action.MOVE_PUPIL: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    Action.VIEW_HISTORY: frozenset({Role.DSL}),
    Action.VIEW_ACCESS_LOG: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    Action.BREAK_GLASS: frozenset({Role.STAFF}),  # leaders and the DSL already see every pupil
    Action.LOG_CONCERN: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.SPECIALIST, Role.FAMILY_WORKER}),
    Action.REVIEW_SAFEGUARDING: frozenset({Role.DSL}),
    Action.MANAGE_ESCALATION: frozenset({Role.DSL, Role.SENIOR_LEADER}),
    Action.RECORD_STATUTORY_MEETING: frozenset({Role.DSL, Role.SENIOR_LEADER}),
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
    Action.SET_SHARING_BASIS: frozenset({Role.DSL}),
    Action.UPDATE_ACTION: frozenset({Role.DSL, Role.SENIOR_LEADER, Role.STAFF, Role.SPECIALIST, Role.FAMILY_WORKER}),
    # The DSL comes into the admin site only for accounts: it alone may create health and DSL accounts.
    Action.USE_ADMIN: frozenset({Role.SENIOR_LEADER, Role.ADMIN, Role.DSL}),
    Action.MANAGE_ACCOUNTS: frozenset({Role.SENIOR_LEADER, Role.ADMIN, Role.DSL}),
    # Whoever sets passwords day to day (the administrator) never also removes second factors.
    Action.RESET_SECOND_FACTOR: frozenset({Role.SENIOR_LEADER, Role.DSL}),
}


def can(user: User, action: Action) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in _ACTIONS[action])


def role_can(role: str, action: Action) -> bool:
    """Whether people of `role` may do `action` (for choosing whom to offer as, say, an escalation's owner)."""
    return role in _ACTIONS[action]


def require(user: User, action: Action) -> None:
    """A visible record with the wrong role: 403."""
    if not can(user, action):
        raise PermissionDenied


# The pupil scope itself (`pupils_visible_to`, `pupils_writable_by`, `in_pupil_scope`, `works_with`) is the
# pupils app's, in pupils/selectors.py. The app registers it here in its ready(), so that the getter and
# `may_write` use the same scope without this module importing an app.
@dataclass(frozen=True)
class PupilScope:
    visible: Callable[..., QuerySet]  # (user, *, break_glass=True) -> the pupils `user` may see
    writable: Callable[[User], QuerySet]  # (user) -> the pupils whose records `user` may change
    usual: Callable[[User], Q | None]  # (user) -> a filter on pupils without break-glass: Q() all, None none
    rows_about: Callable[[User, str], Q]  # (user, path to pupil) -> a filter on rows about pupils `user` sees


_registered_scope: list[PupilScope] = []


def register_pupil_scope(scope: PupilScope) -> None:
    _registered_scope[:] = [scope]


def pupil_scope() -> PupilScope:
    if not _registered_scope:
        raise ImproperlyConfigured("No pupil scope is registered: the pupils app must be in INSTALLED_APPS.")
    return _registered_scope[0]


# What a break-glass grant allows besides reading the record.
BREAK_GLASS_ACTIONS = frozenset({Action.LOG_CONCERN})
BREAK_GLASS_READ_ONLY = (
    "You opened this record with break-glass access, which lets you read it and log a concern only. "
    "Ask the DSL, a senior leader or the pupil's own centre to make any other change."
)


class BreakGlassReadOnly(PermissionDenied):
    """A write to a pupil the user sees only through a break-glass grant (403, with BREAK_GLASS_READ_ONLY)."""


def can_for_pupil(user: User, action: Action, pupil: Pupil) -> bool:
    """Whether to offer `action` on a page about a pupil from `get_pupil_for_user`: the role may do it, and the
    pupil is not seen only through break-glass (unless the action is one a grant allows)."""
    return can(user, action) and (action in BREAK_GLASS_ACTIONS or not getattr(pupil, "via_break_glass", False))


def may_write(user: User, pupil: Pupil | int) -> bool:
    """Whether `user` may change this pupil's records: the pupil is in their usual scope (not break-glass).
    The role's action is checked separately (`can`)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.sees_all_pupils:
        return True
    pupil_id = pupil if isinstance(pupil, int) else pupil.pk
    return pupil_scope().writable(user).filter(pk=pupil_id).exists()


def require_write(user: User, pupil: Pupil | int, action: Action | None = None) -> None:
    """For services: refuse (403) a write to a pupil outside the user's usual scope, or by the wrong role.

    Every service that changes a pupil's records calls this, so no page, admin action or script can write
    through a break-glass grant; the page shows BREAK_GLASS_READ_ONLY."""
    if action is not None and not can(user, action):
        raise PermissionDenied
    if may_write(user, pupil):
        return
    pupil_id = pupil if isinstance(pupil, int) else pupil.pk
    if pupil_scope().visible(user).filter(pk=pupil_id).exists():
        if action in BREAK_GLASS_ACTIONS:
            return
        raise BreakGlassReadOnly(BREAK_GLASS_READ_ONLY)
    raise PermissionDenied


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


# Referral and intervention specialisms whose work health agencies do (accounts.models.AGENCY_KIND_OF maps
# exactly these to HEALTH_AGENCY_KINDS; a test keeps the two in step). Named here because the
# policy imports no app.
HEALTH_SPECIALISMS = frozenset({"camhs", "salt"})


@dataclass(frozen=True)
class RowRule:
    """Rows of one model that belong to a field group because of what they are about, not which field.

    `rows` picks them out (a condition on the model's own table); `fields` are the fields of such a row in
    the group, or None when the whole row is (its existence, who, which service, and every text); `pupil` is
    the path from the model to its pupil.
    """

    rows: Q
    fields: frozenset[str] | None
    pupil: str = "pupil"


# Health information arrives outside the health record too: an answer from a health or CAMHS agency, a referral
# to a health specialism and the work that follows, and a health professional's allocation. Where a field's
# group depends on the row, it is declared here, and `restricted_rows` / `hidden_row_fields` are the one way
# to ask about it.
ROW_FIELD_GROUPS: dict[FieldGroup, dict[str, RowRule]] = {
    FieldGroup.HEALTH: {
        "referrals.InformationRequest": RowRule(Q(agency__kind__in=HEALTH_AGENCY_KINDS), frozenset({"answer"})),
        "referrals.Referral": RowRule(Q(specialism__in=HEALTH_SPECIALISMS), None),
        "referrals.Intervention": RowRule(Q(specialism__in=HEALTH_SPECIALISMS), None),
        "referrals.InterventionSession": RowRule(
            Q(intervention__specialism__in=HEALTH_SPECIALISMS), None, pupil="intervention__pupil"
        ),
        "pupils.Allocation": RowRule(Q(user__agency__kind__in=HEALTH_AGENCY_KINDS), None),
    },
}


def restricted_rows(user: User, model_label: str) -> list[RowRule]:
    """The row rules of `model_label` whose group `user` may not read (empty: every row is readable)."""
    return [
        rules[model_label]
        for group, rules in ROW_FIELD_GROUPS.items()
        if model_label in rules and not can_read_field_group(user, group)
    ]


def without_restricted_rows(user: User, queryset: QuerySet) -> QuerySet:
    """`queryset` less the rows `user` may not know of at all (rules that cover the whole row)."""
    for rule in restricted_rows(user, queryset.model._meta.label):
        if rule.fields is None:
            queryset = queryset.exclude(rule.rows)
    return queryset


def readable_rows(user: User, model_label: str) -> Q | ExpressionWrapper:
    """A boolean to annotate: True on rows whose restricted fields `user` may read (every row, for readers)."""
    rules = restricted_rows(user, model_label)
    if not rules:
        return ExpressionWrapper(Value(True), output_field=BooleanField())
    hidden = Q()
    for rule in rules:
        hidden |= rule.rows
    return ExpressionWrapper(~hidden, output_field=BooleanField())


def _row_matches(row: Model, rule: RowRule) -> bool:
    return type(row)._default_manager.filter(rule.rows, pk=row.pk).exists()


def row_in_group(row: Model, group: FieldGroup) -> bool:
    """Whether this record is in `group` because of what it is about (for text shown to several people at once,
    such as a meeting's minutes, which must then not name it)."""
    rule = ROW_FIELD_GROUPS.get(group, {}).get(row._meta.label)
    return rule is not None and _row_matches(row, rule)


def hidden_row_fields(user: User, row: Model) -> frozenset[str] | None:
    """Fields of this one loaded row hidden from `user`: model-wide groups and the row's own (None: all of it)."""
    label = row._meta.label
    hidden = _unreadable_everywhere(user, label)
    if hidden is None:
        return None
    found = set(hidden)
    for rule in restricted_rows(user, label):
        if _row_matches(row, rule):
            if rule.fields is None:
                return None
            found |= rule.fields
    return frozenset(found)


def unreadable_fields(user: User, model_label: str) -> frozenset[str] | None:
    """Fields of `model_label` ("app.Model") hidden from `user`: empty if none, None if the whole record is.

    A field hidden only on some rows (ROW_FIELD_GROUPS) is counted as hidden here, so code that treats records
    generically (the history, admin lookups) never shows or filters on it; rows hidden whole are left out of
    the scoped querysets instead (`without_restricted_rows`).
    """
    hidden = _unreadable_everywhere(user, model_label)
    if hidden is None:
        return None
    for rule in restricted_rows(user, model_label):
        hidden |= rule.fields or frozenset()
    return hidden


def _unreadable_everywhere(user: User, model_label: str) -> frozenset[str] | None:
    """FIELD_GROUP_FIELDS alone: fields hidden on every row of the model (None: the whole model)."""
    hidden: set[str] = set()
    for group, models in FIELD_GROUP_FIELDS.items():
        if model_label in models and not can_read_field_group(user, group):
            fields = models[model_label]
            if fields is None:
                return None
            hidden |= fields
    return frozenset(hidden)


class Power(enum.StrEnum):
    """What an account can do that matters for separation of duties."""

    ALL_PUPILS = "all_pupils"  # every pupil's record
    CENTRE = "centre"  # every pupil of one learning centre (PRU staff placed at it)
    HEALTH = "health"  # the health field group
    ACCOUNTS = "accounts"  # other people's accounts


def account_powers(*, role: str, agency, site_id: int | None = None) -> frozenset[Power]:
    """The powers an account with this role, agency and centre has (`agency` an Agency or None)."""
    powers = set()
    if role in (Role.DSL, Role.SENIOR_LEADER):
        powers |= {Power.ALL_PUPILS, Power.CENTRE}
    if role == Role.STAFF and site_id is not None:
        powers.add(Power.CENTRE)
    if role == Role.DSL or (agency is not None and agency.is_health):
        powers.add(Power.HEALTH)
    if role in _ACTIONS[Action.MANAGE_ACCOUNTS]:
        powers.add(Power.ACCOUNTS)
    return frozenset(powers)


def can_manage_account(by: User, *, role: str, agency, site_id: int | None = None) -> bool:
    """May `by` create an account with this role and agency, or change, disable or set the password of one?

    Nobody grants a power they do not hold: the administrator manages accounts that see no pupil by
    themselves and read no health detail (PRU staff not yet placed at a centre, specialists and family workers
    of other agencies, administrators); a senior leader also manages senior leaders and places staff at a
    centre, whose pupils they then see; only the DSL, who reads health detail, manages DSL and health or CAMHS
    accounts. A change is checked against the account before and after it.
    """
    if not can(by, Action.MANAGE_ACCOUNTS):
        return False
    wanted = account_powers(role=role, agency=agency, site_id=site_id)
    return wanted <= account_powers(role=by.role, agency=by.agency, site_id=by.site_id)


def can_reset_second_factor(by: User, user: User) -> bool:
    """Removing someone's authenticators (a lost phone): never one's own, never by the administrator."""
    return (
        can(by, Action.RESET_SECOND_FACTOR)
        and by.pk != user.pk
        and can_manage_account(by, role=user.role, agency=user.agency, site_id=user.site_id)
    )


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


def record_reads(
    request: HttpRequest,
    *,
    pupil_ids: Iterable[int | None],
    outcome: str = AccessEvent.Outcome.ALLOWED,
    field_groups: frozenset[FieldGroup] = frozenset(),
) -> int:
    """One `AccessEvent` for each pupil a list page or a document names, in ONE insert whatever their number.

    The ids travel as a single array parameter (unnest), so a page naming 25 pupils and minutes naming 500
    cost the same single statement. A pupil the reader sees through an unexpired break-glass grant is logged
    as `break_glass`, as `get_pupil_for_user` does. Returns how many rows were written."""
    ids = sorted({int(pk) for pk in pupil_ids if pk is not None})
    if not ids:
        return 0
    user = request.user
    now = timezone.now()
    grants = BreakGlass._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AccessEvent._meta.db_table} "
            "(at, user_id, role, agency_id, pupil_id, pupil_ref, method, path, outcome, field_groups) "
            "SELECT %s, %s, %s, %s, ids.pk, ids.pk, %s, %s, "
            f"CASE WHEN %s AND EXISTS (SELECT 1 FROM {grants} g WHERE g.pupil_id = ids.pk AND g.user_id = %s "
            "AND g.expires_at > %s) THEN %s ELSE %s END, %s FROM unnest(%s::bigint[]) AS ids(pk)",
            [
                now,
                user.pk,
                user.role,
                user.agency_id,
                request.method[:8],
                request.path[:300],
                outcome == AccessEvent.Outcome.ALLOWED and not user.sees_all_pupils,
                user.pk,
                now,
                AccessEvent.Outcome.BREAK_GLASS,
                outcome,
                ",".join(sorted(field_groups)),
                ids,
            ],
        )
    return len(ids)


def record_shared_reads(request: HttpRequest, *, readers: Iterable[tuple[User, int]], reason: str) -> int:
    """Access-log rows for pupils shown to people outside their usual scope under an agreed basis for sharing (a
    meeting's core members, a TAC's team): one row per (reader, pupil), the reader being the person shown the pupil
    on a shared screen or in a document, with `reason` naming the meeting. One insert. Returns how many rows."""
    now = timezone.now()
    rows = [
        AccessEvent(
            at=now,
            user_id=reader.pk,
            role=reader.role,
            agency_id=reader.agency_id,
            pupil_id=pupil_id,
            pupil_ref=pupil_id,
            method=request.method[:8],
            path=request.path[:300],
            outcome=AccessEvent.Outcome.SHARED,
            reason=reason[:160],
        )
        for reader, pupil_id in readers
    ]
    AccessEvent.objects.bulk_create(rows)
    return len(rows)


def _scoped(user: User, queryset_or_model: QuerySet | type[Model], pupil: str | None) -> QuerySet:
    """The rows the getter looks in: the caller's scope (an app's `<plural>_visible_to(user)`), or for a model whose
    rows are scoped by their pupil alone, the rows about pupils the user sees less those hidden whole from them."""
    if isinstance(queryset_or_model, QuerySet):
        return queryset_or_model
    if pupil == "pk":
        return pupil_scope().visible(user)
    if pupil is None:
        raise TypeError("A record not about a pupil has no scope here: pass its app's <plural>_visible_to(user).")
    rows = queryset_or_model._default_manager.filter(pupil_scope().rows_about(user, pupil))
    return without_restricted_rows(user, rows)


def _is_many(model: type[Model], path: str) -> bool:
    """Whether `path` from `model` reaches several rows (a reverse or many-to-many relation on the way)."""
    if path == "pk":
        return False
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        model = field.related_model
    return False


def _pupil_id_of(record: Model, path: str) -> int | None:
    """The id of the pupil at the end of `path` (foreign keys, loaded with the record) from `record`."""
    if path == "pk":
        return record.pk
    *through, last = path.split("__")
    for name in through:
        record = getattr(record, name)
        if record is None:
            return None
    return getattr(record, f"{last}_id")


def _log_read(
    request: HttpRequest,
    model: type[Model],
    record: Model,
    pupil: str | None,
    outcome: str,
    field_groups: frozenset[FieldGroup] = frozenset(),
) -> None:
    """The access-log rows for one record read (or refused): one per pupil it is about that the reader sees."""
    if pupil is None:
        return
    if _is_many(model, pupil):
        about = model._base_manager.filter(pk=record.pk).values(pupil)
        ids = pupil_scope().visible(request.user).filter(pk__in=about).values_list("pk", flat=True)
        record_reads(request, pupil_ids=list(ids), outcome=outcome, field_groups=field_groups)
        return
    pupil_id = _pupil_id_of(record, pupil)
    if pupil_id is not None:
        record_access(request, pupil_id=pupil_id, pupil_ref=pupil_id, outcome=outcome, field_groups=field_groups)


def _log_denied(request: HttpRequest, model: type[Model], pk: int, pupil: str | None) -> None:
    """The access-log row for a record outside the reader's scope, naming its pupil when there is one."""
    if pupil is None:
        return
    if pupil == "pk":
        pupil_id = pk if model._base_manager.filter(pk=pk).exists() else None
        record_access(request, pupil_id=pupil_id, pupil_ref=pk, outcome=AccessEvent.Outcome.DENIED)
        return
    pupil_id = None
    if not _is_many(model, pupil):
        pupil_id = model._base_manager.filter(pk=pk).values_list(pupil, flat=True).first()
    record_access(request, pupil_id=pupil_id, pupil_ref=pupil_id, outcome=AccessEvent.Outcome.DENIED)


def get_for_user(
    request: HttpRequest,
    queryset_or_model: QuerySet | type[Model],
    pk: int,
    *,
    action: Action | None = None,
    field_groups: Iterable[FieldGroup] = (),
    allowed: Callable[[User, Model], bool] | None = None,
    pupil: str | None = "pupil",
) -> Model:
    """The record `pk` if `request.user` may see it, its read written to the access log whatever the outcome.

    `queryset_or_model` is the record's scope: its app's `<plural>_visible_to(user)`, or a model whose rows are
    scoped by their pupil alone. Outside it: 404, so the page does not reveal that the record (or the pupil) is
    known to us. 403 when the role may not do `action`, when `allowed(user, record)` says this person may not act
    on this record, or when the page shows a field group in `field_groups` the user may not read.

    `pupil` is the path from the record to the pupil it is about, which the access log names: "pupil" (the
    default), a longer path through foreign keys ("plan__pupil"), "pk" when the record is the pupil, a path
    through a reverse relation for a record about several pupils (a household: each one the user sees is
    logged), or None for a record about no pupil (nothing logged).

    A pupil (`pupil="pk"`) comes with `via_break_glass`: True when the user sees it only through a break-glass
    grant, which allows reading and BREAK_GLASS_ACTIONS only, so any other `action` is a 403 (BreakGlassReadOnly).
    """
    user = request.user
    groups = frozenset(field_groups)
    scoped = _scoped(user, queryset_or_model, pupil)
    is_pupil = pupil == "pk"
    if is_pupil and not user.sees_all_pupils:
        usual = pupil_scope().usual(user)
        if usual is not None:
            scoped = scoped.annotate(_in_usual_scope=ExpressionWrapper(usual, output_field=BooleanField()))
    model = scoped.model
    record = scoped.filter(pk=pk).first()
    if record is None:
        _log_denied(request, model, pk, pupil)
        raise Http404(f"No such {model._meta.verbose_name}.")
    if (
        (action is not None and not can(user, action))
        or not all(can_read_field_group(user, group) for group in groups)
        or (allowed is not None and not allowed(user, record))
    ):
        _log_read(request, model, record, pupil, AccessEvent.Outcome.FORBIDDEN)
        raise PermissionDenied
    outcome = AccessEvent.Outcome.ALLOWED
    if is_pupil:
        # NULL (no match) counts as outside the usual scope.
        record.via_break_glass = not user.sees_all_pupils and not getattr(record, "_in_usual_scope", False)
        if record.via_break_glass and action is not None and action not in BREAK_GLASS_ACTIONS:
            _log_read(request, model, record, pupil, AccessEvent.Outcome.FORBIDDEN)
            raise BreakGlassReadOnly(BREAK_GLASS_READ_ONLY)
        if record.via_break_glass:
            outcome = AccessEvent.Outcome.BREAK_GLASS
    _log_read(request, model, record, pupil, outcome, groups)
    return record


def get_pupil_for_user(
    request: HttpRequest,
    pk: int,
    *,
    action: Action | None = None,
    field_groups: Iterable[FieldGroup] = (),
    queryset: QuerySet[Pupil] | None = None,
    related: tuple[str, ...] = (),
) -> Pupil:
    """`get_for_user` for a pupil: within `pupils_visible_to(user)`, narrowed by `queryset` if given; `related`
    names foreign keys the page shows, fetched in the same query. `field_groups` are the groups the page shows."""
    scoped = pupil_scope().visible(request.user)
    if queryset is not None:
        scoped = scoped & queryset
    if related:
        scoped = scoped.select_related(*related)
    return get_for_user(request, scoped, pk, action=action, field_groups=field_groups, pupil="pk")
