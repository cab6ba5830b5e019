from django.apps import AppConfig


class PruCasesConfig(AppConfig):
    name = "pru_cases"
    verbose_name = "Audit"
