"""The admin site's base classes (pru_cases.admin_policy) and the access log in the admin.

Every admin class inherits `LeaderAdmin` (the policy base), so lookups, search, hidden fields, raw-id
labels and who may open it follow the access policy without the class doing anything.
"""

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest

from pru_cases.access import Action, can, pupil_scope
from pru_cases.admin_policy import CaseAdminSite, PolicyAdmin, PolicyInline, ReadOnlyPolicyAdmin
from pru_cases.models import AccessEvent

__all__ = ["CaseAdminSite", "LeaderAdmin", "PolicyInline", "ReadOnlyLeaderAdmin"]

LeaderAdmin = PolicyAdmin
ReadOnlyLeaderAdmin = ReadOnlyPolicyAdmin


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyLeaderAdmin):
    list_display = ["at", "user", "role", "agency", "pupil", "method", "path", "outcome", "reason"]
    list_filter = ["outcome", "role", "agency", "at"]
    search_fields = ["user__username", "user__last_name", "path"]
    date_hierarchy = "at"
    list_select_related = ["user", "agency", "pupil"]
    raw_id_fields = ["pupil", "user"]

    def may_open(self, request: HttpRequest) -> bool:
        return super().may_open(request) and can(request.user, Action.VIEW_ACCESS_LOG)

    def get_queryset(self, request: HttpRequest):
        visible = pupil_scope().visible(request.user)
        return super().get_queryset(request).filter(Q(pupil__isnull=True) | Q(pupil__in=visible))
