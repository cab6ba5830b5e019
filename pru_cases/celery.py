"""The Celery app and its beat schedule (the one place where periodic work is listed)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pru_cases.settings")

app = Celery("pru_cases")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Entries are added by the apps as they gain periodic work; each names its crontab.guru link.
app.conf.beat_schedule = {
    # Re-enqueue meeting PDF jobs left pending (broker down at request time) or stuck: https://crontab.guru/#*/2_*_*_*_*
    "meetings-pdf-jobs-sweep": {"task": "meetings.tasks.pdf_jobs_sweep", "schedule": crontab(minute="*/2")},
}
