from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = "Concerns"

    def ready(self) -> None:
        # What concerns adds to the home page, below it: the DSL's open safeguarding concerns and pattern.
        from concerns.home import SECTIONS
        from pupils import home

        for section in SECTIONS:
            home.register(section)
