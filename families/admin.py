"""Family records in the admin site: read-only and scoped by the access policy (changes go through the pages,
so every rule and check in families/services.py applies)."""

from django.contrib import admin
from django.http import HttpRequest

from families.models import (
    Carer,
    Consent,
    FreshStartInterview,
    HomeVisit,
    Household,
    ReintegrationPlan,
    SharingDecision,
    SupportAction,
)
from families.selectors import households_visible_to
from pru_cases.admin import PolicyInline, ReadOnlyLeaderAdmin
from pupils.selectors import pupils_visible_to


class CarerInline(PolicyInline):
    model = Carer
    fields = ["name", "relationship", "parental_responsibility", "phone", "is_active"]


@admin.register(Household)
class HouseholdAdmin(ReadOnlyLeaderAdmin):
    list_display = ["name", "postcode", "home_language", "interpreter_needed", "status"]
    list_filter = ["status", "interpreter_needed"]
    search_fields = ["name", "postcode", "carers__name"]
    inlines = [CarerInline]

    def get_queryset(self, request: HttpRequest):
        return households_visible_to(request.user)


class PupilScopedAdmin(ReadOnlyLeaderAdmin):
    list_select_related = ["pupil"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(pupil__in=pupils_visible_to(request.user))


@admin.register(Consent)
class ConsentAdmin(PupilScopedAdmin):
    list_display = ["pupil", "agency_kind", "status", "given_by", "decided_on", "withdrawn_on"]
    list_filter = ["status", "agency_kind"]


@admin.register(SharingDecision)
class SharingDecisionAdmin(PupilScopedAdmin):
    list_display = ["pupil", "decided_on", "agency_kind", "recipient", "lawful_basis", "shared"]
    list_filter = ["shared", "lawful_basis", "agency_kind"]


@admin.register(FreshStartInterview)
class FreshStartInterviewAdmin(PupilScopedAdmin):
    list_display = ["pupil", "held_on", "discussed_at_mdt_on"]
    list_filter = ["discussed_at_mdt_on"]


@admin.register(ReintegrationPlan)
class ReintegrationPlanAdmin(PupilScopedAdmin):
    list_display = ["pupil", "status", "started_on", "allocated_school", "start_date"]
    list_filter = ["status"]
    list_select_related = ["pupil", "allocated_school"]


class HouseholdScopedAdmin(ReadOnlyLeaderAdmin):
    list_select_related = ["household"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(household__in=households_visible_to(request.user))


@admin.register(SupportAction)
class SupportActionAdmin(HouseholdScopedAdmin):
    list_display = ["household", "kind", "detail", "status", "due_on", "closed_on"]
    list_filter = ["status", "kind"]


@admin.register(HomeVisit)
class HomeVisitAdmin(HouseholdScopedAdmin):
    list_display = ["household", "visited_on", "lead", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["household", "lead"]
