from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings and action plans"

    def ready(self) -> None:
        from meetings import panels
        from pupils import panels as pupil_page

        pupil_page.register(panels, order=30)
