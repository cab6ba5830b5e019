from django.contrib import admin, messages
from django.http import HttpRequest

from pru_cases.access import FieldGroup, can_read_field_group, pupils_visible_to, without_restricted_rows
from pru_cases.admin import LeaderAdmin
from pupils import services
from pupils.models import Allocation, AttendanceCode, HealthRecord, NeedLevelChange, Pupil, School


@admin.register(School)
class SchoolAdmin(LeaderAdmin):
    list_display = ["name", "urn", "local_authority", "phase"]
    list_filter = ["phase", "local_authority"]
    search_fields = ["name", "urn"]


class AllocationInline(admin.TabularInline):
    model = Allocation
    fk_name = "pupil"
    extra = 0
    fields = ["user", "reason", "started_on", "ended_on"]
    raw_id_fields = ["user"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        # A health professional's allocation is health detail (pru_cases.access.ROW_FIELD_GROUPS).
        return without_restricted_rows(request.user, super().get_queryset(request))


@admin.register(Pupil)
class PupilAdmin(LeaderAdmin):
    list_display = ["last_name", "first_name", "upn", "year_group", "site", "level_of_need", "social_care_status", "status"]
    list_filter = ["status", "site", "year_group", "level_of_need", "send_status", "social_care_status", "entry_route"]
    search_fields = ["first_name", "last_name", "preferred_name", "upn"]
    list_select_related = ["site"]
    raw_id_fields = ["key_worker", "referring_school"]
    readonly_fields = ["status", "archived_at", "archive_reason", "version", "created_at", "updated_at"]
    inlines = [AllocationInline]
    actions = ["archive_selected"]

    def get_queryset(self, request: HttpRequest):
        return pupils_visible_to(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # Once the record exists, the level of need changes on the pupil page, with a reason kept in its history.
        return [*self.readonly_fields, "level_of_need"] if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Pupil, form, change: bool) -> None:
        # Admin edits go through the same services as the pages, so the same rules and checks apply.
        if change:
            version = Pupil.objects.values_list("version", flat=True).get(pk=obj.pk)
            services.pupil_update(pupil=obj, by=request.user, data=form.cleaned_data, version=version)
        else:
            created = services.pupil_create(by=request.user, data=form.cleaned_data, level_of_need=obj.level_of_need)
            obj.pk = created.pk

    @admin.action(description="Archive the selected pupils (kept, and can be restored)")
    def archive_selected(self, request: HttpRequest, queryset) -> None:
        archived = 0
        for pupil in queryset.filter(status=Pupil.Status.ACTIVE):
            services.pupil_archive(pupil=pupil, by=request.user, reason="Archived from the admin site.")
            archived += 1
        self.message_user(request, f"{archived} pupil(s) archived.", messages.SUCCESS)


@admin.register(NeedLevelChange)
class NeedLevelChangeAdmin(LeaderAdmin):
    list_display = ["pupil", "level", "previous_level", "changed_at", "changed_by"]
    list_filter = ["level"]
    list_select_related = ["pupil", "changed_by"]
    raw_id_fields = ["pupil", "changed_by"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(pupil__in=pupils_visible_to(request.user))


@admin.register(Allocation)
class AllocationAdmin(LeaderAdmin):
    list_display = ["pupil", "user", "reason", "started_on", "ended_on"]
    list_filter = ["ended_on"]
    list_select_related = ["pupil", "user"]
    raw_id_fields = ["pupil", "user", "created_by"]

    def get_queryset(self, request: HttpRequest):
        allocations = super().get_queryset(request).filter(pupil__in=pupils_visible_to(request.user))
        return without_restricted_rows(request.user, allocations)


@admin.register(HealthRecord)
class HealthRecordAdmin(LeaderAdmin):
    """Shown only to leaders who may also read health detail (the field-group policy applies here too)."""

    list_display = ["pupil", "updated_at"]
    raw_id_fields = ["pupil", "updated_by"]

    def _allowed(self, request: HttpRequest) -> bool:
        return request.user.is_leader and can_read_field_group(request.user, FieldGroup.HEALTH)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(pupil__in=pupils_visible_to(request.user))


@admin.register(AttendanceCode)
class AttendanceCodeAdmin(LeaderAdmin):
    """The register codes are data: leaders update them when the DfE revises the list."""

    list_display = ["code", "meaning", "category", "counts_as_possible", "counts_as_attended", "is_active"]
    list_filter = ["category", "counts_as_possible", "counts_as_attended", "is_active"]
    search_fields = ["code", "meaning"]
