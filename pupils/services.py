"""Writes to the pupil record. Each service is atomic; pghistory records the change with the request's user."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Site, User
from pru_cases.access import Action, FieldGroup, can, can_write_field_group, require, require_write
from pru_cases.lib.conflicts import EditConflict
from pupils.models import Allocation, HealthRecord, NeedLevelChange, Pupil
from pupils.signals import pupil_figures_changed

# Fields the edit form may change; status, level of need and version have services of their own.
# The centre and the key worker decide who sees the pupil: a change to either needs its own action
# (ACCESS_FIELD_ACTIONS), checked by pupil_create / pupil_update and by pupil_move / pupil_key_worker_set.
# What the oversight figures read from the pupil record itself (outcomes.oversight_summary).
OVERSIGHT_FIELDS = ("site_id", "entry_date", "exit_date")
PUPIL_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "upn",
    "year_group",
    "site",
    "key_worker",
    "home_local_authority",
    "school_local_authority",
    "referring_school",
    "entry_date",
    "entry_route",
    "exit_date",
    "exit_destination",
    "exit_destination_detail",
    "send_status",
    "semh",
    "social_care_status",
)

HEALTH_EDITABLE_FIELDS = ("conditions", "medication", "allergies", "notes")
# The version a health form carries when the pupil has no health record yet (a saved record starts at 1).
NO_HEALTH_RECORD = 0

ACCESS_FIELD_ACTIONS = {"site": Action.MOVE_PUPIL, "key_worker": Action.ALLOCATE}


CONFLICT_MESSAGE = (
    "Someone else saved this record while you were editing it. Your changes have not been saved; "
    "they are shown below beside the latest version so you can apply them again."
)


def may_change_field(user: User, name: str) -> bool:
    """Whether `user`'s role may change this field of the pupil record (forms show it read-only otherwise)."""
    action = ACCESS_FIELD_ACTIONS.get(name)
    return action is None or can(user, action)


def _check_access_fields(*, by: User, changes: dict[str, Any], current: Pupil | None) -> None:
    """403 for a change to the centre or the key worker by a role without that field's action."""
    for name, action in ACCESS_FIELD_ACTIONS.items():
        if name not in changes or can(by, action):
            continue
        before = getattr(current, f"{name}_id") if current is not None else None
        value = changes[name]
        after = value.pk if hasattr(value, "pk") else value
        if current is None and name == "site" and after == by.site_id:
            continue  # PRU staff add pupils to their own centre
        if after != before:
            raise PermissionDenied


def _check_key_worker(key_worker: User | None) -> None:
    """Who may be named key worker. Not a health or CAMHS professional: that they work with a pupil is health
    detail (their allocation is hidden from those who may not read it), and the key worker is named to everyone
    who sees the pupil."""
    if key_worker is None:
        return
    if not key_worker.is_active or key_worker.role == User.Role.ADMIN:
        raise ValidationError({"key_worker": f"{key_worker} cannot be a key worker."})
    if key_worker.agency_id is not None and key_worker.agency.is_health:
        raise ValidationError(
            {"key_worker": f"{key_worker} works for a health service: allocate them to the pupil instead."}
        )


@transaction.atomic
def pupil_create(*, by: User, data: dict[str, Any], level_of_need: int = 2) -> Pupil:
    """A new pupil. PRU staff add pupils to their own centre with no key worker; the DSL and leaders
    may choose any centre and key worker."""
    require(by, Action.CREATE_PUPIL)
    fields = {name: data[name] for name in PUPIL_EDITABLE_FIELDS if name in data}
    _check_access_fields(by=by, changes=fields, current=None)
    _check_key_worker(fields.get("key_worker"))
    pupil = Pupil(**fields, level_of_need=level_of_need)
    pupil.full_clean()
    pupil.save()
    NeedLevelChange.objects.create(pupil=pupil, level=level_of_need, reason="Level at entry.", changed_by=by)
    if pupil.exit_date:  # a leaver from the start counts among the leavers of the oversight figures
        pupil_figures_changed.send(sender=__name__, pupil_ids=[pupil.pk])
    return pupil


def _update(*, pupil: Pupil, changes: dict[str, Any], version: int | None) -> Pupil:
    """Save `changes` only if nobody else has saved since `version` was read (no silent overwrite)."""
    candidate = Pupil.objects.get(pk=pupil.pk)
    for name, value in changes.items():
        setattr(candidate, name, value)
    candidate.full_clean()
    rows = Pupil.objects.filter(pk=pupil.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(**changes, version=F("version") + 1, updated_at=timezone.now()):
        raise EditConflict(CONFLICT_MESSAGE)
    if any(getattr(candidate, name) != getattr(pupil, name) for name in OVERSIGHT_FIELDS):
        pupil_figures_changed.send(sender=__name__, pupil_ids=[pupil.pk])  # the figures group pupils by these
    pupil.refresh_from_db()
    return pupil


@transaction.atomic
def pupil_update(*, pupil: Pupil, by: User, data: dict[str, Any], version: int) -> Pupil:
    """Save the edit form. A centre or key worker that differs from the saved one needs MOVE_PUPIL or
    ALLOCATE (403 otherwise, so a forged form changes nothing); unchanged, they are left as they are."""
    require_write(by, pupil, Action.EDIT_PUPIL)
    changes = {name: data[name] for name in PUPIL_EDITABLE_FIELDS if name in data}
    current = Pupil.objects.get(pk=pupil.pk)
    _check_access_fields(by=by, changes=changes, current=current)
    if "key_worker" in changes and getattr(changes["key_worker"], "pk", None) != current.key_worker_id:
        _check_key_worker(changes["key_worker"])
    return _update(pupil=pupil, changes=changes, version=version)


@transaction.atomic
def pupil_move(*, pupil: Pupil, by: User, site: Site, version: int | None = None) -> Pupil:
    """Move a pupil to another learning centre (MOVE_PUPIL: the DSL and senior leaders). The centre decides
    which PRU staff see the pupil, so this is the one way to change it outside the edit form."""
    require_write(by, pupil, Action.MOVE_PUPIL)
    return _update(pupil=pupil, changes={"site": site}, version=version)


@transaction.atomic
def pupil_key_worker_set(*, pupil: Pupil, by: User, key_worker: User | None, version: int | None = None) -> Pupil:
    """Name (or clear) the pupil's key worker (ALLOCATE: the DSL and senior leaders). The key worker sees
    the pupil's record, so naming one is an allocation."""
    require_write(by, pupil, Action.ALLOCATE)
    _check_key_worker(key_worker)
    return _update(pupil=pupil, changes={"key_worker": key_worker}, version=version)


@transaction.atomic
def pupil_set_need_level(*, pupil: Pupil, by: User, level: int, reason: str) -> NeedLevelChange:
    require_write(by, pupil, Action.SET_NEED_LEVEL)
    locked = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if locked.level_of_need == level:
        raise ValidationError(f"The level of need is already {level}.")
    change = NeedLevelChange(
        pupil=locked, level=level, previous_level=locked.level_of_need, reason=reason, changed_by=by
    )
    change.full_clean()
    change.save()
    Pupil.objects.filter(pk=pupil.pk).update(level_of_need=level, version=F("version") + 1, updated_at=timezone.now())
    pupil.refresh_from_db()
    return change


@transaction.atomic
def pupil_archive(*, pupil: Pupil, by: User, reason: str) -> Pupil:
    """Archiving is how a record leaves the working lists: nothing about a pupil is ever deleted."""
    require_write(by, pupil, Action.ARCHIVE_PUPIL)
    if not reason.strip():
        raise ValidationError("Give a reason for archiving.")
    updated = Pupil.objects.filter(pk=pupil.pk, status=Pupil.Status.ACTIVE).update(
        status=Pupil.Status.ARCHIVED,
        archived_at=timezone.now(),
        archive_reason=reason.strip(),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError("This pupil is already archived.")
    pupil.refresh_from_db()
    return pupil


@transaction.atomic
def pupil_restore(*, pupil: Pupil, by: User) -> Pupil:
    require_write(by, pupil, Action.ARCHIVE_PUPIL)
    updated = Pupil.objects.filter(pk=pupil.pk, status=Pupil.Status.ARCHIVED).update(
        status=Pupil.Status.ACTIVE, archived_at=None, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError("This pupil is not archived.")
    pupil.refresh_from_db()
    return pupil


@transaction.atomic
def health_record_update(*, pupil: Pupil, by: User, data: dict[str, Any], version: int) -> HealthRecord:
    if not can_write_field_group(by, FieldGroup.HEALTH):
        raise ValidationError("Only health staff and the DSL may change health detail.")
    require_write(by, pupil)
    changes = {name: data[name] for name in HEALTH_EDITABLE_FIELDS if name in data}
    record = HealthRecord.objects.filter(pupil=pupil).first()
    if record is None and version == NO_HEALTH_RECORD:
        # The first save creates the record at version 1. If someone else's first save gets there first, the
        # unique pupil column refuses this one: a conflict, so their record is not overwritten.
        try:
            with transaction.atomic():
                return HealthRecord.objects.create(
                    pupil=pupil, **changes, version=1, updated_at=timezone.now(), updated_by=by
                )
        except IntegrityError:
            raise EditConflict(CONFLICT_MESSAGE) from None
    updated = HealthRecord.objects.filter(pupil=pupil, version=version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now(), updated_by=by
    )
    if not updated:
        raise EditConflict(CONFLICT_MESSAGE)
    return HealthRecord.objects.get(pupil=pupil)


@transaction.atomic
def allocation_add(*, pupil: Pupil, user: User, by: User, reason: str = "") -> Allocation:
    """Open the pupil's record to `user` (ALLOCATE: the DSL and senior leaders, also when triage allocates)."""
    require_write(by, pupil, Action.ALLOCATE)
    if user.role not in (User.Role.SPECIALIST, User.Role.FAMILY_WORKER, User.Role.STAFF):
        raise ValidationError("Only specialists, family workers and PRU staff are allocated to pupils.")
    if not user.is_active:
        raise ValidationError(f"{user} no longer has an active account.")
    if Allocation.objects.filter(pupil=pupil, user=user, ended_on__isnull=True).exists():
        raise ValidationError(f"{user} is already allocated to this pupil.")
    allocation = Allocation(pupil=pupil, user=user, reason=reason, created_by=by)
    allocation.full_clean()
    allocation.save()
    return allocation


@transaction.atomic
def allocation_end(*, allocation: Allocation, by: User) -> Allocation:
    require_write(by, allocation.pupil_id, Action.ALLOCATE)
    updated = Allocation.objects.filter(pk=allocation.pk, ended_on__isnull=True).update(ended_on=timezone.localdate())
    if not updated:
        raise ValidationError("This allocation has already ended.")
    allocation.refresh_from_db()
    return allocation
