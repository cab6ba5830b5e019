"""The concern log: log a concern in seconds from any page, the log itself, and the DSL's review."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from concerns import services
from concerns.filters import ConcernFilter
from concerns.forms import (
    ConcernForm,
    ConcernReviewForm,
    EscalationCloseForm,
    EscalationEditForm,
    EscalationForm,
    StatutoryMeetingEditForm,
    StatutoryMeetingForm,
)
from concerns.models import Escalation, StatutoryMeeting, escalation_due_on
from concerns.selectors import (
    concerns_visible_to,
    escalations_visible_to,
    open_escalations,
    statutory_meetings_visible_to,
)
from pru_cases.access import (
    Action,
    can,
    get_for_user,
    get_pupil_for_user,
    record_reads,
    require,
    without_restricted_rows,
)
from pru_cases.lib.forms import add_service_errors, plain_widgets, show_refusal
from pru_cases.lib.ids import parse_id
from pru_cases.lib.private_search import private_search, public_query, search_data
from pupils.filters import PupilFilter
from pupils.models import Pupil
from pupils.selectors import pupils_visible_to

PAGE_SIZE = 25
PICKER_LIMIT = 8


@require_http_methods(["GET", "POST"])
def concern_new(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    pupil = None
    pupil_id = parse_id(source.get("pupil"))
    if pupil_id is not None:
        # 404 out of scope, audited; the form names the pupil's centre
        pupil = get_pupil_for_user(request, pupil_id, action=Action.LOG_CONCERN, related=("site",))
    else:
        require(request.user, Action.LOG_CONCERN)
    if request.method == "GET":
        form = plain_widgets(ConcernForm(initial={"pupil": pupil.pk if pupil else None}, pupil=pupil))
        return render(request, "concerns/new.html", {"form": form, "pupil": pupil})
    form = ConcernForm(request.POST, pupil=pupil)
    if form.is_valid():
        data = form.cleaned_data
        try:
            concern = services.concern_log(
                pupil=data["pupil"],
                by=request.user,
                category=data["category"],
                seen=data["seen"],
                occurred_at=data["occurred_at"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            note = " It has gone to the DSL's safeguarding queue." if concern.is_safeguarding else ""
            messages.success(request, f"Concern about {pupil.full_name} logged.{note}")
            return redirect("pupils:detail", pk=pupil.pk)
    return render(request, "concerns/new.html", {"form": plain_widgets(form), "pupil": pupil}, status=400)


@require_POST
def concern_pupil_search(request: HttpRequest) -> HttpResponse:
    """The pupil picker: up to a handful of matching pupils the user may see (names only).

    POSTed by htmx, so what was typed (part of a child's name or UPN) never appears in a URL.
    """
    require(request.user, Action.LOG_CONCERN)
    query = request.POST.get("q", "").replace("\x00", "").strip()[:80]  # Postgres text holds no NUL
    pupils = []
    if len(query) >= 2:
        scoped = pupils_visible_to(request.user).filter(status=Pupil.Status.ACTIVE).select_related("site")
        pupils = list(PupilFilter.search(None, scoped, "q", query)[:PICKER_LIMIT])
    return render(request, "concerns/_pupil_choices.html", {"pupils": pupils, "query": query})


@private_search
def concern_list(request: HttpRequest) -> HttpResponse:
    data = search_data(request)
    filterset = ConcernFilter(data, queryset=concerns_visible_to(request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_reads(request, pupil_ids=[concern.pupil_id for concern in page.object_list])
    return render(
        request,
        "concerns/list.html",
        {
            "filter": filterset,
            "page": page,
            "query": public_query(data),
            "can_log": can(request.user, Action.LOG_CONCERN),
            "can_review": can(request.user, Action.REVIEW_SAFEGUARDING),
        },
        status=200 if filterset.is_valid() else 400,
    )


@require_http_methods(["GET", "POST"])
def concern_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The concern, and the DSL's note of what was done (the link in the DSL's alert opens it)."""
    concern = get_for_user(request, concerns_visible_to(request.user), pk, action=Action.REVIEW_SAFEGUARDING)
    can_escalate = can(request.user, Action.MANAGE_ESCALATION)
    if request.method == "GET":
        context = {"concern": concern, "form": ConcernReviewForm(), "can_escalate": can_escalate}
        return render(request, "concerns/review.html", context)
    form = ConcernReviewForm(request.POST)
    if form.is_valid():
        try:
            services.concern_review(concern=concern, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
            status = 409
        else:
            messages.success(request, f"Concern about {concern.pupil.full_name} marked as reviewed.")
            return redirect("referrals:triage")
    else:
        status = 400
    context = {"concern": concern, "form": form, "can_escalate": can_escalate}
    return render(request, "concerns/review.html", context, status=status)


# Escalations outside the PRU and statutory meetings: child-protection detail, for the DSL and senior leaders.


def _escalation_page(request: HttpRequest, escalation, *, edit_form=None, close_form=None, status: int = 200):
    initial = {
        "version": escalation.version,
        "route": escalation.route,
        "owner": escalation.owner_id,
        "due_on": escalation.due_on,
        "outside_reference": escalation.outside_reference,
        "summary": escalation.summary,
    }
    return render(
        request,
        "concerns/escalation.html",
        {
            "escalation": escalation,
            # a referral the reader may not know (a health referral, for a senior leader) is not linked
            "referrals": list(without_restricted_rows(request.user, escalation.referrals.only("pk", "raised_at"))),
            "edit_form": edit_form or EscalationEditForm(initial=initial),
            "close_form": close_form or EscalationCloseForm(initial={"version": escalation.version}),
        },
        status=status,
    )


def _get_escalation(request: HttpRequest, pk: int) -> Escalation:
    scope = escalations_visible_to(request.user).select_related("opened_by", "closed_by", "concern")
    return get_for_user(request, scope, pk, action=Action.MANAGE_ESCALATION)


def escalation_list(request: HttpRequest) -> HttpResponse:
    """The DSL's queue: open escalations, the earliest due first, overdue ones marked."""
    require(request.user, Action.MANAGE_ESCALATION)
    rows = list(open_escalations(request.user))
    record_reads(request, pupil_ids=[row.pupil_id for row in rows])
    return render(request, "concerns/escalations.html", {"escalations": rows})


@require_http_methods(["GET", "POST"])
def escalation_new(request: HttpRequest, pupil_pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pupil_pk, action=Action.MANAGE_ESCALATION)
    source = request.POST if request.method == "POST" else request.GET
    concern = None
    concern_id = parse_id(source.get("concern"))
    if concern_id is not None:
        concern = concerns_visible_to(request.user).filter(pupil=pupil, pk=concern_id).first()
        if concern is None:  # another pupil's concern, or none: say so rather than open an escalation without it
            raise Http404("No such concern about this pupil.")
    context = {"pupil": pupil, "concern": concern}
    if request.method == "GET":
        form = EscalationForm(initial={"owner": request.user.pk, "due_on": escalation_due_on()})
        return render(request, "concerns/escalation_new.html", context | {"form": form})
    form = EscalationForm(request.POST)
    if not form.is_valid():
        return render(request, "concerns/escalation_new.html", context | {"form": form}, status=400)
    try:
        escalation = services.escalation_open(pupil=pupil, by=request.user, concern=concern, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal)
        return render(request, "concerns/escalation_new.html", context | {"form": form}, status=status)
    messages.success(request, f"Escalation for {pupil.full_name} opened; it is due on {escalation.due_on:%-d %b %Y}.")
    return redirect("concerns:escalation", pk=escalation.pk)


def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_page(request, _get_escalation(request, pk))


@require_POST
def escalation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = _get_escalation(request, pk)
    form = EscalationEditForm(request.POST)
    if not form.is_valid():
        return _escalation_page(request, escalation, edit_form=form, status=400)
    try:
        services.escalation_update(escalation=escalation, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal, edited=Escalation.objects.filter(pk=escalation.pk))
        return _escalation_page(request, escalation, edit_form=form, status=status)
    messages.success(request, "Escalation updated.")
    return redirect("concerns:escalation", pk=escalation.pk)


@require_POST
def escalation_close(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = _get_escalation(request, pk)
    form = EscalationCloseForm(request.POST)
    if not form.is_valid():
        return _escalation_page(request, escalation, close_form=form, status=400)
    try:
        services.escalation_close(escalation=escalation, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal, edited=Escalation.objects.filter(pk=escalation.pk))
        return _escalation_page(request, escalation, close_form=form, status=status)
    messages.success(request, "Escalation closed with its outcome recorded.")
    return redirect("concerns:escalation", pk=escalation.pk)


@require_http_methods(["GET", "POST"])
def statutory_meeting_new(request: HttpRequest, pupil_pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pupil_pk, action=Action.RECORD_STATUTORY_MEETING)
    if request.method == "GET":
        form = StatutoryMeetingForm(initial={"attended_by": [request.user.pk]})
        return render(request, "concerns/statutory_meeting_new.html", {"pupil": pupil, "form": form})
    form = StatutoryMeetingForm(request.POST)
    if not form.is_valid():
        return render(request, "concerns/statutory_meeting_new.html", {"pupil": pupil, "form": form}, status=400)
    try:
        meeting = services.statutory_meeting_record(pupil=pupil, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal)
        return render(request, "concerns/statutory_meeting_new.html", {"pupil": pupil, "form": form}, status=status)
    messages.success(request, f"{meeting.get_kind_display()} recorded for {pupil.full_name}.")
    return redirect("concerns:statutory_meeting", pk=meeting.pk)


@require_http_methods(["GET", "POST"])
def statutory_meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The record of a statutory meeting, and its correction."""
    scope = statutory_meetings_visible_to(request.user).select_related("recorded_by")
    meeting = get_for_user(request, scope, pk, action=Action.RECORD_STATUTORY_MEETING)
    attendees = list(meeting.attended_by.all())
    context = {"meeting": meeting, "attendees": attendees}
    if request.method == "GET":
        initial = {
            "version": meeting.version,
            "kind": meeting.kind,
            "held_on": meeting.held_on,
            "attended_by": [user.pk for user in attendees],
            "others_attending": meeting.others_attending,
            "decisions": meeting.decisions,
            "next_on": meeting.next_on,
        }
        return render(
            request, "concerns/statutory_meeting.html", context | {"form": StatutoryMeetingEditForm(initial=initial)}
        )
    form = StatutoryMeetingEditForm(request.POST)
    if not form.is_valid():
        return render(request, "concerns/statutory_meeting.html", context | {"form": form}, status=400)
    try:
        services.statutory_meeting_update(meeting=meeting, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal, edited=StatutoryMeeting.objects.filter(pk=meeting.pk))
        return render(request, "concerns/statutory_meeting.html", context | {"form": form}, status=status)
    messages.success(request, "Meeting record updated.")
    return redirect("concerns:statutory_meeting", pk=meeting.pk)
