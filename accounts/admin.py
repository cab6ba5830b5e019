from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Agency, AgencyService, Site, User
from pru_cases.admin import LeaderAdmin


class AgencyServiceInline(admin.TabularInline):
    model = AgencyService
    extra = 0
    fields = ["name", "who_for", "how_to_access", "is_active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(LeaderAdmin):
    list_display = ["name", "kind", "email", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "notes"]
    inlines = [AgencyServiceInline]


@admin.register(AgencyService)
class AgencyServiceAdmin(LeaderAdmin):
    list_display = ["name", "agency", "who_for", "is_active"]
    list_filter = ["is_active", "agency__kind"]
    search_fields = ["name", "description", "agency__name"]
    list_select_related = ["agency"]


@admin.register(Site)
class SiteAdmin(LeaderAdmin):
    list_display = ["name", "code", "phone"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(LeaderAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "agency", "site", "is_active", "last_login"]
    list_filter = ["role", "is_active", "agency__kind", "site"]
    search_fields = ["username", "first_name", "last_name", "email", "job_title"]
    list_select_related = ["agency", "site"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email", "phone", "job_title"]}),
        ("Role and team", {"fields": ["role", "agency", "site", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2"]}),
        ("Role and team", {"fields": ["first_name", "last_name", "email", "role", "agency", "site"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
