from django.contrib.admin.apps import AdminConfig


class CaseAdminConfig(AdminConfig):
    """Django's admin, with our site class: the roles the policy lets in (pru_cases.admin_policy)."""

    default_site = "pru_cases.admin_policy.CaseAdminSite"
