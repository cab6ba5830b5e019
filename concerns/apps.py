from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = "Concerns"

    def ready(self) -> None:
        # What concerns adds to the apps below it: the DSL's home page sections (open safeguarding concerns,
        # escalations without an outcome, the pattern), the escalations panel on the pupil page and the
        # escalation reminder.
        from accounts.notifications import register_reminder_kinds
        from concerns import panels, reminders
        from concerns.home import SECTIONS
        from pupils import home
        from pupils import panels as pupil_page

        register_reminder_kinds(reminders.KINDS)
        pupil_page.register(panels, order=15)
        for section in SECTIONS:
            home.register(section)
