from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and interventions"

    def ready(self) -> None:
        # What referrals adds to apps below it: its reminder kinds and its panel on the pupil page.
        from accounts.notifications import register_reminder_kinds
        from pupils import panels as pupil_page
        from referrals import panels, reminders

        register_reminder_kinds(reminders.KINDS)
        pupil_page.register(panels, order=10)
