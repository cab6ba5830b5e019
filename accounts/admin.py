from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from accounts import services
from accounts.models import Agency, AgencyService, Notification, Site, User
from pru_cases.admin import LeaderAdmin, ReadOnlyLeaderAdmin


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
    actions = ["deactivate"]

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        # Switching is_active off goes through the service, so the person's open sessions end too.
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if deactivating:
            services.user_deactivate(user=obj, by=request.user)

    @admin.action(description="Disable the selected accounts and end their sessions")
    def deactivate(self, request: HttpRequest, queryset) -> None:
        for user in queryset.filter(is_active=True):
            services.user_deactivate(user=user, by=request.user)
        messages.success(request, "The selected accounts are disabled and signed out.")


# Sign-in security records, managed by leaders and administrators like the rest of the admin.
for model in (Authenticator, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Authenticator)
class AuthenticatorAdmin(LeaderAdmin):
    """Removing someone's authenticators is how a lost phone is dealt with: they set up a new one at their
    next sign-in. The secrets themselves are never shown."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__username", "user__last_name"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_leader


@admin.register(AccessAttempt)
class AccessAttemptAdmin(LeaderAdmin):
    """Failed sign-ins per username and address. Deleting a row lifts that lockout early."""

    list_display = ["attempt_time", "username", "ip_address", "failures_since_start"]
    search_fields = ["username", "ip_address"]
    fields = ["attempt_time", "username", "ip_address", "user_agent", "path_info", "failures_since_start"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_leader


@admin.register(Notification)
class NotificationAdmin(ReadOnlyLeaderAdmin):
    """To answer "did I get the reminder?": who, what kind, when it was read and emailed (no pupil detail)."""

    list_display = ["created_at", "recipient", "kind", "due_on", "read_at", "emailed_at"]
    list_filter = ["kind", "created_at", "emailed_at"]
    search_fields = ["recipient__username", "recipient__last_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
