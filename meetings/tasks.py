"""Celery tasks for meetings: ids only in, the service does the work (it is idempotent)."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def pdf_job_render(self, job_id: int) -> None:
    from meetings.services import pdf_job_render as render

    # Handed back by the broker after a worker died holding it: the job may still say RUNNING.
    render(job_id=job_id, redelivered=bool((self.request.delivery_info or {}).get("redelivered")))


@shared_task(ignore_result=True)
def pdf_jobs_sweep() -> int:
    from meetings.services import pdf_jobs_sweep as sweep

    return sweep()
