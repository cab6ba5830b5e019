"""Meeting pages. Each view: access check, form, one service call, render or redirect.

Scope: a meeting outside the user's scope is a 404 (meetings.selectors.meetings_visible_to); a visible meeting
the user may not run is a 403. Anything recorded on a closed meeting is refused with 409.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Site
from concerns.models import Concern
from meetings import documents, services
from meetings.case_sections import sections_for
from meetings.filters import ActionFilter, MeetingFilter
from meetings.forms import (
    ActionForm,
    ActionStatusForm,
    AddPupilForm,
    AttendanceForm,
    CloseForm,
    DecisionForm,
    DiscussionForm,
    InviteeForm,
    MeetingForm,
    MoveForm,
    PdfForm,
    ProgressForm,
    SharingBasisForm,
)
from meetings.models import Action, AgendaItem, Meeting, PdfJob, SharingBasis
from meetings.selectors import (
    Room,
    actions_visible_to,
    may_download,
    may_record,
    may_run,
    meetings_visible_to,
    pdf_jobs_visible_to,
    room_for,
    share_reason,
    shareable_pupil_ids,
    shared_records,
    shared_records_query,
)
from pru_cases.access import Action as Perm
from pru_cases.access import (
    FieldGroup,
    can,
    get_for_user,
    get_pupil_for_user,
    record_reads,
    record_shared_reads,
    require,
)
from pru_cases.lib.conflicts import EditConflict
from pru_cases.lib.forms import add_service_errors, plain_widgets
from pru_cases.lib.ids import parse_id
from pupils.models import HealthRecord, Pupil
from pupils.selectors import pupils_visible_to
from referrals.models import Intervention, Referral
from referrals.selectors import interventions_visible_to, referrals_visible_to

PAGE_SIZE = 25
RECENT_CONCERNS = 5


def _closed_response(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    if request.htmx:
        return render(request, "meetings/_closed.html", {"meeting": meeting}, status=409)
    messages.error(request, services.CLOSED_MESSAGE)
    return render(request, "meetings/closed.html", {"meeting": meeting}, status=409)


def _require_run(request: HttpRequest, meeting: Meeting) -> None:
    if not may_run(request.user, meeting):
        raise PermissionDenied


def _require_record(request: HttpRequest, meeting: Meeting) -> None:
    if not may_record(request.user, meeting):
        raise PermissionDenied


# Lists and scheduling ---------------------------------------------------------------------------------------


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = (
        meetings_visible_to(request.user)
        .annotate(item_count=Count("items", distinct=True))
        .order_by("-held_on", "-starts_at", "-pk")
    )
    filterset = MeetingFilter(request.GET, queryset=meetings)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_reads(request, pupil_ids=[meeting.pupil_id for meeting in page.object_list])  # a TAC title names its pupil
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "meetings/list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_schedule": can(request.user, Perm.SCHEDULE_MEETING),
        },
        status=200 if filterset.is_valid() else 400,
    )


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.SCHEDULE_MEETING)
    initial = {"kind": Meeting.Kind.MDT, "recurrence": Meeting.Recurrence.WEEKLY, "chair": request.user.pk}
    pupil = None
    pupil_id = parse_id(request.POST.get("pupil") or request.GET.get("pupil"))
    if pupil_id:
        pupil = get_pupil_for_user(request, pupil_id)
        initial |= {"kind": Meeting.Kind.TAC, "recurrence": Meeting.Recurrence.NONE, "pupil": pupil.pk}
        initial["title"] = f"Team Around the Child: {pupil.full_name}"
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_create(
                    by=request.user,
                    kind=data["kind"],
                    title=data["title"],
                    held_on=data["held_on"],
                    starts_at=data["starts_at"],
                    location=data["location"],
                    site=data["site"],
                    pupil=pupil,
                    recurrence=data["recurrence"],
                    chair=data["chair"],
                    minute_taker=data["minute_taker"],
                    invite=list(data["invite"]),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Meeting scheduled.")
                return redirect("meetings:detail", pk=meeting.pk)
        return render(request, "meetings/form.html", {"form": form, "pupil": pupil}, status=400)
    return render(request, "meetings/form.html", {"form": form, "pupil": pupil})


def _detail_context(request: HttpRequest, meeting: Meeting, **forms) -> dict:
    user = request.user
    items = list(meeting.items.select_related("pupil").annotate(n_discussions=Count("discussions")))
    pupil_ids = {item.pupil_id for item in items if item.pupil_id}
    own = set(pupils_visible_to(user).filter(pk__in=pupil_ids).values_list("pk", flat=True)) if pupil_ids else set()
    shared = shareable_pupil_ids(meeting, user, pupil_ids - own)
    mine = own | shared
    runs = may_run(user, meeting) and meeting.is_open
    invitees = list(meeting.invitees.select_related("user", "agency"))
    # Every render of the page (also after a refused form) names these pupils: one access-log insert for them all.
    # A TAC meeting's own pupil was logged when the meeting was fetched (get_for_user).
    record_reads(request, pupil_ids=own - {meeting.pupil_id})
    if shared - {meeting.pupil_id}:
        readers = [(user, pupil_id) for pupil_id in shared - {meeting.pupil_id}]
        record_shared_reads(request, readers=readers, reason=share_reason(meeting))
    return {
        "meeting": meeting,
        "items": [{"item": item, "named": item.pupil_id is None or item.pupil_id in mine} for item in items],
        "invitees": invitees,
        # Each person's own copies: a PDF is built for the person who asked for it, and only they download it.
        "jobs": list(meeting.pdf_jobs.filter(requested_by=user).select_related("requested_by")[:12]),
        "runs": runs,
        "may_run": may_run(user, meeting),
        "may_record": may_record(user, meeting),
        "may_download": may_download(user, meeting),
        "invitee_form": forms.get("invitee_form") or (_invitee_form(request, meeting) if runs else None),
        "add_pupil_form": forms.get("add_pupil_form") or (_add_pupil_form(request) if runs else None),
        "attendance_form": forms.get("attendance_form")
        or (AttendanceForm(invitees=invitees) if runs and invitees else None),
        "pdf_form": PdfForm(kinds=services.PDF_KINDS_FOR[meeting.kind])
        if meeting.is_closed and may_download(user, meeting)
        else None,
        "has_next": Meeting.objects.filter(previous=meeting).exists(),
        "has_family_letter": _has_family_letter(user, meeting),
    }


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    return render(request, "meetings/detail.html", _detail_context(request, meeting))


def _detail_redirect(meeting: Meeting) -> HttpResponse:
    return redirect("meetings:detail", pk=meeting.pk)


def _invitee_form(request: HttpRequest, meeting: Meeting, data=None) -> InviteeForm:
    return InviteeForm(data, meeting=meeting, may_allocate=can(request.user, Perm.ALLOCATE))


def _add_pupil_form(request: HttpRequest, data=None) -> AddPupilForm:
    # The picker offers, and the form accepts, only pupils on roll whom the chair may see.
    return AddPupilForm(data, pupils=pupils_visible_to(request.user).filter(status=Pupil.Status.ACTIVE))


@require_POST
def invitee_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    _require_run(request, meeting)
    form = _invitee_form(request, meeting, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            invited = services.invitees_add(
                meeting=meeting,
                by=request.user,
                people=list(data["people"]),
                name=data["name"],
                agency=data["agency"],
                is_family=data["is_family"],
                allocate=data.get("allocate", False),
            )
        except services.MeetingClosed:
            return _closed_response(request, meeting)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Invited: {', '.join(str(invitee) for invitee in invited)}.")
            return _detail_redirect(meeting)
    return render(request, "meetings/detail.html", _detail_context(request, meeting, invitee_form=form), status=400)


@require_POST
def attendance_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone's attendance in one form."""
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    _require_run(request, meeting)
    form = AttendanceForm(request.POST, invitees=list(meeting.invitees.select_related("user", "agency")))
    if form.is_valid():
        try:
            services.attendance_record(meeting=meeting, by=request.user, attendance=form.attendance())
        except services.MeetingClosed:
            return _closed_response(request, meeting)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Attendance saved.")
            return _back_to(request, meeting)
    context = _detail_context(request, meeting, attendance_form=form)
    return render(request, "meetings/detail.html", context, status=400)


def _back_to(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return _detail_redirect(meeting)


# The agenda ----------------------------------------------------------------------------------------------


@require_POST
def agenda_build(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    _require_run(request, meeting)
    try:
        added = services.agenda_build(meeting=meeting, by=request.user)
    except services.MeetingClosed:
        return _closed_response(request, meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(request, "meetings/detail.html", _detail_context(request, meeting), status=400)
    messages.success(request, f"Agenda updated: {added} new case{'s' if added != 1 else ''}.")
    return _detail_redirect(meeting)


@require_POST
def agenda_add_pupil(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    _require_run(request, meeting)
    form = _add_pupil_form(request, request.POST)
    if form.is_valid():
        pupil = form.cleaned_data["pupil"]  # only pupils the chair may see are accepted
        record_reads(request, pupil_ids=[pupil.pk])
        try:
            services.agenda_add_pupil(meeting=meeting, by=request.user, pupil=pupil, note=form.cleaned_data["note"])
        except services.MeetingClosed:
            return _closed_response(request, meeting)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{pupil.full_name} added to the agenda.")
            return _detail_redirect(meeting)
    return render(request, "meetings/detail.html", _detail_context(request, meeting, add_pupil_form=form), status=400)


def _get_item(meeting: Meeting, item_pk: int) -> AgendaItem:
    return get_object_or_404(AgendaItem.objects.select_related("meeting", "pupil"), pk=item_pk, meeting=meeting)


@require_POST
def agenda_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    _require_run(request, meeting)
    item = _get_item(meeting, item_pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Move the item up or down.")
        return render(request, "meetings/detail.html", _detail_context(request, meeting), status=400)
    try:
        services.agenda_move(item=item, by=request.user, direction=form.cleaned_data["direction"])
    except services.MeetingClosed:
        return _closed_response(request, meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(request, "meetings/detail.html", _detail_context(request, meeting), status=400)
    return _detail_redirect(meeting)


@require_POST
def agenda_carry_over(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    _require_run(request, meeting)
    item = _get_item(meeting, item_pk)
    try:
        services.agenda_carry_over(item=item, by=request.user)
    except services.MeetingClosed:
        return _closed_response(request, meeting)
    messages.success(request, "Carried over to the next meeting.")
    return _back_to(request, meeting)


@require_POST
def meeting_schedule_next(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    _require_run(request, meeting)
    try:
        following = services.meeting_schedule_next(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(request, "meetings/detail.html", _detail_context(request, meeting), status=409)
    carried = following.items.count()
    messages.success(
        request,
        f"The next meeting is scheduled, with {carried} carried-over case{'s' if carried != 1 else ''} on its agenda."
        if carried
        else "The next meeting is scheduled. Nothing was carried over: build its agenda when it is near.",
    )
    return redirect("meetings:detail", pk=following.pk)


# The meeting screen ------------------------------------------------------------------------------------------


def _case_context(request: HttpRequest, meeting: Meeting, item: AgendaItem, room, **forms) -> dict:
    """One case, showing only what everyone in the room may see (see meetings.selectors)."""
    user = request.user
    context = {
        "meeting": meeting,
        "item": item,
        "shown": room.shows(item),
        "room": room,
        "held_by": room.held_back_by.get(item.pupil_id, []),
    }
    recording = may_record(user, meeting) and meeting.is_open
    context["recording"] = recording
    if not context["shown"]:
        return context
    minutes = {
        "discussions": list(item.discussions.select_related("recorded_by")),
        "decisions": list(item.decisions.select_related("recorded_by")),
        "agreed": list(item.actions.select_related("owner_user", "owner_agency")),
    }
    context |= minutes
    if item.pupil_id is None:
        return context
    pupil = item.pupil
    detail = room.shows_detail(item)
    health = room.health and detail
    context |= {"detail": detail, "health_shown": health}
    groups = frozenset({FieldGroup.HEALTH}) if health else frozenset()
    _log_room_reads(request, room, [pupil.pk], field_groups=groups)
    # What everyone present may see, asked inside the fetch itself (one query each for referrals and interventions).
    referral_ids = shared_records_query(room, referrals_visible_to, Referral, pupil.pk)
    intervention_ids = shared_records_query(room, interventions_visible_to, Intervention, pupil.pk)
    referrals = list(
        Referral.objects.filter(pk__in=referral_ids, status__in=Referral.OPEN).select_related("allocated_to")
    )
    context |= {
        "pupil": pupil,
        "concerns": list(
            Concern.objects.filter(pupil=pupil)
            .exclude(status=Concern.Status.WITHDRAWN)
            .select_related("logged_by")[:RECENT_CONCERNS]
        )
        if detail
        else [],
        "referrals": referrals,
        "interventions": list(
            Intervention.objects.filter(pk__in=intervention_ids, status=Intervention.Status.OPEN).select_related(
                "specialist"
            )
        ),
        "actions": list(
            Action.objects.filter(plan__pupil=pupil, status=Action.Status.OPEN).select_related(
                "owner_user", "owner_agency"
            )
        ),
        "sections": sections_for(pupil.pk),
        "health": HealthRecord.objects.filter(pupil=pupil).first() if health else None,
    }
    if recording:
        triage = (
            [r for r in referrals if r.status == Referral.Status.SUBMITTED] if can(user, Perm.TRIAGE_REFERRAL) else []
        )
        context |= {
            "discussion_form": plain_widgets(forms.get("discussion_form") or DiscussionForm()),
            "decision_form": plain_widgets(
                forms.get("decision_form")
                or DecisionForm(referrals=Referral.objects.filter(pk__in=[r.pk for r in triage]))
            ),
            "action_form": plain_widgets(forms.get("action_form") or ActionForm()),
            "can_triage": bool(triage),
        }
    return context


# Of each agenda item's pupil, what the agenda and the case panel show: the name, the centre and the headline
# figures (the case's records are fetched by the panel itself).
SCREEN_PUPIL_FIELDS = (
    "pupil__first_name",
    "pupil__preferred_name",
    "pupil__last_name",
    "pupil__year_group",
    "pupil__level_of_need",
    "pupil__send_status",
    "pupil__social_care_status",
    "pupil__site__name",
)


def _screen_items(meeting: Meeting) -> list[AgendaItem]:
    every_item_field = (field.name for field in AgendaItem._meta.concrete_fields)
    return list(meeting.items.select_related("pupil__site").only(*every_item_field, *SCREEN_PUPIL_FIELDS))


@require_GET
def meeting_screen(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    items = _screen_items(meeting)
    room = room_for(meeting, request.user, {item.pupil_id for item in items if item.pupil_id})
    current = None
    wanted = parse_id(request.GET.get("item"))
    if wanted:
        current = next((item for item in items if item.pk == wanted), None)
    if current is None and items:
        current = next((item for item in items if item.status == AgendaItem.Status.PENDING), items[0])
    # The agenda's links and names, worked out here once rather than by a template tag per line.
    case_url = reverse("meetings:case", args=[meeting.pk, 0]).removesuffix("0/")
    entries = []
    for n, item in enumerate(items, start=1):
        shown = room.shows(item)
        entries.append(
            {
                "item": item,
                "shown": shown,
                "number": n,
                "label": (item.pupil.full_name if item.pupil_id else item.title) if shown else "Held back",
                "status": item.get_status_display() if item.status != AgendaItem.Status.PENDING else "",
                "case_url": f"{case_url}{item.pk}/",
            }
        )
    context = {
        "meeting": meeting,
        "entries": entries,
        "room": room,
        "current": current,
        "may_run": may_run(request.user, meeting),
    }
    # The agenda names every case shown to the room; the open case writes its own row (with its field groups).
    _log_room_reads(request, room, [e["item"].pupil_id for e in entries if e["shown"] and e["item"] is not current])
    if current is not None:
        context["case"] = _case_context(request, meeting, current, room)
    return render(request, "meetings/screen.html", context)


def _log_room_reads(
    request: HttpRequest, room: Room, pupil_ids: list[int | None], field_groups: frozenset = frozenset()
) -> None:
    """The reader's own reads, and for each pupil shown to someone present only under the sharing basis (or as the
    TAC's team), a row for that person naming the meeting."""
    pupil_ids = [pupil_id for pupil_id in pupil_ids if pupil_id is not None]
    own = [pupil_id for pupil_id in pupil_ids if not room.shares_only(request.user, pupil_id)]
    record_reads(request, pupil_ids=own, field_groups=field_groups)
    shared = [(user, pupil_id) for pupil_id in pupil_ids for user in room.shared_with.get(pupil_id, ())]
    if shared:
        record_shared_reads(request, readers=shared, reason=room.reason)


def _case_response(
    request: HttpRequest, meeting: Meeting, item: AgendaItem, status: int = 200, **forms
) -> HttpResponse:
    room = room_for(meeting, request.user, {item.pupil_id} if item.pupil_id else set())
    return render(
        request, "meetings/_case.html", {"case": _case_context(request, meeting, item, room, **forms)}, status=status
    )


@require_GET
def meeting_case(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    item = _get_item(meeting, item_pk)
    return _case_response(request, meeting, item)


def _recordable_item(request: HttpRequest, pk: int, item_pk: int) -> tuple[Meeting, AgendaItem, Room]:
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    _require_record(request, meeting)
    item = _get_item(meeting, item_pk)
    room = room_for(meeting, request.user, {item.pupil_id} if item.pupil_id else set())
    if not room.shows(item):
        raise PermissionDenied("This case is held back from the shared screen.")
    return meeting, item, room


def _after_record(request: HttpRequest, meeting: Meeting, item: AgendaItem, message: str) -> HttpResponse:
    if request.htmx:
        return _case_response(request, meeting, item)
    messages.success(request, message)
    return redirect(f"{meeting_screen_url(meeting)}?item={item.pk}")


def meeting_screen_url(meeting: Meeting) -> str:
    return reverse("meetings:screen", args=[meeting.pk])


@require_POST
def discussion_record(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting, item, _ = _recordable_item(request, pk, item_pk)
    form = DiscussionForm(request.POST)
    if form.is_valid():
        try:
            services.discussion_record(item=item, by=request.user, text=form.cleaned_data["text"])
        except services.MeetingClosed:
            return _closed_response(request, meeting)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _after_record(request, meeting, item, "Discussion recorded.")
    return _case_response(request, meeting, item, status=400, discussion_form=form)


@require_POST
def decision_record(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting, item, room = _recordable_item(request, pk, item_pk)
    # Only a referral everyone present may see can be triaged on the shared screen.
    shared = shared_records(room, referrals_visible_to, item.pupil_id, Referral) if item.pupil_id else []
    candidates = Referral.objects.filter(pk__in=shared, status=Referral.Status.SUBMITTED)
    form = DecisionForm(request.POST, referrals=candidates)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_record(
                item=item,
                by=request.user,
                text=data["text"],
                referral=data["referral"],
                outcome=data["outcome"],
                specialist=data["specialist"],
                duplication_reason=data["duplication_reason"],
                offer=data["offer"],
                reason=data["reason"],
                escalation=data["escalation"],
            )
        except services.MeetingClosed:
            return _closed_response(request, meeting)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _after_record(request, meeting, item, "Decision recorded.")
    return _case_response(request, meeting, item, status=400, decision_form=form)


@require_POST
def action_add(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting, item, _ = _recordable_item(request, pk, item_pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.action_add(item=item, by=request.user, **form.cleaned_data)
        except services.MeetingClosed:
            return _closed_response(request, meeting)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _after_record(request, meeting, item, "Action added.")
    return _case_response(request, meeting, item, status=400, action_form=form)


def _close_context(request: HttpRequest, meeting: Meeting, form: CloseForm) -> dict:
    items = list(meeting.items.select_related("pupil"))
    pending = [item for item in items if item.status == AgendaItem.Status.PENDING]
    room = room_for(meeting, request.user, {item.pupil_id for item in pending if item.pupil_id})
    return {
        "meeting": meeting,
        "form": form,
        "pending": [{"item": item, "named": room.shows(item)} for item in pending],
        "discussed": sum(1 for item in items if item.status == AgendaItem.Status.DISCUSSED),
        "following": services.next_in_series(meeting),
    }


@require_http_methods(["GET", "POST"])
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Closing asks first: what was not reached, and whether to carry it over (the default)."""
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    _require_run(request, meeting)
    if not meeting.is_open:
        return _closed_response(request, meeting)
    if request.method == "GET":
        following = documents.next_meeting_date(meeting)
        form = CloseForm(
            initial={
                "version": meeting.version,
                "carry_over": True,
                "next_review_on": following if following and following > meeting.held_on else None,
            }
        )
        return render(request, "meetings/close.html", _close_context(request, meeting, form))
    form = CloseForm(request.POST)
    if not form.is_valid():
        return render(request, "meetings/close.html", _close_context(request, meeting, form), status=400)
    try:
        services.meeting_close(meeting=meeting, by=request.user, **form.cleaned_data)
    except services.MeetingClosed:
        return _closed_response(request, meeting)
    except EditConflict as conflict:
        form.add_error(None, conflict.message)
        return render(request, "meetings/close.html", _close_context(request, meeting, form), status=409)
    except ValidationError as error:
        add_service_errors(form, error)
        return render(request, "meetings/close.html", _close_context(request, meeting, form), status=400)
    carried = meeting.items.filter(status=AgendaItem.Status.CARRIED_OVER).count()
    note = f" {carried} case{'s' if carried != 1 else ''} carried over." if carried else ""
    messages.success(request, f"Meeting closed: the minutes are final.{note} The PDFs will appear below shortly.")
    return _detail_redirect(meeting)


# PDFs ---------------------------------------------------------------------------------------------------------


@require_POST
def pdf_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A copy of a document built for the person asking: anyone who may download the meeting's PDFs."""
    meeting = get_for_user(request, meetings_visible_to(request.user), pk)
    if not may_download(request.user, meeting):
        raise PermissionDenied
    form = PdfForm(request.POST, kinds=services.PDF_KINDS_FOR[meeting.kind])
    if form.is_valid():
        try:
            services.pdf_request(meeting=meeting, by=request.user, kind=form.cleaned_data["kind"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return render(request, "meetings/detail.html", _detail_context(request, meeting), status=409)
        messages.success(request, "Your copy is being made: it will appear below.")
        return _detail_redirect(meeting)
    messages.error(request, "Choose which document to make.")
    return render(request, "meetings/detail.html", _detail_context(request, meeting), status=400)


def _get_job(request: HttpRequest, job_pk: int) -> PdfJob:
    return get_for_user(request, pdf_jobs_visible_to(request.user), job_pk, pupil=None)


@require_GET
def pdf_status(request: HttpRequest, job_pk: int) -> HttpResponse:
    job = _get_job(request, job_pk)
    if request.GET.get("seen") == job.progress["token"]:
        # Nothing new: htmx keeps the line (and its polling) as it is, so nothing is announced again.
        return HttpResponse(status=204)
    return render(
        request,
        "meetings/_pdf_job.html",
        {"job": job, "meeting": job.meeting, "may_download": may_download(request.user, job.meeting)},
    )


@require_GET
def pdf_download(request: HttpRequest, job_pk: int) -> HttpResponse:
    job = _get_job(request, job_pk)  # only one's own copies: each is built for the person who asked for it
    meeting = job.meeting
    if meeting.pupil_id:
        if pupils_visible_to(request.user).filter(pk=meeting.pupil_id).exists() or not shareable_pupil_ids(
            meeting, request.user, {meeting.pupil_id}
        ):
            get_pupil_for_user(request, meeting.pupil_id)  # audited like any read of the pupil's record
        else:  # the team invited to the child's TAC
            record_shared_reads(request, readers=[(request.user, meeting.pupil_id)], reason=share_reason(meeting))
    if not may_download(request.user, meeting):
        raise PermissionDenied
    if job.status != PdfJob.Status.DONE or not job.file:
        raise Http404("This document is not ready.")
    named = set(job.pupils_named)
    outside = named - set(pupils_visible_to(request.user).filter(pk__in=named).values_list("pk", flat=True))
    shared = shareable_pupil_ids(meeting, request.user, outside)
    if outside - shared:
        # Someone named in this copy has left the reader's scope (or the sharing basis) since it was made: they
        # make a new copy.
        raise Http404("This copy is out of date.")
    record_reads(request, pupil_ids=named - outside - {meeting.pupil_id})  # one row per pupil in the file
    if shared:
        readers = [(request.user, pupil_id) for pupil_id in shared]
        record_shared_reads(request, readers=readers, reason=share_reason(meeting))
    name = f"{meeting.get_kind_display().split(' ')[0].lower()}-{meeting.held_on:%Y-%m-%d}-{job.kind}.pdf"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


def _has_family_letter(user, meeting: Meeting) -> bool:
    """Whether the meeting sends the family a letter that `user` may read (as they may its other documents)."""
    return PdfJob.Kind.FAMILY_LETTER in services.PDF_KINDS_FOR[meeting.kind] and may_download(user, meeting)


@require_GET
def family_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The family's thank-you letter as the family will read it, before anyone makes the PDF."""
    meeting = get_for_user(
        request, meetings_visible_to(request.user).select_related("pupil__site", "site", "chair"), pk
    )
    if not _has_family_letter(request.user, meeting):
        raise Http404("This meeting has no family letter.")
    try:
        letter = documents.family_letter_context(meeting, request.user)
    except documents.OutOfScope:
        raise Http404("No such meeting.") from None
    letter.pop("pupils_named")
    context = letter | {"meeting": meeting, "printed_on": timezone.localdate()}
    return render(request, "meetings/letter.html", context)


# Actions -------------------------------------------------------------------------------------------------------


@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("status", Action.Status.OPEN)
    actions = actions_visible_to(request.user).prefetch_related(Prefetch("progress_notes"))
    filterset = ActionFilter(data, queryset=actions, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_reads(request, pupil_ids=[action.plan.pupil_id for action in page.object_list])
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "meetings/actions.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "can_update": can(request.user, Perm.UPDATE_ACTION),
        },
        status=200 if filterset.is_valid() else 400,
    )


def _get_action(request: HttpRequest, pk: int) -> Action:
    return get_for_user(request, actions_visible_to(request.user), pk, action=Perm.UPDATE_ACTION, pupil="plan__pupil")


@require_POST
def action_progress(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action(request, pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.action_progress_add(action=action, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _action_page(request, action, status=409)
        messages.success(request, "Progress recorded.")
        return redirect("meetings:action", pk=action.pk)
    return _action_page(request, action, progress_form=form, status=400)


@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action(request, pk)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            services.action_set_status(action=action, by=request.user, **form.cleaned_data)
        except EditConflict as conflict:
            form.add_error(None, conflict.message)
            return _action_page(request, action, status_form=form, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Action updated.")
            return redirect("meetings:action", pk=action.pk)
    return _action_page(request, action, status_form=form, status=400)


def _action_page(request: HttpRequest, action: Action, status: int = 200, **forms) -> HttpResponse:
    action.refresh_from_db()
    can_update = can(request.user, Perm.UPDATE_ACTION) and action.status == Action.Status.OPEN
    return render(
        request,
        "meetings/action.html",
        {
            "action": action,
            "notes": list(action.progress_notes.select_related("recorded_by")),
            "progress_form": forms.get("progress_form") or (ProgressForm() if can_update else None),
            "status_form": forms.get("status_form")
            or (ActionStatusForm(initial={"version": action.version}) if can_update else None),
        },
        status=status,
    )


@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_for_user(request, actions_visible_to(request.user), pk, pupil="plan__pupil")
    return _action_page(request, action)


# The MDT sharing basis ---------------------------------------------------------------------------------------


@require_GET
def sharing_basis_list(request: HttpRequest) -> HttpResponse:
    """Each centre's MDT sharing basis: who its core members are and the agreement they share under."""
    bases = list(SharingBasis.objects.select_related("site", "updated_by").prefetch_related("agencies", "people"))
    covered = {basis.site_id for basis in bases}
    return render(
        request,
        "meetings/sharing_basis_list.html",
        {
            "bases": bases,
            "uncovered": [site for site in Site.objects.all() if site.pk not in covered and None not in covered],
            "can_edit": can(request.user, Perm.SET_SHARING_BASIS),
        },
    )


@require_http_methods(["GET", "POST"])
def sharing_basis_edit(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.SET_SHARING_BASIS)
    site_id = parse_id(request.GET.get("site"))
    basis = SharingBasis.objects.filter(site_id=site_id).first() if site_id else None
    if basis is None and not site_id:
        basis = SharingBasis.objects.filter(site__isnull=True).first()
    initial = {"site": site_id}
    if basis is not None:
        initial = {
            "site": basis.site_id,
            "agreement": basis.agreement,
            "agreed_on": basis.agreed_on,
            "review_on": basis.review_on,
            "lawful_basis": basis.lawful_basis,
            "agencies": list(basis.agencies.all()),
            "people": list(basis.people.all()),
            "version": basis.version,
        }
    form = SharingBasisForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.sharing_basis_save(by=request.user, **form.cleaned_data)
            except EditConflict as conflict:
                form.add_error(None, conflict.message)
                return render(request, "meetings/sharing_basis_form.html", {"form": form}, status=409)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The MDT sharing basis is saved.")
                return redirect("meetings:sharing_basis")
        return render(request, "meetings/sharing_basis_form.html", {"form": form}, status=400)
    return render(request, "meetings/sharing_basis_form.html", {"form": form})
