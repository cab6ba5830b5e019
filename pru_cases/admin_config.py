from django.contrib.admin.apps import AdminConfig


class CaseAdminConfig(AdminConfig):
    """Django's admin, with our site class: only leaders get in."""

    default_site = "pru_cases.admin.CaseAdminSite"
