from django.contrib import admin

from outcomes.models import AttendanceCode
from pru_cases.admin import LeaderAdmin


@admin.register(AttendanceCode)
class AttendanceCodeAdmin(LeaderAdmin):
    """The register codes are data: leaders update them when the DfE revises the list."""

    list_display = ["code", "meaning", "category", "counts_as_possible", "counts_as_attended", "is_active"]
    list_filter = ["category", "counts_as_possible", "counts_as_attended", "is_active"]
    search_fields = ["code", "meaning"]
