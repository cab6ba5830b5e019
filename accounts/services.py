"""Writes to people's accounts."""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts.models import User


def user_sessions_end(*, user: User) -> int:
    """Delete every live session that belongs to `user`; returns how many ended."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    """Disable an account: it can no longer sign in, and any session it has open ends now.

    Accounts are never deleted: their name stays on the records they wrote and in the audit trail."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.refresh_from_db()
    transaction.on_commit(lambda: user_sessions_end(user=user))
    return user
