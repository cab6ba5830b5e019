from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from accounts.notifications import register_reminder_kinds
        from outcomes import reminders

        register_reminder_kinds(reminders.KINDS)
