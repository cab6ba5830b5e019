from django.contrib import admin, messages
from django.http import HttpRequest

from pru_cases.access import Action, require, without_restricted_rows
from pru_cases.admin import LeaderAdmin, PolicyInline, ReadOnlyLeaderAdmin
from pupils import services
from pupils.models import Allocation, HealthRecord, NeedLevelChange, Pupil, School
from pupils.selectors import pupils_visible_to


@admin.register(School)
class SchoolAdmin(LeaderAdmin):
    list_display = ["name", "urn", "local_authority", "phase"]
    list_filter = ["phase", "local_authority"]
    search_fields = ["name", "urn"]


class AllocationInline(PolicyInline):
    """Shown only: allocating is for the DSL and leaders, on the pupil page (pupils.services.allocation_add)."""

    model = Allocation
    fk_name = "pupil"
    fields = ["user", "reason", "started_on", "ended_on"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        # A health professional's allocation is health detail (pru_cases.access.ROW_FIELD_GROUPS).
        return without_restricted_rows(request.user, super().get_queryset(request))


@admin.register(Pupil)
class PupilAdmin(LeaderAdmin):
    list_display = [
        "last_name",
        "first_name",
        "upn",
        "year_group",
        "site",
        "level_of_need",
        "social_care_status",
        "status",
    ]
    list_filter = ["status", "site", "year_group", "level_of_need", "send_status", "social_care_status", "entry_route"]
    search_fields = ["first_name", "last_name", "preferred_name", "upn"]
    list_select_related = ["site"]
    raw_id_fields = ["referring_school"]
    # Who can see the pupil (centre, key worker, allocations) changes on the pupil page, where the policy's
    # checks apply; the admin shows them. The centre is chosen once, when the record is created.
    readonly_fields = ["key_worker", "status", "archived_at", "archive_reason", "version", "created_at", "updated_at"]
    inlines = [AllocationInline]
    actions = ["archive_selected"]

    def get_queryset(self, request: HttpRequest):
        return pupils_visible_to(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # Once the record exists, the level of need changes on the pupil page, with a reason kept in its history.
        return [*self.readonly_fields, "level_of_need", "site"] if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Pupil, form, change: bool) -> None:
        # Admin edits go through the same services as the pages, so the same rules and checks apply.
        require(request.user, Action.EDIT_PUPIL if change else Action.CREATE_PUPIL)
        if change:
            version = Pupil.objects.values_list("version", flat=True).get(pk=obj.pk)
            services.pupil_update(pupil=obj, by=request.user, data=form.cleaned_data, version=version)
        else:
            created = services.pupil_create(by=request.user, data=form.cleaned_data, level_of_need=obj.level_of_need)
            obj.pk = created.pk

    @admin.action(description="Archive the selected pupils (kept, and can be restored)")
    def archive_selected(self, request: HttpRequest, queryset) -> None:
        require(request.user, Action.ARCHIVE_PUPIL)
        archived = 0
        for pupil in queryset.filter(status=Pupil.Status.ACTIVE):
            services.pupil_archive(pupil=pupil, by=request.user, reason="Archived from the admin site.")
            archived += 1
        self.message_user(request, f"{archived} pupil(s) archived.", messages.SUCCESS)


@admin.register(NeedLevelChange)
class NeedLevelChangeAdmin(ReadOnlyLeaderAdmin):
    """The level of need changes on the pupil page (pupils.services.pupil_set_need_level), with its reason."""

    list_display = ["pupil", "level", "previous_level", "changed_at", "changed_by"]
    list_filter = ["level"]
    list_select_related = ["pupil", "changed_by"]
    raw_id_fields = ["pupil", "changed_by"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(pupil__in=pupils_visible_to(request.user))


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyLeaderAdmin):
    """Allocations decide who sees a pupil: made and ended on the pupil page, by the DSL and leaders."""

    list_display = ["pupil", "user", "reason", "started_on", "ended_on"]
    list_filter = ["ended_on"]
    list_select_related = ["pupil", "user"]
    raw_id_fields = ["pupil", "user", "created_by"]

    def get_queryset(self, request: HttpRequest):
        allocations = super().get_queryset(request).filter(pupil__in=pupils_visible_to(request.user))
        return without_restricted_rows(request.user, allocations)


@admin.register(HealthRecord)
class HealthRecordAdmin(ReadOnlyLeaderAdmin):
    """The whole model is in the health field group, so the policy base closes it to anyone who may not
    read health detail; health detail is changed on the pupil's health page, with its version check."""

    list_display = ["pupil", "updated_at"]
    raw_id_fields = ["pupil", "updated_by"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(pupil__in=pupils_visible_to(request.user))
