"""Celery tasks for meetings: ids only in, the service does the work (it is idempotent)."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def pdf_job_render(job_id: int) -> None:
    from meetings.services import pdf_job_render as render

    render(job_id=job_id)


@shared_task(ignore_result=True)
def pdf_jobs_sweep() -> int:
    from meetings.services import pdf_jobs_sweep as sweep

    return sweep()
