"""Celery tasks for reminders and notification emails: no arguments but kind names; the services are idempotent."""

from celery import shared_task


@shared_task(ignore_result=True)
def reminders_run(kinds: list[str] | None = None) -> dict[str, int]:
    from accounts.notifications import reminders_run as run

    return run(kinds=kinds)


@shared_task(acks_late=True, ignore_result=True)
def notification_emails_send() -> int:
    from accounts.notifications import notification_emails_send as send

    return send()


@shared_task(acks_late=True, ignore_result=True)
def notification_digests_send() -> int:
    from accounts.notifications import notification_digests_send as send

    return send()


@shared_task(ignore_result=True)
def notification_emails_sweep() -> int:
    from accounts.notifications import notification_emails_sweep as sweep

    return sweep()
