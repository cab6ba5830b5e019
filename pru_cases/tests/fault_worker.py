"""The Celery app the fault tests run a worker with: the production app, with every PDF render stretched by a minute so
a test can kill the worker in the middle of one (`celery_worker(url, app="pru_cases.tests.fault_worker")`)."""

import time

from celery.signals import task_prerun

from pru_cases.celery import app

__all__ = ["app"]

RENDER_PAUSE_SECONDS = 60


@task_prerun.connect
def stretch_pdf_renders(**kwargs) -> None:
    # Patched when the first task starts, once Django is set up; the job is already claimed (RUNNING) by then.
    from meetings import services

    render = services.render_job_pdf
    if getattr(render, "stretched", False):
        return

    def slow_render(job):
        time.sleep(RENDER_PAUSE_SECONDS)
        return render(job)

    slow_render.stretched = True
    services.render_job_pdf = slow_render
