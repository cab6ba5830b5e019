from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pghistory.models import Events

from accounts.models import User
from pru_cases import security
from pru_cases.access import (
    FIELD_GROUP_FIELDS,
    ROW_FIELD_GROUPS,
    Action,
    FieldGroup,
    can,
    can_for_pupil,
    can_read_field_group,
    get_pupil_for_user,
    readable_field_groups,
    readable_rows,
    record_access,
    record_reads,
    require,
    restricted_rows,
    unreadable_fields,
    without_restricted_rows,
)
from pru_cases.lib.conflicts import EditConflict
from pru_cases.lib.forms import add_service_errors, plain_widgets, show_edit_conflict
from pru_cases.lib.pages import counted_page
from pru_cases.lib.private_search import private_search, public_query, search_data
from pru_cases.lib.queries import CountOf
from pru_cases.models import AccessEvent
from pupils import services
from pupils.filters import PupilFilter
from pupils.forms import (
    AllocationForm,
    ArchiveForm,
    BreakGlassForm,
    HealthRecordForm,
    NeedLevelForm,
    PupilForm,
)
from pupils.home import sections_for
from pupils.models import Allocation, HealthRecord, Pupil
from pupils.panels import panels
from pupils.selectors import (
    break_glass_find_pupil,
    counted_apart,
    pupils_counted_for,
    pupils_visible_to,
    works_with,
)

PAGE_SIZE = 25
# What a row of the pupil list shows, and what its badges are worked out from.
LIST_FIELDS = (
    "first_name",
    "preferred_name",
    "last_name",
    "upn",
    "year_group",
    "site",
    "key_worker",
    "level_of_need",
    "send_status",
    "social_care_status",
    "status",
    "entry_date",
    "exit_date",
)


@private_search
def pupil_list(request: HttpRequest) -> HttpResponse:
    data = search_data(request)
    data.setdefault("status", Pupil.Status.ACTIVE)
    filterset = PupilFilter(data, queryset=pupils_visible_to(request.user), request=request)
    plain_widgets(filterset.form)
    pupils = filterset.qs  # validates the search form, once
    # The same filters over the same pupils in the shape fastest to count, for those who have one.
    counted = filterset.filter_queryset(pupils_counted_for(request.user)) if counted_apart(request.user) else None
    page = _page_of_pupils(request, pupils, counted=counted)
    record_reads(request, pupil_ids=[pupil.pk for pupil in page.object_list])  # one insert for the whole page
    return render(
        request,
        "pupils/list.html",
        {
            "filter": filterset,
            "page": page,
            "query": public_query(data),
            "can_create": can(request.user, Action.CREATE_PUPIL),
        },
        status=200 if filterset.is_valid() else 400,
    )


def _page_of_pupils(request: HttpRequest, pupils: QuerySet[Pupil], *, counted: QuerySet | None = None) -> Page:
    """The page asked for, in two steps: the ids on it with how many pupils there are in all (one query; counted
    over `counted`, the same pupils in a shape faster to count, when given), then those pupils with their centre,
    key worker and each app's badges.

    In one step, PostgreSQL works out the badges (correlated subqueries) for every row OFFSET skips as well as the 25
    shown: page 400 of the whole roll then costs the badges of 10,000 pupils.
    """
    page = counted_page(pupils.only("pk"), request.GET.get("page"), PAGE_SIZE, counted=counted)
    ids = [pupil.pk for pupil in page.object_list]
    rows = (
        pupils_visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("site", "key_worker")
        .only(*LIST_FIELDS, "site__name", "key_worker__first_name", "key_worker__last_name", "key_worker__username")
    )
    for panel in panels():
        rows = panel.annotate_pupil_list(rows)
    found = {pupil.pk: pupil for pupil in rows}
    page.object_list = [found[pk] for pk in ids]
    # Each row's link and badges, worked out here rather than by a tag and three included templates per row.
    detail_url = reverse("pupils:detail", args=[0]).removesuffix("0/")
    for pupil in page.object_list:
        pupil.detail_url = f"{detail_url}{pupil.pk}/"
        pupil.list_badges = [badge for panel in panels() for badge in panel.pupil_list_badges(pupil)]
    return page


def _detail_context(request: HttpRequest, pupil: Pupil) -> dict:
    user = request.user
    show_health = can_read_field_group(user, FieldGroup.HEALTH)
    panel_context = {"panel_templates": [panel.TEMPLATE for panel in panels()]}
    for panel in panels():
        panel_context |= panel.pupil_panel(request, pupil)
    # Every open allocation in one query, each marked with whether this user may know of it.
    open_allocations = list(
        pupil.allocations.select_related("user__agency")
        .filter(ended_on__isnull=True)
        .annotate(_known=readable_rows(user, "pupils.Allocation"))
    )
    shown_allocations = [allocation for allocation in open_allocations if allocation._known is not False]
    health = None
    if show_health:
        try:
            health = pupil.health  # fetched with the pupil by pupil_detail; one query otherwise
        except HealthRecord.DoesNotExist:
            health = None
    return panel_context | {
        "pupil": pupil,
        "need_level_changes": pupil.need_level_changes.select_related("changed_by")[:10],
        "allocations": shown_allocations,
        # Who, from which service and why stay with health staff and the DSL; others learn only that one is involved.
        "health_service_involved": len(shown_allocations) < len(open_allocations),
        "health": health,
        "show_health": show_health,
        # Through break-glass the record is read-only (a concern may still be logged): no other change is offered.
        "via_break_glass": getattr(pupil, "via_break_glass", False),
        "can_edit": can_for_pupil(user, Action.EDIT_PUPIL, pupil),
        "can_archive": can_for_pupil(user, Action.ARCHIVE_PUPIL, pupil),
        "can_allocate": can_for_pupil(user, Action.ALLOCATE, pupil),
        "can_view_history": can(user, Action.VIEW_HISTORY),
        # The forms behind "Change the level of need", "Allocate a professional" and "Archive" are fetched when
        # opened (see _action_form); a POST that fails puts its form, with the errors, back on the page.
        "can_set_need_level": can_for_pupil(user, Action.SET_NEED_LEVEL, pupil),
    }


@require_GET
def pupil_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(
        request,
        pk,
        field_groups=readable_field_groups(request.user),
        # The health record comes with the pupil only for those who may read it.
        related=("site", "key_worker", "referring_school")
        + (("health",) if can_read_field_group(request.user, FieldGroup.HEALTH) else ())
        + tuple(name for panel in panels() for name in panel.pupil_related(request.user)),
    )
    return render(request, "pupils/detail.html", _detail_context(request, pupil))


@require_http_methods(["GET", "POST"])
def pupil_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CREATE_PUPIL)
    form = PupilForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                pupil = services.pupil_create(by=request.user, data=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{pupil.full_name} has been added.")
                return redirect("pupils:detail", pk=pupil.pk)
        return render(request, "pupils/form.html", {"form": form}, status=400)
    return render(request, "pupils/form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def pupil_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.EDIT_PUPIL)
    if request.method == "GET":
        return render(
            request, "pupils/form.html", {"form": PupilForm(instance=pupil, user=request.user), "pupil": pupil}
        )
    form = PupilForm(request.POST, instance=Pupil.objects.get(pk=pupil.pk), user=request.user)
    if form.is_valid():
        try:
            services.pupil_update(
                pupil=pupil, by=request.user, data=form.cleaned_data, version=form.cleaned_data["version"] or 0
            )
        except EditConflict as conflict:
            latest = Pupil.objects.select_related("site", "key_worker", "referring_school").get(pk=pupil.pk)
            show_edit_conflict(form, conflict, latest_version=latest.version)
            return render(request, "pupils/form.html", {"form": form, "pupil": pupil, "latest": latest}, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect("pupils:detail", pk=pupil.pk)
    return render(request, "pupils/form.html", {"form": form, "pupil": pupil}, status=400)


@require_http_methods(["GET", "POST"])
def pupil_need_level(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.SET_NEED_LEVEL)
    if request.method == "GET":
        return _action_form(request, pupil, "need_level", NeedLevelForm(initial={"level": pupil.level_of_need}))
    form = NeedLevelForm(request.POST)
    if form.is_valid():
        try:
            services.pupil_set_need_level(pupil=pupil, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Level of need set to {pupil.level_of_need}.")
            return redirect("pupils:detail", pk=pupil.pk)
    context = _detail_context(request, pupil) | {"need_level_form": plain_widgets(form)}
    return render(request, "pupils/detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
def pupil_archive(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.ARCHIVE_PUPIL)
    if request.method == "GET":
        return _action_form(request, pupil, "archive", ArchiveForm())
    form = ArchiveForm(request.POST)
    if form.is_valid():
        try:
            services.pupil_archive(pupil=pupil, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{pupil.full_name} has been archived. The record is kept and can be restored.")
            return redirect("pupils:detail", pk=pupil.pk)
    context = _detail_context(request, pupil) | {"archive_form": plain_widgets(form)}
    return render(request, "pupils/detail.html", context, status=400)


ACTION_FORM_TITLES = {
    "need_level": "Change the level of need",
    "allocation": "Allocate a professional",
    "archive": "Archive this record",
}


def _action_form(request: HttpRequest, pupil: Pupil, name: str, form) -> HttpResponse:
    """One of the pupil page's forms on its own: the form alone when the page fetches it as it is opened (htmx),
    or a page of its own for a browser without scripts. The caller has checked the action."""
    context = {"pupil": pupil, "form": plain_widgets(form), "title": ACTION_FORM_TITLES[name]}
    if request.htmx:
        return render(request, f"pupils/_{name}_form.html", context)
    return render(request, "pupils/action_form.html", context | {"partial": f"pupils/_{name}_form.html"})


@require_POST
def pupil_restore(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.ARCHIVE_PUPIL)
    try:
        services.pupil_restore(pupil=pupil, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("pupils:detail", pk=pupil.pk)
    messages.success(request, f"{pupil.full_name} is back on roll.")
    return redirect("pupils:detail", pk=pupil.pk)


@require_http_methods(["GET", "POST"])
def allocation_add(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.ALLOCATE)
    if request.method == "GET":
        return _action_form(request, pupil, "allocation", AllocationForm())
    form = AllocationForm(request.POST)
    if form.is_valid():
        try:
            services.allocation_add(pupil=pupil, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['user']} now works with {pupil.full_name}.")
            return redirect("pupils:detail", pk=pupil.pk)
    context = _detail_context(request, pupil) | {"allocation_form": plain_widgets(form)}
    return render(request, "pupils/detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
def allocation_end(request: HttpRequest, pk: int, allocation_pk: int) -> HttpResponse:
    """GET asks "are you sure?" (ending an allocation closes the record to that person); POST ends it."""
    pupil = get_pupil_for_user(request, pk, action=Action.ALLOCATE)
    allocations = without_restricted_rows(request.user, Allocation.objects.select_related("user__agency"))
    allocation = get_object_or_404(allocations, pk=allocation_pk, pupil=pupil)
    if request.method == "GET":
        if allocation.ended_on is not None:
            messages.info(request, f"{allocation.user}'s allocation ended on {allocation.ended_on:%-d %B %Y}.")
            return redirect("pupils:detail", pk=pupil.pk)
        return render(request, "pupils/allocation_end.html", {"pupil": pupil, "allocation": allocation})
    try:
        services.allocation_end(allocation=allocation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{allocation.user}'s allocation has ended.")
    return redirect("pupils:detail", pk=pupil.pk)


@require_http_methods(["GET", "POST"])
def pupil_health(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, field_groups=frozenset({FieldGroup.HEALTH}))
    record = HealthRecord.objects.filter(pupil=pupil).first() or HealthRecord(
        pupil=pupil, version=services.NO_HEALTH_RECORD
    )
    if request.method == "GET":
        form = HealthRecordForm(instance=record, initial={"version": record.version})
        return render(request, "pupils/health.html", {"pupil": pupil, "form": form, "record": record})
    form = HealthRecordForm(request.POST, instance=record)
    if form.is_valid():
        try:
            services.health_record_update(
                pupil=pupil, by=request.user, data=form.cleaned_data, version=form.cleaned_data["version"]
            )
        except EditConflict as conflict:
            latest = HealthRecord.objects.get(pupil=pupil)
            show_edit_conflict(form, conflict, latest_version=latest.version)
            return render(
                request,
                "pupils/health.html",
                {"pupil": pupil, "form": form, "record": record, "latest": latest},
                status=409,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Health detail saved.")
            return redirect("pupils:detail", pk=pupil.pk)
    return render(request, "pupils/health.html", {"pupil": pupil, "form": form, "record": record}, status=400)


HISTORY_PAGE_SIZE = 50


@require_GET
def pupil_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every recorded change to this pupil's records, newest first (from the pghistory event tables)."""
    pupil = get_pupil_for_user(request, pk, action=Action.VIEW_HISTORY)
    events = Events.objects.references(pupil).order_by("-pgh_created_at", "-pgh_id")
    # Restricted field groups apply to the history too: whole records hidden, or some of their fields.
    hidden_models = [
        f"{label}Event"
        for models in FIELD_GROUP_FIELDS.values()
        for label in models
        if unreadable_fields(request.user, label) is None
    ]
    events = events.exclude(pgh_model__in=hidden_models)
    # and the records hidden whole because of what they are about (a referral to CAMHS, a health allocation)
    for label in {label for rules in ROW_FIELD_GROUPS.values() for label in rules}:
        for rule in restricted_rows(request.user, label):
            if rule.fields is None:
                rows = apps.get_model(label)._default_manager.filter(rule.rows, **{rule.pupil: pupil})
                ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
                events = events.exclude(pgh_obj_model=label, pgh_obj_id__in=ids)
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    user_ids = {event.pgh_context.get("user") for event in page if isinstance(event.pgh_context, dict)} - {None}
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=user_ids)}
    rows = []
    for event in page:
        hidden = unreadable_fields(request.user, event.pgh_model.removesuffix("Event")) or frozenset()
        rows.append(
            {
                "event": event,
                "what": event.pgh_model.split(".")[-1].removesuffix("Event"),
                "who": names.get((event.pgh_context or {}).get("user"), "System"),
                "url": (event.pgh_context or {}).get("url", ""),
                "diff": {key: value for key, value in (event.pgh_diff or {}).items() if key not in hidden},
                "data": {key: value for key, value in (event.pgh_data or {}).items() if key not in hidden},
            }
        )
    return render(request, "pupils/history.html", {"pupil": pupil, "page": page, "rows": rows})


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """Open a pupil outside one's usual scope for a few hours, in an emergency, with a reason the DSL sees."""
    require(request.user, Action.BREAK_GLASS)
    form = BreakGlassForm(request.POST or None)
    if request.method == "GET":
        return render(request, "pupils/break_glass.html", {"form": form})
    if form.is_valid():
        pupil = break_glass_find_pupil(
            upn=form.cleaned_data["upn"],
            last_name=form.cleaned_data["last_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
        if pupil is None:
            # Audited like any other refusal; the message does not say whether the pupil exists.
            record_access(
                request,
                pupil_id=None,
                pupil_ref=None,
                outcome=AccessEvent.Outcome.DENIED,
            )
            form.add_error(
                None,
                "No single pupil matches these details. Check them, or ask the DSL.",
            )
        elif pupils_visible_to(request.user).filter(pk=pupil.pk).exists():
            messages.info(
                request,
                "You can already see this pupil: no break-glass access was needed.",
            )
            return redirect("pupils:detail", pk=pupil.pk)
        else:
            try:
                grant = security.break_glass_grant(
                    request=request,
                    user=request.user,
                    pupil=pupil,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.warning(
                    request,
                    (
                        f"Break-glass access granted until {timezone.localtime(grant.expires_at):%H:%M}. The DSL "
                        "has been told."
                    ),
                )
                return redirect("pupils:detail", pk=pupil.pk)
    return render(request, "pupils/break_glass.html", {"form": form}, status=400)


# What the home page's list of pupils shows (and all it fetches of them).
MY_PUPILS_SHOWN = 25  # on the home page, by name; the pupil list has them all
HOME_PUPIL_FIELDS = ("first_name", "preferred_name", "last_name", "year_group", "level_of_need", "site__name")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = pupils_visible_to(user).filter(status=Pupil.Status.ACTIVE)
    counted = pupils_counted_for(user).filter(status=Pupil.Status.ACTIVE)
    mine = visible.filter(works_with(user)).select_related("site").only(*HOME_PUPIL_FIELDS)
    # The count of pupils on roll comes with the list (computed once, as an InitPlan), or on its own when the
    # reader works with no one.
    my_pupils = list(mine.annotate(on_roll=CountOf(counted.order_by().values("pk")))[: MY_PUPILS_SHOWN + 1])
    on_roll = my_pupils[0].on_roll if my_pupils else counted.count()
    more_pupils = len(my_pupils) > MY_PUPILS_SHOWN  # the rest are on the pupil list, "only my pupils"
    my_pupils = my_pupils[:MY_PUPILS_SHOWN]
    # What needs this person now, from the apps that own the work (pupils.home).
    sections = sections_for(request)
    named = {pupil.pk for pupil in my_pupils}
    for _section, data in sections:
        named |= set(data.get("pupil_ids", ()))
    record_reads(request, pupil_ids=named)  # the page names them: one insert
    # Each row links to /pupils/<pk>/: the address is worked out once, not once a row.
    pupil_url = reverse("pupils:detail", args=[0]).removesuffix("0/")
    context = {
        "my_pupils": my_pupils,
        "more_pupils": more_pupils,
        "pupil_url": pupil_url,
        "on_roll": on_roll,
        "sections": sections,
    }
    return render(request, "home.html", context)
