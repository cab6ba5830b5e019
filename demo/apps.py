from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and benchmark commands. Nothing else imports this app; a production deployment may leave it out."""

    name = "demo"
    verbose_name = "Demo data"
