from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and interventions"

    def ready(self) -> None:
        # What referrals adds to apps below it: its reminder kinds, its panel on the pupil page and its home
        # page sections.
        from accounts.notifications import register_reminder_kinds
        from pupils import home
        from pupils import panels as pupil_page
        from referrals import panels, reminders
        from referrals.home import SECTIONS

        register_reminder_kinds(reminders.KINDS)
        pupil_page.register(panels, order=10)
        for section in SECTIONS:
            home.register(section)
