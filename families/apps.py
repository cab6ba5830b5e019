from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"
    verbose_name = "Families"

    def ready(self) -> None:
        # What families adds to apps below it: its reminder kinds and its panel on the pupil page.
        from accounts.notifications import register_reminder_kinds
        from families import panels, reminders
        from pupils import panels as pupil_page

        register_reminder_kinds(reminders.KINDS)
        pupil_page.register(panels, order=20)
