from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People, agencies and sites"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from pru_cases.security import stamp_session_on_login

        user_logged_in.connect(stamp_session_on_login, dispatch_uid="pru_session_stamp")
