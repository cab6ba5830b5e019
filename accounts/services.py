"""Writes to people's accounts."""

import logging

from django.db import transaction

from accounts.models import User, UserSession

log = logging.getLogger(__name__)


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
def user_deactivate(*, user: User, by: User) -> User:
    """Disable an account: it can no longer sign in, and any session it has open ends now.

    Accounts are never deleted: their name stays on the records they wrote and in the audit trail."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.refresh_from_db()
    transaction.on_commit(lambda: user_sessions_end(user=user))
    return user
