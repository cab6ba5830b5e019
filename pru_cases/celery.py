"""The Celery app and its beat schedule (the one place where periodic work is listed)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pru_cases.settings")

app = Celery("pru_cases")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Entries are added by the apps as they gain periodic work; each names its crontab.guru link.
app.conf.beat_schedule = {}
