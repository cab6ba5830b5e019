from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings and action plans"

    def ready(self) -> None:
        # What meetings adds to apps below it: its reminder kinds, its panel on the pupil page and its home page
        # sections.
        from accounts.notifications import register_reminder_kinds
        from meetings import panels, reminders
        from meetings.home import SECTIONS
        from pupils import home
        from pupils import panels as pupil_page

        register_reminder_kinds(reminders.KINDS)
        pupil_page.register(panels, order=30)
        for section in SECTIONS:
            home.register(section)
