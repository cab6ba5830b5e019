"""Writes to people's accounts.

Role, agency, site, specialism, password and second factor decide what a person can read, so they change only here,
each checked against the access policy (`pru_cases.access.can_manage_account`): nobody grants a power they
do not hold, and nobody changes their own role, agency or centre.
"""

import logging
from typing import Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User, UserSession
from pru_cases.access import can_manage_account, can_reset_second_factor

log = logging.getLogger(__name__)

# What an account form may change; the password and second factor have services of their own.
USER_EDITABLE_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "role",
    "specialism",
    "agency",
    "site",
    "is_active",
)
# Fields that decide what the person can read (a specialist's specialism decides which referrals): never one's own.
ACCESS_FIELDS = ("role", "agency", "site", "specialism")


def _require_manage(by: User, account: User) -> None:
    if not can_manage_account(by, role=account.role, agency=account.agency, site_id=account.site_id):
        raise PermissionDenied("You may not create or change an account with that role, agency and centre.")


def user_sessions_end(*, user: User, keep: str | None = None) -> int:
    """Delete every session that belongs to `user`, except the one whose key is `keep` (the browser asking);
    returns how many ended. Each browser finds itself signed out at its next request."""
    sessions = UserSession.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    ended, _ = sessions.delete()
    log.info("user %s: %s session(s) ended%s", user.pk, ended, " (kept the current one)" if keep else "")
    return ended


@transaction.atomic
def user_create(*, by: User, data: dict[str, Any], password: str | None) -> User:
    """A new account; `password` None leaves it without one (the person is sent a reset link)."""
    fields = {name: data[name] for name in USER_EDITABLE_FIELDS if name in data}
    user = User(**fields)
    _require_manage(by, user)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_update(*, user: User, by: User, data: dict[str, Any]) -> User:
    """Change an account's details; switching `is_active` off also ends its sessions (`user_deactivate`)."""
    current = User.objects.select_for_update(of=("self",)).select_related("agency").get(pk=user.pk)
    _require_manage(by, current)
    changes = {name: data[name] for name in USER_EDITABLE_FIELDS if name in data}
    changes = {name: value for name, value in changes.items() if getattr(current, name) != value}
    if current.pk == by.pk and any(name in changes for name in (*ACCESS_FIELDS, "is_active")):
        raise PermissionDenied(
            "Nobody changes their own role, agency, centre, specialism or whether their account is active."
        )
    deactivating = changes.get("is_active") is False
    for name, value in changes.items():
        setattr(current, name, value)
    _require_manage(by, current)
    current.full_clean(exclude=["password"])
    if deactivating:
        current.is_active = True  # user_deactivate switches it off and ends the sessions
    current.save()
    if deactivating:
        user_deactivate(user=current, by=by)
    user.refresh_from_db()
    return user


@transaction.atomic
def user_set_password(*, user: User, by: User, password: str | None) -> User:
    """Set someone else's password (None: no password at all). One's own changes at /account/password/."""
    if user.pk == by.pk:
        raise PermissionDenied("Change your own password on the password page, which asks for the current one.")
    current = User.objects.select_related("agency").get(pk=user.pk)
    _require_manage(by, current)
    if password:
        current.set_password(password)
    else:
        current.set_unusable_password()
    current.save(update_fields=["password"])
    user.refresh_from_db()
    return user


@transaction.atomic
def authenticator_remove(*, authenticator: Authenticator, by: User) -> None:
    """Remove one of someone's second factors (a lost phone); they set up a new one at their next sign-in."""
    owner = User.objects.select_related("agency").get(pk=authenticator.user_id)
    if not can_reset_second_factor(by, owner):
        raise PermissionDenied("You may not remove this person's second factor.")
    authenticator.delete()


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    """Disable an account: it can no longer sign in, and any session it has open ends now.

    Accounts are never deleted: their name stays on the records they wrote and in the audit trail."""
    if user.pk == by.pk:
        raise ValidationError("You cannot disable your own account.")
    current = User.objects.select_related("agency").get(pk=user.pk)
    # Disabling grants nothing, so the centre a member of staff is placed at does not count here: the
    # administrator disables a leaver at once. The role and agency still do (no disabling the DSL).
    if not can_manage_account(by, role=current.role, agency=current.agency):
        raise PermissionDenied("You may not disable an account with that role and agency.")
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.refresh_from_db()
    transaction.on_commit(lambda: user_sessions_end(user=user))
    return user
