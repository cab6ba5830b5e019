"""Reminders with real Redis and a real worker: an outage delays emails but loses none."""

import datetime
import email
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from accounts import notifications
from accounts.models import Notification
from accounts.tests.conftest import PUPIL_NAME, make_action, make_meeting, make_plan
from pru_cases.testing import wait_for

Kind = Notification.Kind


def queued(server) -> int:
    return server.client.llen("celery")


@pytest.mark.django_db(transaction=True)
def test_a_pass_with_redis_down_keeps_every_reminder_and_emails_them_later(pupil, people, private_redis, settings):
    settings.CELERY_BROKER_URL = private_redis.url
    today = timezone.localdate()
    make_action(make_plan(pupil, people["dsl"]), people["staff"], today - datetime.timedelta(days=1))
    private_redis.stop()

    created = notifications.reminders_run(kinds=[Kind.ACTION_OVERDUE])  # the after-commit enqueue fails quietly

    assert created == {Kind.ACTION_OVERDUE: 1}
    waiting = Notification.objects.get()
    assert waiting.emailed_at is None and waiting.email_claimed_at is None
    assert notifications.notification_emails_sweep() == 0  # still down: try again on the next sweep
    assert mail.outbox == []

    private_redis.start()
    assert notifications.notification_emails_sweep() == 1
    assert queued(private_redis) == 1  # the send task is waiting for a worker
    assert notifications.notification_emails_send() == 1  # what that worker runs
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [people["staff"].email]
    assert notifications.notification_emails_sweep() == 0  # nothing left to send


def read_emails(directory: Path) -> list[email.message.Message]:
    """The file backend appends each message and a line of dashes; two sends in one second can share a file."""
    separator = b"\n" + b"-" * 79 + b"\n"
    return [
        email.message_from_bytes(chunk)
        for path in sorted(directory.glob("*.log"))
        for chunk in path.read_bytes().split(separator)
        if chunk.strip()
    ]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_pass_and_sends_each_email_once(
    pupil, people, private_redis, celery_worker, settings, tmp_path
):
    """Beat's message goes through Redis to a worker, which writes the rows, enqueues the send after commit
    and emails through the file backend; a replayed message sends nothing more."""
    from accounts.tasks import reminders_run

    settings.CELERY_BROKER_URL = private_redis.url
    outbox = tmp_path / "mail"
    today = timezone.localdate()
    make_action(make_plan(pupil, people["dsl"]), people["staff"], today - datetime.timedelta(days=2))
    make_meeting(people["leader"], today + datetime.timedelta(days=1), invite=[people["specialist"]])
    worker = celery_worker(
        private_redis.url,
        MAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
        SITE_URL="https://pru.example.org",
    )
    from pru_cases.celery import app

    with app.connection_for_write(private_redis.url) as broker:
        reminders_run.apply_async(kwargs={"kinds": [Kind.ACTION_OVERDUE, Kind.MEETING_AGENDA]}, connection=broker)
        reminders_run.apply_async(kwargs={"kinds": [Kind.ACTION_OVERDUE, Kind.MEETING_AGENDA]}, connection=broker)

    wait_for(
        lambda: Notification.objects.filter(emailed_at__isnull=False).count() == 2,
        timeout=60,
        what=f"two emailed notifications; worker log:\n{worker.log()}",
    )
    wait_for(lambda: queued(private_redis) == 0, timeout=30, what="the queue to drain")
    worker.stop()

    assert Notification.objects.count() == 2
    messages = read_emails(outbox)
    assert sorted(m["To"] for m in messages) == sorted([people["staff"].email, people["specialist"].email])
    for message in messages:
        text = message.as_string()
        assert "https://pru.example.org/" in text
        assert PUPIL_NAME[0] not in text and "SENTINEL" not in text
