from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and interventions"

    def ready(self) -> None:
        from pupils import panels as pupil_page
        from referrals import panels

        pupil_page.register(panels, order=10)
