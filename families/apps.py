from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"
    verbose_name = "Families"

    def ready(self) -> None:
        from families import panels
        from pupils import panels as pupil_page

        pupil_page.register(panels, order=20)
