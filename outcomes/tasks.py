"""Celery tasks for pupils: ids only in, the service does the work (each is idempotent)."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def oversight_refresh_run(refresh_id: int) -> None:
    from outcomes.oversight_summary import oversight_refresh_run as run

    run(refresh_id=refresh_id)


@shared_task(ignore_result=True)
def oversight_refresh_sweep() -> int:
    from outcomes.oversight_summary import oversight_refresh_sweep as sweep

    return sweep()


@shared_task(ignore_result=True)
def oversight_refresh_nightly() -> None:
    from outcomes.oversight_summary import oversight_refresh_all

    oversight_refresh_all()
