from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from accounts.notifications import register_reminder_kinds
        from outcomes import reminders
        from outcomes.oversight_summary import refresh_on_pupil_figures_changed
        from pupils.signals import pupil_figures_changed

        register_reminder_kinds(reminders.KINDS)
        pupil_figures_changed.connect(refresh_on_pupil_figures_changed, dispatch_uid="outcomes.oversight_refresh")
