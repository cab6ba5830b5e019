"""The session engine (SESSION_ENGINE): Django's database sessions, in accounts.UserSession, whose extra columns
(owner, browser, address, when it started and was last used) are filled from the session data on every save."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.models import UserSession
from pru_cases import security


def _moment(stamp) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):

        return UserSession

    def load(self) -> dict:
        """The session's data, read with one statement written out: every request reads its session, and building
        that query through the ORM took longer than running it. A missing or expired session reads as empty and
        forgets its key, as Django's own `load` does."""
        database = connections[router.db_for_read(UserSession)]
        table = database.ops.quote_name(UserSession._meta.db_table)
        with database.cursor() as cursor:
            cursor.execute(
                f'SELECT "session_data" FROM {table} WHERE "session_key" = %s AND "expire_date" > %s',
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])

    def create_model_instance(self, data: dict):
        session = super().create_model_instance(data)
        user_id = str(data.get("_auth_user_id", ""))
        session.user_id = int(user_id) if user_id.isdigit() else None
        session.user_agent = str(data.get(security.SESSION_USER_AGENT, ""))[:300]
        session.ip_address = data.get(security.SESSION_IP_ADDRESS) or None
        session.started_at = _moment(data.get(security.SESSION_STARTED))
        session.last_active_at = _moment(data.get(security.SESSION_LAST_ACTIVITY))
        return session


@dataclass(frozen=True)
class SessionSummary:
    key: str
    browser: str
    user_agent: str
    ip_address: str | None
    started_at: datetime.datetime | None
    last_active_at: datetime.datetime | None
    is_current: bool


def browser_label(user_agent: str) -> str:
    """A rough "Firefox on Windows" for people; the full string is shown beside it."""
    browser = next(
        (
            name
            for token, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
            if token in user_agent
        ),
        "",
    )
    system = next(
        (
            name
            for token, name in (
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Android", "Android"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("CrOS", "ChromeOS"),
                ("Linux", "Linux"),
            )
            if token in user_agent
        ),
        "",
    )
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def sessions_of(user, *, current_key: str | None, now: datetime.datetime | None = None) -> list[SessionSummary]:
    """The user's own sessions that could still be used: not past their idle or absolute limits, and signed with
    the user's present password (a password change ends the others)."""

    now = now or timezone.now()
    rows = UserSession.objects.filter(
        user=user,
        expire_date__gt=now,
        last_active_at__gt=now - datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT),
        started_at__gt=now - datetime.timedelta(seconds=settings.SESSION_ABSOLUTE_LIFETIME),
    ).order_by("-last_active_at", "session_key")
    password_hash = user.get_session_auth_hash()
    summaries = []
    for row in rows:
        if not constant_time_compare(row.get_decoded().get(HASH_SESSION_KEY, ""), password_hash):
            continue
        summaries.append(
            SessionSummary(
                key=row.session_key,
                browser=browser_label(row.user_agent),
                user_agent=row.user_agent,
                ip_address=row.ip_address,
                started_at=row.started_at,
                last_active_at=row.last_active_at,
                is_current=row.session_key == current_key,
            )
        )
    return summaries
