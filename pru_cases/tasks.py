"""Celery tasks of the project package: ids only in, the service does the work."""

from celery import shared_task


@shared_task(ignore_result=True)
def break_glass_alerts_sweep() -> int:
    from pru_cases.security import break_glass_alerts_sweep as sweep

    return sweep()
