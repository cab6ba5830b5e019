from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "pupils"
    verbose_name = "Pupils"

    def ready(self):
        from pru_cases.access import register_pupil_scope
        from pupils.selectors import PUPIL_SCOPE

        register_pupil_scope(PUPIL_SCOPE)
