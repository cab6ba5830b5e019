"""Cross-cutting security helpers: who is signing in from where, what counts as activity, who needs a
second factor, and break-glass access to a pupil outside one's scope."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from pru_cases.access import record_access
from pru_cases.models import AccessEvent, BreakGlass
from pru_cases.roles import Role

User = AbstractUser  # the accounts app's User: this module reads only what every Django user has, and its role

log = logging.getLogger(__name__)

# Requests a page makes on its own (htmx polling, a badge refresh) send this header: they keep the page
# up to date but are not the person at the keyboard, so they never extend an idle session.
BACKGROUND_HEADER = "X-Background"

SESSION_STARTED = "pru_auth_started"
SESSION_LAST_ACTIVITY = "pru_last_activity"
# Shown to the person in their list of sessions (/account/sessions/), so they can tell which browser is which.
SESSION_USER_AGENT = "pru_user_agent"
SESSION_IP_ADDRESS = "pru_ip_address"
# Write the activity stamp at most once a minute, so an ordinary page view does not also write the session.
ACTIVITY_RESOLUTION = 60


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username a login attempt is for (django-axes keys lockouts on it, with the address).

    allauth passes `username` to authenticate(); its form posts the field as `login`."""
    if credentials and credentials.get("username"):
        return str(credentials["username"]).strip().lower()[:150]
    data = getattr(request, "POST", {}) or {}
    value = data.get("login") or data.get("username")
    return str(value).strip().lower()[:150] if value else None


def client_ip(request: HttpRequest) -> str:
    """The address a request came from. Behind our reverse proxy (BEHIND_PROXY=True) the proxy appends the
    real client address as the last X-Forwarded-For entry; anything before it was sent by the client and
    could be forged to dodge a lockout."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        parts = [part.strip() for part in forwarded.split(",") if part.strip()]
        if parts:
            return parts[-1][:45]
    return request.META.get("REMOTE_ADDR", "")[:45] or "0.0.0.0"


def is_background_request(request: HttpRequest) -> bool:
    value = request.headers.get(BACKGROUND_HEADER, "").strip().lower()
    return value in ("1", "true", "yes")


def session_stamp(session, now: datetime.datetime | None = None) -> None:
    """Start the idle and absolute clocks for a freshly signed-in session."""
    stamp = int((now or timezone.now()).timestamp())
    session[SESSION_STARTED] = stamp
    session[SESSION_LAST_ACTIVITY] = stamp


def session_expiry_reason(session, now: datetime.datetime) -> str | None:
    """Why this session must end now, or None. Sessions with no stamps (made before these rules) are stamped."""
    started = session.get(SESSION_STARTED)
    last = session.get(SESSION_LAST_ACTIVITY)
    stamp = int(now.timestamp())
    if started is None or last is None:
        session_stamp(session, now)
        return None
    if stamp - int(started) > settings.SESSION_ABSOLUTE_LIFETIME:
        return "lifetime"
    if stamp - int(last) > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


def session_touch(session, now: datetime.datetime) -> None:
    stamp = int(now.timestamp())
    if stamp - int(session.get(SESSION_LAST_ACTIVITY, 0)) >= ACTIVITY_RESOLUTION:
        session[SESSION_LAST_ACTIVITY] = stamp


def mfa_required_for(user: User) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return settings.MFA_REQUIRED_FOR_EVERYONE or user.role in settings.MFA_REQUIRED_ROLES


def second_factors(user_id) -> QuerySet:
    """The authenticator app and passkeys of the person `user_id` (recovery codes are not a factor on their own)."""
    from allauth.mfa.models import Authenticator

    kinds = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    return Authenticator.objects.filter(user_id=user_id, type__in=kinds)


def has_second_factor(user: User) -> bool:
    return second_factors(user.pk).exists()


def had_second_factor_at_load(user: User) -> bool:
    """`has_second_factor` as it was when the request loaded the person (accounts.auth_backends, no query of its
    own), or asked now for a person loaded some other way."""
    loaded = getattr(user, "second_factor_at_load", None)
    return has_second_factor(user) if loaded is None else loaded


# Break-glass: a time-limited grant to one pupil outside the user's scope, with a reason, audited, and the
# safeguarding leads told at once.

BREAK_GLASS_SUBJECT = "Break-glass access used"


def break_glass_recipients() -> list[str]:
    dsl_emails = (
        get_user_model().objects.filter(role=Role.DSL, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    return sorted(set(dsl_emails) | set(settings.SAFEGUARDING_ALERT_EMAILS))


@transaction.atomic
def break_glass_grant(*, request: HttpRequest, user: User, pupil, reason: str) -> BreakGlass:
    """Open one pupil's record to `user` for BREAK_GLASS_HOURS, audit it and tell the DSL after commit."""
    reason = reason.strip()
    if len(reason) < 20:
        raise ValidationError({"reason": "Say why you need this record now, in at least a sentence."})
    now = timezone.now()
    grant = BreakGlass(
        user=user,
        pupil=pupil,
        reason=reason,
        granted_at=now,
        expires_at=now + datetime.timedelta(hours=settings.BREAK_GLASS_HOURS),
    )
    grant.full_clean()
    grant.save()
    record_access(request, pupil_id=pupil.pk, pupil_ref=pupil.pk, outcome=AccessEvent.Outcome.BREAK_GLASS)
    transaction.on_commit(lambda: break_glass_notify(grant_id=grant.pk), robust=True)
    return grant


# How far back the sweeper still sends an alert that could not be sent at the time.
BREAK_GLASS_ALERT_RETRY_DAYS = 7


def break_glass_alerts_sweep(*, now: datetime.datetime | None = None) -> int:
    """Send the alerts a mail outage held back (the grant is the row; `notified_at` empty means unsent).
    Runs from beat; stops at the first refusal, so a server that is still down is tried again next time."""
    since = (now or timezone.now()) - datetime.timedelta(days=BREAK_GLASS_ALERT_RETRY_DAYS)
    pending = BreakGlass.objects.filter(notified_at__isnull=True, granted_at__gte=since).order_by("granted_at")
    sent = 0
    for grant_id in pending.values_list("pk", flat=True):
        try:
            sent += break_glass_notify(grant_id=grant_id)
        except OSError:
            log.warning("break-glass alerts: the mail server refused; %s left for the next sweep", grant_id)
            break
    return sent


@transaction.atomic
def break_glass_notify(*, grant_id: int) -> bool:
    """Email the safeguarding leads, once: the grant is locked while it is sent and stamped after, so the send
    after commit and the sweeper never both send it. The subject and body carry no pupil name: only the
    record number and a link, so a mail client preview or a forwarded message reveals nothing about the child.
    """
    grant = (
        BreakGlass.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("user")
        .filter(pk=grant_id, notified_at__isnull=True)
        .first()
    )
    if grant is None:
        return False  # sent already, or being sent by another process
    recipients = break_glass_recipients()
    if not recipients:
        log.warning("break-glass grant %s: no safeguarding lead has an email address", grant.pk)
        return False
    body = (
        f"{grant.user} ({grant.user.get_role_display()}) used break-glass access to pupil record "
        f"{grant.pupil_id} at {timezone.localtime(grant.granted_at):%d/%m/%Y %H:%M}.\n"
        f"Access lasts until {timezone.localtime(grant.expires_at):%H:%M on %d/%m/%Y}.\n\n"
        f"Reason given:\n{grant.reason}\n\n"
        f"Review it: {settings.SITE_URL}/pupils/{grant.pupil_id}/\n"
    )
    send_mail(BREAK_GLASS_SUBJECT, body, None, recipients)
    BreakGlass.objects.filter(pk=grant.pk).update(notified_at=timezone.now(), notified_to=", ".join(recipients)[:500])
    return True


def stamp_session_on_login(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """Every way of signing in (password and second factor, an admin, a test client) passes through
    django.contrib.auth.login, so the idle and absolute clocks start there."""
    if request is not None and hasattr(request, "session"):
        session_stamp(request.session)
        request.session[SESSION_USER_AGENT] = request.META.get("HTTP_USER_AGENT", "")[:300]
        if request.META.get("REMOTE_ADDR"):
            request.session[SESSION_IP_ADDRESS] = client_ip(request)


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None):
    """The page django-axes shows once a username is locked from an address (429, Retry-After)."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
