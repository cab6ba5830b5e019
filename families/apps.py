from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"
    verbose_name = "Families"

    def ready(self) -> None:
        # What families adds to apps below it: its reminder kinds, its panel on the pupil page, and the consent
        # on record that a referral must respect.
        from accounts.notifications import register_reminder_kinds
        from families import panels, reminders
        from families.consent import consent_problem
        from pupils import panels as pupil_page
        from referrals.services import register_consent_check

        register_reminder_kinds(reminders.KINDS)
        pupil_page.register(panels, order=20)
        register_consent_check(consent_problem)
