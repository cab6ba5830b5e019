"""The admin site, for senior leaders and administrators; every changelist is scoped by the access policy."""

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest

from pru_cases.access import pupils_visible_to
from pru_cases.models import AccessEvent


class CaseAdminSite(admin.AdminSite):
    site_header = "pru_cases administration"
    site_title = "pru_cases admin"
    index_title = "Records"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.is_leader)


class LeaderAdmin(admin.ModelAdmin):
    """Leaders may view, add and change; nothing is ever deleted through the admin (archive or deactivate)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_leader

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_leader

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_leader

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_leader

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyLeaderAdmin(LeaderAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyLeaderAdmin):
    list_display = ["at", "user", "role", "agency", "pupil", "method", "path", "outcome"]
    list_filter = ["outcome", "role", "agency", "at"]
    search_fields = ["user__username", "user__last_name", "path"]
    date_hierarchy = "at"
    list_select_related = ["user", "agency", "pupil"]
    raw_id_fields = ["pupil", "user"]

    def get_queryset(self, request: HttpRequest):
        visible = pupils_visible_to(request.user)
        return super().get_queryset(request).filter(Q(pupil__isnull=True) | Q(pupil__in=visible))
