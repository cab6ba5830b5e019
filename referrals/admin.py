"""Read-only admin views: referrals change state only through the services (so every rule and check applies)."""

from django.contrib import admin
from django.http import HttpRequest

from pru_cases.admin import ReadOnlyLeaderAdmin
from referrals.models import (
    InformationRequest,
    Intervention,
    InterventionSession,
    Referral,
)
from referrals.selectors import (
    information_requests_visible_to,
    interventions_visible_to,
    referrals_visible_to,
)


@admin.register(Referral)
class ReferralAdmin(ReadOnlyLeaderAdmin):
    list_display = ["pk", "pupil", "specialism", "status", "urgency", "raised_at", "allocated_to"]
    list_filter = ["status", "specialism", "urgency", "consent_status"]
    search_fields = ["pupil__last_name", "pupil__first_name", "pupil__upn"]

    def get_queryset(self, request: HttpRequest):
        return referrals_visible_to(request.user)


@admin.register(Intervention)
class InterventionAdmin(ReadOnlyLeaderAdmin):
    list_display = ["pk", "pupil", "specialism", "specialist", "status", "review_date"]
    list_filter = ["status", "specialism"]

    def get_queryset(self, request: HttpRequest):
        return interventions_visible_to(request.user)


@admin.register(InterventionSession)
class InterventionSessionAdmin(ReadOnlyLeaderAdmin):
    # Health notes are in the health field group: the policy base leaves them out of the list, the form,
    # search, filters and ordering for anyone who may not read health detail.
    list_display = ["pk", "intervention", "held_on", "minutes", "attended"]
    list_select_related = ["intervention"]

    def get_queryset(self, request: HttpRequest):
        return InterventionSession.objects.filter(intervention__in=interventions_visible_to(request.user))


@admin.register(InformationRequest)
class InformationRequestAdmin(ReadOnlyLeaderAdmin):
    list_display = ["pk", "pupil", "agency", "asked_on", "due_by", "status", "answered_on"]
    list_filter = ["status", "agency"]

    def get_queryset(self, request: HttpRequest):
        return information_requests_visible_to(request.user)
