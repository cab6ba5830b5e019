"""Reminders and notifications: rows first, emails second.

A reminder pass turns each kind's set-based query (the apps' `reminders.py`) into Notification rows with one
INSERT ... SELECT ... ON CONFLICT DO NOTHING per kind, so a pass over 100,000 open actions is a handful of
statements and a repeated or overlapping pass inserts nothing. Emails follow after commit: a row is claimed
by a conditional UPDATE (email_claimed_at IS NULL) before it is sent, so two workers never send it twice, and
a beat sweeper sends whatever is still waiting, so Redis being down delays an email but never loses it.

Emails leave the system: they name the kind of reminder and the date and link to the page, never a pupil.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import BigIntegerField, CharField, DateField, F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts import tasks
from accounts.models import EmailPreference, Notification, User
from pru_cases.celery import send_now

log = logging.getLogger(__name__)

Kind = Notification.Kind
EMAIL_BATCH = 200
# A claim older than this belongs to a worker that died mid-send: the sweeper releases it.
STALE_CLAIM = datetime.timedelta(minutes=15)


# --- building reminder queries -------------------------------------------------------------------------------


def link(*parts: str | F) -> Concat | Value:
    """A site-relative path built in SQL from literal pieces and fields: link("/meetings/", F("pk"), "/")."""
    pieces = [Value(part) if isinstance(part, str) else Cast(part, output_field=CharField()) for part in parts]
    return Concat(*pieces, output_field=CharField()) if len(pieces) > 1 else pieces[0]


def reminder_rows(
    queryset: QuerySet,
    *,
    recipient: str | F,
    obj: str | int,
    due_on: str | F | None,
    path: Concat | Value,
    occasion: str | None = None,
    count: int | None = None,
) -> QuerySet:
    """Shape a query as the columns a Notification needs. The occasion defaults to the due date, so a changed
    due date is a new reminder and an unchanged one is the same reminder however often the pass runs."""
    due = F(due_on) if isinstance(due_on, str) else due_on
    return queryset.values(
        n_recipient=F(recipient) if isinstance(recipient, str) else recipient,
        n_object=Cast(Value(obj), output_field=BigIntegerField()) if isinstance(obj, int) else F(obj),
        n_occasion=Value(occasion) if occasion is not None else Cast(due, output_field=CharField()),
        n_due_on=due if due is not None else Cast(Value(None), output_field=DateField()),
        n_path=path,
        n_count=Cast(Value(count), output_field=IntegerField()),
    ).order_by()


@dataclass(frozen=True)
class ReminderKind:
    kind: str
    rows: Callable[[datetime.date], QuerySet | None]


# Each app that owns records with due dates registers its kinds here from its AppConfig.ready() (accounts sits below
# them all and imports none of them).
_kinds: dict[str, ReminderKind] = {}


def register_reminder_kinds(kinds: Iterable[ReminderKind]) -> None:
    """Make the daily pass create reminders of these kinds. Registering a kind again replaces it."""
    for item in kinds:
        _kinds[item.kind] = item


def reminder_kinds() -> dict[str, ReminderKind]:
    """Every kind the pass knows, as the apps that own the records registered them."""
    return dict(_kinds)


def _insert(kind: str, rows: QuerySet, now: datetime.datetime) -> int:
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_notification "
            "(recipient_id, kind, object_id, occasion, due_on, count, path, created_at) "
            "SELECT src.n_recipient, %s, src.n_object, src.n_occasion, src.n_due_on, src.n_count, src.n_path, %s "
            f"FROM ({sql}) AS src JOIN accounts_user u ON u.id = src.n_recipient AND u.is_active "
            "ON CONFLICT (recipient_id, kind, object_id, occasion) DO NOTHING",
            [kind, now, *params],
        )
        return cursor.rowcount


def reminders_run(*, kinds: Iterable[str] | None = None, today: datetime.date | None = None) -> dict[str, int]:
    """Create the due reminders of the given kinds (all by default). Returns how many new rows per kind.

    Safe to run at any time and any number of times, also two at once: the unique key decides."""
    today = today or timezone.localdate()
    now = timezone.now()
    known = reminder_kinds()
    wanted = list(kinds) if kinds is not None else list(known)
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise ValueError(f"Unknown reminder kinds: {', '.join(unknown)}")
    created: dict[str, int] = {}
    with transaction.atomic():
        for kind in wanted:
            rows = known[kind].rows(today)
            created[kind] = _insert(kind, rows, now) if rows is not None else 0
        if any(created.values()):
            emails_enqueue_after_commit()
    return created


# --- event alerts ---------------------------------------------------------------------------------------------


def notify(
    *,
    kind: str,
    recipients: Iterable[User | int],
    object_id: int,
    occasion: str,
    path: str,
    pupil_id: int | None = None,
    detail: str = "",
    exclude: User | None = None,
) -> int:
    """Tell these people at once that something happened: one notification each, in the caller's transaction.

    The unique key (recipient, kind, object, occasion) makes it idempotent: the same event retried, or recorded
    twice, tells nobody twice. Inactive accounts and `exclude` (who did it) are left out. The email, for those who
    want one, follows after commit and names no pupil. Returns how many people it was for (those already told
    of this event are not told again)."""
    ids = {recipient if isinstance(recipient, int) else recipient.pk for recipient in recipients}
    ids.discard(exclude.pk if exclude is not None else None)
    active = list(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    if not active:
        return 0
    now = timezone.now()
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                object_id=object_id,
                occasion=occasion[:20],
                path=path[:200],
                pupil_ref=pupil_id,
                detail=detail.strip()[:300],
                created_at=now,
            )
            for pk in sorted(active)
        ],
        ignore_conflicts=True,
    )
    emails_enqueue_after_commit()
    return len(created)


def safeguarding_leads() -> QuerySet[User]:
    """Who hears of every safeguarding concern at once: the active designated safeguarding leads."""
    return User.objects.filter(role=User.Role.DSL, is_active=True)


# Which of some pupils a person may still see, and their names: registered by the pupils app (which sits above
# this one) from its ready(). An alert about a pupil outside the reader's scope is shown without the name.
_pupil_namers: list[Callable[[User, set[int]], dict[int, str]]] = []


def register_pupil_namer(namer: Callable[[User, set[int]], dict[int, str]]) -> None:
    _pupil_namers[:] = [namer]


def pupil_names(user: User, pupil_ids: set[int]) -> dict[int, str]:
    if not pupil_ids or not _pupil_namers:
        return {}
    return _pupil_namers[0](user, pupil_ids)


# --- in-app ---------------------------------------------------------------------------------------------------


def notifications_for(user: User) -> QuerySet[Notification]:
    """The only way to reach a notification: one's own."""
    return Notification.objects.filter(recipient_id=user.pk)


def unread_count(user: User) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Reading in the app also means no email is needed any more if it has not gone yet."""
    if notification.recipient_id != by.pk:
        raise PermissionError("Only the recipient can mark a notification as read.")
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    return notifications_for(by).filter(read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def email_preference_set(*, user: User, by: User, preference: str) -> User:
    if user.pk != by.pk:
        raise PermissionError("People choose their own email preference.")
    if preference not in EmailPreference.values:
        raise ValueError("Unknown email preference.")
    user.email_preference = preference
    user.save(update_fields=["email_preference"])
    return user


# --- email ----------------------------------------------------------------------------------------------------


def emails_enqueue_after_commit() -> None:
    """Ask a worker to send the waiting emails once the rows are committed. If the broker is down the
    request is logged and dropped: the rows stay, and the beat sweeper sends them on its next run."""
    transaction.on_commit(emails_enqueue, robust=True)


def emails_enqueue() -> None:

    send_now(tasks.notification_emails_send)


def _waiting(preference: str) -> QuerySet[Notification]:
    return Notification.objects.filter(
        email_claimed_at__isnull=True,
        emailed_at__isnull=True,
        read_at__isnull=True,
        recipient__is_active=True,
        recipient__email_preference=preference,
    ).exclude(recipient__email="")


def _claim(queryset: QuerySet[Notification], now: datetime.datetime, limit: int | None = EMAIL_BATCH) -> list[int]:
    """Claim rows with a conditional UPDATE; rows another worker holds are skipped, not waited for."""
    with transaction.atomic():
        ids = list(
            queryset.select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_notification SET email_claimed_at = %s "
                "WHERE id = ANY(%s) AND email_claimed_at IS NULL AND emailed_at IS NULL RETURNING id",
                [now, ids],
            )
            return sorted(row[0] for row in cursor.fetchall())


def _release(ids: list[int]) -> None:
    Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(email_claimed_at=None)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def render_plain_text(template_name: str, context: dict) -> str:
    """A subject line or plain-text body: never HTML-escaped (an apostrophe must not arrive as &#x27;)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _message(user: User, template: str, context: dict) -> EmailMultiAlternatives:
    context = {"user": user, "site_url": settings.SITE_URL.rstrip("/"), **context}
    subject = " ".join(render_plain_text(f"emails/{template}-subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_plain_text(f"emails/{template}-body.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string(f"emails/{template}-body.html", context), "text/html")
    return message


def notification_emails_send(*, now: datetime.datetime | None = None) -> int:
    """Email each waiting notification of people who chose immediate emails, one email each. Returns how
    many were sent. A failed send releases its claim, so the next run tries again."""
    now = now or timezone.now()
    sent = 0
    refused: list[int] = []  # rows whose email could not be built or was refused: tried again on the next run
    while True:
        ids = _claim(_waiting(EmailPreference.IMMEDIATE).exclude(pk__in=refused), now)
        if not ids:
            return sent
        batch = Notification.objects.filter(pk__in=ids).select_related("recipient").order_by("pk")
        for position, notification in enumerate(batch):
            # Renew the claim just before sending: if the sweeper released it (a slow mail server) and another
            # worker took it, this worker leaves it; the renewed time keeps a live worker's claim fresh.
            claim = timezone.now()
            held = Notification.objects.filter(pk=notification.pk, email_claimed_at=now, emailed_at__isnull=True)
            if not held.update(email_claimed_at=claim):
                continue
            try:
                _message(
                    notification.recipient,
                    "notification",
                    {"notification": notification, "url": _absolute(notification.path)},
                ).send()
            except OSError:  # the mail server is unreachable: give the rest back for the next run
                log.warning("Could not send notification email %s; will retry", notification.pk)
                _release(ids[position:])
                return sent
            except Exception:  # this one email is at fault (an address the backend refuses, say): skip it only
                log.exception("Notification email %s was refused; it stays waiting", notification.pk)
                refused.append(notification.pk)
                _release([notification.pk])
                continue
            Notification.objects.filter(pk=notification.pk, email_claimed_at=claim).update(emailed_at=timezone.now())
            sent += 1


def notification_digests_send(*, now: datetime.datetime | None = None) -> int:
    """One email per person who chose the daily digest, listing their waiting notifications. Returns how many
    emails went."""
    now = now or timezone.now()
    sent = 0
    recipients = list(_waiting(EmailPreference.DAILY).order_by().values_list("recipient_id", flat=True).distinct())
    for user in User.objects.filter(pk__in=recipients).order_by("pk"):
        ids = _claim(_waiting(EmailPreference.DAILY).filter(recipient_id=user.pk), now, limit=None)
        if not ids:
            continue  # another worker is sending this person's digest
        items = list(Notification.objects.filter(pk__in=ids).order_by("due_on", "pk"))
        try:
            _message(
                user,
                "digest",
                {
                    "notifications": [(item, _absolute(item.path)) for item in items],
                    "url": _absolute("/account/notifications/"),
                },
            ).send()
        except OSError:
            log.warning("Could not send the daily digest for user %s; will retry", user.pk)
            _release(ids)
            break
        except Exception:  # this person's digest is at fault: the others still go
            log.exception("The daily digest for user %s was refused; it stays waiting", user.pk)
            _release(ids)
            continue
        Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
        sent += 1
    return sent


def notification_emails_sweep(*, now: datetime.datetime | None = None) -> int:
    """Release claims left by a worker that died mid-send, then enqueue a send if anything is waiting.
    Returns 1 if a send was enqueued."""
    now = now or timezone.now()
    Notification.objects.filter(emailed_at__isnull=True, email_claimed_at__lt=now - STALE_CLAIM).update(
        email_claimed_at=None
    )
    if not _waiting(EmailPreference.IMMEDIATE).exists():
        return 0
    try:
        emails_enqueue()
    except (OperationalError, OSError):
        log.warning("Could not enqueue notification emails; will retry on the next sweep")
        return 0
    return 1
