from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        # What outcomes adds to apps below it: its reminder kinds, the refresh of the oversight figures when a
        # write below changes them, each case's recent attendance on the meeting screen, and the leaders' headline
        # on the home page.
        from accounts.notifications import register_reminder_kinds
        from meetings import case_sections
        from outcomes import home, meeting_sections, reminders
        from outcomes.oversight_summary import refresh_on_pupil_figures_changed
        from pupils import home as home_page
        from pupils.signals import pupil_figures_changed

        register_reminder_kinds(reminders.KINDS)
        pupil_figures_changed.connect(refresh_on_pupil_figures_changed, dispatch_uid="outcomes.oversight_refresh")
        case_sections.register(meeting_sections.ATTENDANCE)
        for section in home.SECTIONS:
            home_page.register(section)
