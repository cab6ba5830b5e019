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
    # Send break-glass alerts to the DSL that a mail outage held back, every 5 minutes: https://crontab.guru/#*/5_*_*_*_*
    "break-glass-alerts-sweep": {"task": "pru_cases.tasks.break_glass_alerts_sweep", "schedule": crontab(minute="*/5")},
    # Re-enqueue meeting PDF jobs left pending (broker down at request time) or stuck: https://crontab.guru/#*/2_*_*_*_*
    "meetings-pdf-jobs-sweep": {"task": "meetings.tasks.pdf_jobs_sweep", "schedule": crontab(minute="*/2")},
    # Re-enqueue oversight refresh requests left pending (broker down at the time) or stuck: https://crontab.guru/#*/2_*_*_*_*
    "oversight-refresh-sweep": {"task": "outcomes.tasks.oversight_refresh_sweep", "schedule": crontab(minute="*/2")},
    # Rebuild every oversight summary row from the case records, nightly at 02:30: https://crontab.guru/#30_2_*_*_*
    "oversight-refresh-nightly": {
        "task": "outcomes.tasks.oversight_refresh_nightly",
        "schedule": crontab(minute=30, hour=2),
    },
    # Reminders (accounts.notifications): each pass is idempotent, so a missed or repeated run is harmless.
    # Actions due within three days, and overdue ones, to their owner, weekdays at 07:00: https://crontab.guru/#0_7_*_*_1-5
    "reminders-actions": {
        "task": "accounts.tasks.reminders_run",
        "schedule": crontab(minute=0, hour=7, day_of_week="1-5"),
        "kwargs": {"kinds": ["action_due_soon", "action_overdue"]},
    },
    # The weekly overdue-actions summary to the MDT chair, Mondays at 07:05: https://crontab.guru/#5_7_*_*_1
    "reminders-chair-digest": {
        "task": "accounts.tasks.reminders_run",
        "schedule": crontab(minute=5, hour=7, day_of_week="1"),
        "kwargs": {"kinds": ["overdue_actions_digest"]},
    },
    # Intervention and action plan reviews due within a week, daily at 07:10: https://crontab.guru/#10_7_*_*_*
    "reminders-reviews": {
        "task": "accounts.tasks.reminders_run",
        "schedule": crontab(minute=10, hour=7),
        "kwargs": {"kinds": ["intervention_review", "plan_review"]},
    },
    # Information requests past their due date, to whoever asked, daily at 07:15: https://crontab.guru/#15_7_*_*_*
    "reminders-information-requests": {
        "task": "accounts.tasks.reminders_run",
        "schedule": crontab(minute=15, hour=7),
        "kwargs": {"kinds": ["information_overdue"]},
    },
    # Exit SDQ due once an exit date is set, to the key worker, daily at 07:20: https://crontab.guru/#20_7_*_*_*
    "reminders-sdq-endline": {
        "task": "accounts.tasks.reminders_run",
        "schedule": crontab(minute=20, hour=7),
        "kwargs": {"kinds": ["sdq_endline"]},
    },
    # Reintegration follow-up checks due within three days, to the plan's lead, daily at 07:25: https://crontab.guru/#25_7_*_*_*
    "reminders-follow-ups": {
        "task": "accounts.tasks.reminders_run",
        "schedule": crontab(minute=25, hour=7),
        "kwargs": {"kinds": ["follow_up_due"]},
    },
    # Escalations outside the PRU due today or overdue, to their owner, daily at 07:30: https://crontab.guru/#30_7_*_*_*
    "reminders-escalations": {
        "task": "accounts.tasks.reminders_run",
        "schedule": crontab(minute=30, hour=7),
        "kwargs": {"kinds": ["escalation_due"]},
    },
    # Tomorrow's meeting agenda link to its invitees, daily at 12:00: https://crontab.guru/#0_12_*_*_*
    "reminders-meeting-agenda": {
        "task": "accounts.tasks.reminders_run",
        "schedule": crontab(minute=0, hour=12),
        "kwargs": {"kinds": ["meeting_agenda"]},
    },
    # The daily digest email for people who chose it, daily at 07:45: https://crontab.guru/#45_7_*_*_*
    "notifications-daily-digest": {
        "task": "accounts.tasks.notification_digests_send",
        "schedule": crontab(minute=45, hour=7),
    },
    # Send notification emails still waiting (broker down at the time) or claimed by a dead worker: https://crontab.guru/#*/5_*_*_*_*
    "notifications-emails-sweep": {
        "task": "accounts.tasks.notification_emails_sweep",
        "schedule": crontab(minute="*/5"),
    },
}


def send_now(task, **kwargs) -> None:
    """Publish `task` once to the broker named in settings at this moment (tests point it elsewhere), without
    retrying: a request must fail fast when Redis is down, and the caller's sweeper sends the work later."""
    from django.conf import settings

    with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
        task.apply_async(kwargs=kwargs, connection=connection, retry=False)
