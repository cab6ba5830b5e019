from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "pupils"
    verbose_name = "Pupils"

    def ready(self):
        from accounts.notifications import register_pupil_namer
        from pru_cases.access import register_pupil_scope
        from pupils.selectors import PUPIL_SCOPE, visible_pupil_names

        register_pupil_scope(PUPIL_SCOPE)
        register_pupil_namer(visible_pupil_names)
