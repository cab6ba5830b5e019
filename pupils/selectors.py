"""Which pupils a person may see and change: the pupil scope that every app's scope is built on.

The roles and what each may do are the policy's (`pru_cases.access`); this module says which pupils: the DSL and
senior leaders see every pupil, PRU staff the pupils of their centre and those they key-work, specialists and family
workers the pupils they key-work or are allocated to, plus anyone's unexpired break-glass grants (read only).
The pupils app registers this scope with the policy in `PupilsConfig.ready()`, so the audited getter uses it too.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from pru_cases.access import PupilScope
from pru_cases.models import BreakGlass
from pru_cases.roles import Role
from pupils.models import Allocation, Pupil


def _ids(model: type, column: str, where: str, params: tuple) -> RawSQL:
    """`SELECT <column> FROM <model's table> WHERE <where>`: a list of pupil ids written as SQL.

    These lists are in nearly every query of every page (the scope of a hands-on worker, "my pupils" of anyone).
    Built through the ORM, each was compiled again for every query, which cost more than running it; written out
    here they cost nothing to build. Every scope test runs them, so a renamed column fails the suite."""
    table = connection.ops.quote_name(model._meta.db_table)
    return RawSQL(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE {where}", params)


def _union_all(*lists: RawSQL) -> RawSQL:
    return RawSQL(" UNION ALL ".join(ids.sql for ids in lists), tuple(p for ids in lists for p in ids.params))


def _allocated(user: AbstractUser) -> RawSQL:
    """The ids of the pupils `user` has an open allocation to (read from `allocation_open_pupils_idx`)."""
    return _ids(Allocation, "pupil_id", '"user_id" = %s AND "ended_on" IS NULL', (user.pk,))


def _key_worked(user: AbstractUser) -> RawSQL:
    return _ids(Pupil, "id", '"key_worker_id" = %s', (user.pk,))


def _granted(user: AbstractUser) -> RawSQL:
    """The ids of the pupils `user` holds an unexpired break-glass grant for."""
    return _ids(BreakGlass, "pupil_id", '"user_id" = %s AND "expires_at" > %s', (user.pk, timezone.now()))


def works_with(user: AbstractUser) -> Q:
    """Pupils this person key-works or is allocated to (an open allocation): "my pupils".

    Two shapes of the same question, for the planner's sake. Leaders work with few pupils, if any: their pupils are
    fetched by id from one `IN (allocations UNION ALL key-worked)` list instead of testing the whole roll. Hands-on
    staff may work with thousands: each pupil is tested against a hashed list, so a page of them can be read in name
    order and the scan stops as soon as the page is full.
    """
    if user.sees_all_pupils:
        return Q(pk__in=_union_all(_allocated(user), _key_worked(user)))
    return Q(key_worker_id=user.pk) | Q(pk__in=_allocated(user))


def usual_scope(user: AbstractUser) -> Q | None:
    """The pupils a person sees by their role, centre, key-working and allocations; no break-glass grant.
    Q() for everyone, None for no one."""
    if not (user.is_authenticated and user.is_active):
        return None
    if user.sees_all_pupils:
        return Q()
    if user.role == Role.STAFF:
        return Q(key_worker_id=user.pk) | Q(site_id=user.site_id) if user.site_id else Q(key_worker_id=user.pk)
    if user.role in (Role.SPECIALIST, Role.FAMILY_WORKER):
        return works_with(user)
    return None  # administrators manage accounts, not cases


def pupils_visible_to(user: AbstractUser, *, break_glass: bool = True) -> QuerySet[Pupil]:
    """The pupils `user` may see; with `break_glass=False`, only those they may also change (`pupils_writable_by`)."""
    pupils = Pupil.objects.all()
    usual = usual_scope(user)
    if usual is None:
        return pupils.none()
    if user.sees_all_pupils:
        return pupils
    if not break_glass:
        return pupils.filter(usual)
    return pupils.filter(usual | Q(pk__in=_granted(user)))


def pupils_writable_by(user: AbstractUser) -> QuerySet[Pupil]:
    """Pupils whose records `user` may change: their usual scope. A break-glass grant opens a record to read
    and to log a concern only, so that nothing done under it (moving the pupil to the reader's centre, naming
    a key worker) outlives the grant."""
    return pupils_visible_to(user, break_glass=False)


def _short_lists(user: AbstractUser) -> tuple[RawSQL, RawSQL, RawSQL]:
    """The pupils a specialist or family worker may see, as three lists of ids, each read from its own index: their
    open allocations, the pupils they key-work and their unexpired break-glass grants."""
    return _allocated(user), _key_worked(user), _granted(user)


def _sees_short_lists(user: AbstractUser) -> bool:
    return user.is_authenticated and user.is_active and user.role in (Role.SPECIALIST, Role.FAMILY_WORKER)


def in_pupil_scope(user: AbstractUser, field: str = "pupil") -> Q:
    """A filter on `field` (a required foreign key to Pupil) for rows about pupils the user may see.

    Someone who sees every pupil gets no filter at all, rather than `pupil_id IN (every pupil)`, which would make the
    database join every referral or concern against the whole pupil table to learn nothing.
    """
    if user.is_authenticated and user.is_active and user.sees_all_pupils:
        return Q()
    if _sees_short_lists(user):
        # The same pupils as `pupils_visible_to`, matched against each short list hashed once, instead of testing
        # every pupil on roll.
        allocated, key_worked, granted = _short_lists(user)
        return Q(**{f"{field}__in": allocated}) | Q(**{f"{field}__in": key_worked}) | Q(**{f"{field}__in": granted})
    return Q(**{f"{field}__in": pupils_visible_to(user)})


def counted_apart(user: AbstractUser) -> bool:
    """Whether `pupils_counted_for(user)` has a shape of its own, so that a list worth counting counts there."""
    return _sees_short_lists(user)


def pupils_counted_for(user: AbstractUser) -> QuerySet[Pupil]:
    """The pupils of `pupils_visible_to(user)`, in the shape that counts them fastest.

    A specialist's or family worker's pupils are fetched by id from one `UNION ALL` of their short lists (an
    index-only probe of `pupil_active_id_idx` each) rather than by testing every pupil on roll. To list a page of them
    in name order, `pupils_visible_to` is the faster shape: the roll is read in order and the scan stops early."""
    if _sees_short_lists(user):
        allocated, key_worked, granted = _short_lists(user)
        return Pupil.objects.filter(pk__in=_union_all(allocated, key_worked, granted))
    return pupils_visible_to(user)


def break_glass_find_pupil(
    *, upn: str = "", last_name: str = "", date_of_birth: datetime.date | None = None
) -> Pupil | None:
    """The one pupil matching a UPN, or a surname and date of birth; None when not exactly one matches."""
    if upn:
        matches = Pupil.objects.filter(upn=upn.strip().upper())
    elif last_name and date_of_birth:
        matches = Pupil.objects.filter(last_name__iexact=last_name.strip(), date_of_birth=date_of_birth)
    else:
        return None
    found = list(matches[:2])
    return found[0] if len(found) == 1 else None


def visible_pupil_names(user: AbstractUser, pupil_ids: set[int]) -> dict[int, str]:
    """The names of those of `pupil_ids` that `user` may see (one query)."""
    fields = ("pk", "first_name", "preferred_name", "last_name")
    return {pupil.pk: pupil.full_name for pupil in pupils_visible_to(user).filter(pk__in=pupil_ids).only(*fields)}


PUPIL_SCOPE = PupilScope(
    visible=pupils_visible_to, writable=pupils_writable_by, usual=usual_scope, rows_about=in_pupil_scope
)
