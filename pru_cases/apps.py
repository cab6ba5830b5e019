from django.apps import AppConfig


class PruCasesConfig(AppConfig):
    name = "pru_cases"
    verbose_name = "Audit"

    def ready(self) -> None:
        from pru_cases import page_cache

        page_cache.install()
