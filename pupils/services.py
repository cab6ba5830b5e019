"""Writes to the pupil record. Each service is atomic; pghistory records the change with the request's user."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from pru_cases.access import FieldGroup, can_write_field_group
from pupils.models import Allocation, HealthRecord, NeedLevelChange, Pupil
from pupils.oversight_summary import oversight_refresh_request

# Fields the edit form may change; status, level of need and version have services of their own.
# What the oversight figures read from the pupil record itself (pupils.oversight_summary).
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


class EditConflict(ValidationError):
    """Someone else saved the record after this edit began."""


CONFLICT_MESSAGE = (
    "Someone else saved this record while you were editing it. Your changes have not been saved; "
    "they are shown below beside the latest version so you can apply them again."
)


@transaction.atomic
def pupil_create(*, by: User, data: dict[str, Any], level_of_need: int = 2) -> Pupil:
    pupil = Pupil(**{name: data[name] for name in PUPIL_EDITABLE_FIELDS if name in data}, level_of_need=level_of_need)
    pupil.full_clean()
    pupil.save()
    NeedLevelChange.objects.create(pupil=pupil, level=level_of_need, reason="Level at entry.", changed_by=by)
    if pupil.exit_date:  # a leaver from the start counts among the leavers of the oversight figures
        oversight_refresh_request(pupil_ids=[pupil.pk])
    return pupil


@transaction.atomic
def pupil_update(*, pupil: Pupil, by: User, data: dict[str, Any], version: int) -> Pupil:
    """Save the edit only if nobody else has saved since `version` was read (no silent overwrite)."""
    changes = {name: data[name] for name in PUPIL_EDITABLE_FIELDS if name in data}
    candidate = Pupil.objects.get(pk=pupil.pk)
    for name, value in changes.items():
        setattr(candidate, name, value)
    candidate.full_clean()
    updated = Pupil.objects.filter(pk=pupil.pk, version=version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise EditConflict(CONFLICT_MESSAGE)
    if any(getattr(candidate, name) != getattr(pupil, name) for name in OVERSIGHT_FIELDS):
        oversight_refresh_request(pupil_ids=[pupil.pk])  # the figures group pupils by these
    pupil.refresh_from_db()
    return pupil


@transaction.atomic
def pupil_set_need_level(*, pupil: Pupil, by: User, level: int, reason: str) -> NeedLevelChange:
    locked = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if locked.level_of_need == level:
        raise ValidationError(f"The level of need is already {level}.")
    change = NeedLevelChange(
        pupil=locked, level=level, previous_level=locked.level_of_need, reason=reason, changed_by=by
    )
    change.full_clean()
    change.save()
    Pupil.objects.filter(pk=pupil.pk).update(
        level_of_need=level, version=F("version") + 1, updated_at=timezone.now()
    )
    pupil.refresh_from_db()
    return change


@transaction.atomic
def pupil_archive(*, pupil: Pupil, by: User, reason: str) -> Pupil:
    """Archiving is how a record leaves the working lists: nothing about a pupil is ever deleted."""
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
    record, _ = HealthRecord.objects.get_or_create(pupil=pupil)
    changes = {name: data[name] for name in HEALTH_EDITABLE_FIELDS if name in data}
    updated = HealthRecord.objects.filter(pk=record.pk, version=version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now(), updated_by=by
    )
    if not updated:
        raise EditConflict(CONFLICT_MESSAGE)
    record.refresh_from_db()
    return record


@transaction.atomic
def allocation_add(*, pupil: Pupil, user: User, by: User, reason: str = "") -> Allocation:
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
    updated = Allocation.objects.filter(pk=allocation.pk, ended_on__isnull=True).update(ended_on=timezone.localdate())
    if not updated:
        raise ValidationError("This allocation has already ended.")
    allocation.refresh_from_db()
    return allocation
