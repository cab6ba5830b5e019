"""Referrals, triage, interventions and information requests. Each view: access, form, one service call, response."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Agency, AgencyService, User
from concerns.models import Concern
from concerns.selectors import safeguarding_queue
from pru_cases.access import (
    Action,
    FieldGroup,
    can,
    can_read_field_group,
    get_for_user,
    get_pupil_for_user,
    readable_field_groups,
    record_reads,
    require,
)
from pru_cases.lib.conflicts import EditConflict
from pru_cases.lib.forms import add_service_errors, plain_widgets, show_edit_conflict
from pru_cases.lib.ids import parse_id
from pru_cases.lib.pages import counted_page
from pru_cases.lib.private_search import private_search, public_query, search_data
from pru_cases.lib.queries import CountOf
from referrals import forms, services
from referrals.filters import (
    InformationRequestFilter,
    InterventionFilter,
    ReferralFilter,
)
from referrals.models import (
    InformationRequest,
    Intervention,
    InterventionSession,
    Referral,
)
from referrals.selectors import (
    HANDS_ON_ROLES,
    agency_response_medians,
    information_requests_visible_to,
    interventions_visible_to,
    referrals_visible_to,
    triage_counts,
)

PAGE_SIZE = 25
SAFEGUARDING_SHOWN = 10  # oldest first; the concern log lists the rest


def _works_on(user: User, intervention: Intervention) -> bool:
    """Only the allocated specialist or the DSL works on an intervention."""
    return user.role == User.Role.DSL or intervention.specialist_id == user.pk


def _may_close(user: User, referral: Referral) -> bool:
    return can(user, Action.TRIAGE_REFERRAL) or services.may_work_on(user, referral)


def _page(request: HttpRequest, filterset, *, also: Iterable[int] = ()) -> tuple:
    """One page of a list of pupil records, its reads written to the access log in one insert (with the pupils
    of `also`, other records the page names)."""
    plain_widgets(filterset.form)  # drawn by templates/_field.html in referrals/_filter_form.html
    page = counted_page(filterset.qs, request.GET.get("page"), PAGE_SIZE)
    record_reads(request, pupil_ids=[*(record.pupil_id for record in page.object_list), *also])
    return page, public_query(request.GET)


# Referrals ------------------------------------------------------------------------------------------------------


@private_search
def referral_list(request: HttpRequest) -> HttpResponse:
    filterset = ReferralFilter(search_data(request), queryset=referrals_visible_to(request.user))
    page, query = _page(request, filterset)
    context = {
        "filter": filterset,
        "page": page,
        "query": query,
        "can_triage": can(request.user, Action.TRIAGE_REFERRAL),
        "can_raise": can(request.user, Action.RAISE_REFERRAL),
    }
    return render(request, "referrals/list.html", context, status=200 if filterset.is_valid() else 400)


@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, pupil_pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pupil_pk, action=Action.RAISE_REFERRAL)
    source = request.POST if request.method == "POST" else request.GET
    concern_id = parse_id(source.get("concern"))
    concern = Concern.objects.filter(pk=concern_id, pupil=pupil).first() if concern_id else None
    context = {"pupil": pupil, "concern": concern}
    if request.method == "GET":
        return render(request, "referrals/new.html", context | {"form": forms.ReferralForm()})
    form = forms.ReferralForm(request.POST)
    if form.is_valid():
        try:
            referral = services.referral_create(pupil=pupil, by=request.user, concern=concern, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not referrals_visible_to(request.user).filter(pk=referral.pk).exists():
                # A referral to a health specialism is then followed by health staff and the DSL.
                messages.success(
                    request,
                    "Referral raised. Referrals to health services are followed up by health staff and the DSL.",
                )
                return redirect("pupils:detail", pk=pupil.pk)
            messages.success(
                request,
                (
                    f"Referral to {referral.get_specialism_display()} raised for {pupil.full_name}. It will be "
                    "triaged at the MDT."
                ),
            )
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/new.html", context | {"form": form}, status=400)


def _detail_context(request: HttpRequest, referral: Referral, **forms_override) -> dict:
    user = request.user
    show_health = can_read_field_group(user, FieldGroup.HEALTH)
    intervention = Intervention.objects.filter(referral=referral).select_related("specialist").first()
    sessions = []
    if intervention is not None:
        sessions = list(InterventionSession.objects.filter(intervention=intervention).select_related("recorded_by"))
    works_on = services.may_work_on(user, referral)
    context = {
        "referral": referral,
        "intervention": intervention,
        "sessions": sessions,
        "show_health": show_health,
        "triage_form": None,
        "close_form": None,
        "session_form": None,
        "intervention_form": None,
        "can_start": referral.status == Referral.Status.ALLOCATED and works_on,
    }
    if referral.status == Referral.Status.SUBMITTED and can(user, Action.TRIAGE_REFERRAL):
        context["triage_form"] = forms.TriageForm(referral=referral)
        context["duplicate"] = services.open_duplicate(pupil=referral.pupil, specialism=referral.specialism)
    if referral.status in Referral.CLOSABLE and _may_close(user, referral):
        context["close_form"] = forms.CloseForm(initial={"version": referral.version})
    if intervention is not None and intervention.is_open and (works_on or user.role == User.Role.DSL):
        context["session_form"] = forms.SessionForm(show_health=show_health)
        context["intervention_form"] = forms.InterventionForm(
            initial={
                "review_date": intervention.review_date,
                "goals": intervention.goals,
                "version": intervention.version,
            }
        )
    return context | forms_override


@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_user(
        request, referrals_visible_to(request.user), pk, field_groups=readable_field_groups(request.user)
    )
    return render(request, "referrals/detail.html", _detail_context(request, referral))


@require_POST
def referral_triage(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_user(
        request,
        referrals_visible_to(request.user),
        pk,
        action=Action.TRIAGE_REFERRAL,
        field_groups=readable_field_groups(request.user),
    )
    form = forms.TriageForm(request.POST, referral=referral)
    status = 400
    if form.is_valid():
        try:
            services.referral_triage(referral=referral, by=request.user, **form.cleaned_data)
        except EditConflict as error:
            add_service_errors(form, error)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
            status = 409 if not hasattr(error, "error_dict") else 400
        else:
            messages.success(request, f"Referral triaged: {referral.get_status_display().lower()}.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/detail.html", _detail_context(request, referral, triage_form=form), status=status)


@require_POST
def referral_start(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_user(
        request,
        referrals_visible_to(request.user),
        pk,
        action=Action.RECORD_INTERVENTION,
        field_groups=readable_field_groups(request.user),
        allowed=services.may_work_on,
    )
    try:
        services.referral_start(referral=referral, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(request, "referrals/detail.html", _detail_context(request, referral), status=409)
    messages.success(request, "Work has started.")
    return redirect("referrals:detail", pk=referral.pk)


@require_POST
def referral_close(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_user(
        request,
        referrals_visible_to(request.user),
        pk,
        field_groups=readable_field_groups(request.user),
        allowed=_may_close,
    )
    form = forms.CloseForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.referral_close(referral=referral, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400 if hasattr(error, "error_dict") else 409
        else:
            messages.success(request, "Referral closed with its outcome.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/detail.html", _detail_context(request, referral, close_form=form), status=status)


# Triage queue -----------------------------------------------------------------------------------------------------


@private_search
def triage_queue(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.TRIAGE_REFERRAL)
    scoped = referrals_visible_to(request.user)
    data = search_data(request)
    data.setdefault("status", Referral.Status.SUBMITTED)
    filterset = ReferralFilter(data, queryset=scoped.order_by("raised_at", "pk"))
    extra = {}
    if can(request.user, Action.REVIEW_SAFEGUARDING):
        queue = safeguarding_queue(request.user).order_by("occurred_at")
        # the oldest few, and how many there are in all, in one query
        shown = list(queue.annotate(total=CountOf(queue.order_by().values("pk")))[:SAFEGUARDING_SHOWN])
        extra["safeguarding"] = shown
        extra["safeguarding_total"] = shown[0].total if shown else 0
    page, query = _page(request, filterset, also=[c.pupil_id for c in extra.get("safeguarding", [])])
    context = {"filter": filterset, "page": page, "query": query, "counts": triage_counts(scoped)} | extra
    return render(request, "referrals/triage.html", context, status=200 if filterset.is_valid() else 400)


# Interventions ----------------------------------------------------------------------------------------------------


@private_search
def caseload(request: HttpRequest) -> HttpResponse:
    """A specialist's own interventions; the DSL and leaders may look at anyone's (?specialist=)."""
    user = request.user
    if not (user.sees_all_pupils or user.role in HANDS_ON_ROLES):
        raise PermissionDenied
    interventions = interventions_visible_to(user)
    person = user if not user.sees_all_pupils else None
    specialist_id = parse_id(request.GET.get("specialist"))
    if user.sees_all_pupils and specialist_id:
        person = User.objects.filter(pk=specialist_id, role__in=HANDS_ON_ROLES).first()
    if person is not None:
        interventions = interventions.filter(specialist=person)
    data = search_data(request)
    data.setdefault("status", Intervention.Status.OPEN)
    filterset = InterventionFilter(data, queryset=interventions.order_by("review_date", "pk"))
    page, query = _page(request, filterset)
    people = User.objects.filter(role__in=HANDS_ON_ROLES, is_active=True) if user.sees_all_pupils else []
    context = {"filter": filterset, "page": page, "query": query, "person": person, "people": people}
    return render(request, "referrals/caseload.html", context, status=200 if filterset.is_valid() else 400)


@require_POST
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_for_user(
        request, interventions_visible_to(request.user), pk, action=Action.RECORD_INTERVENTION, allowed=_works_on
    )
    form = forms.SessionForm(request.POST, show_health=can_read_field_group(request.user, FieldGroup.HEALTH))
    status = 400
    if form.is_valid():
        try:
            services.intervention_session_add(intervention=intervention, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400 if hasattr(error, "error_dict") else 409
        else:
            messages.success(request, "Session recorded.")
            return redirect("referrals:detail", pk=intervention.referral_id)
    referral = referrals_visible_to(request.user).filter(pk=intervention.referral_id).first() or intervention.referral
    return render(
        request, "referrals/detail.html", _detail_context(request, referral, session_form=form), status=status
    )


@require_POST
def intervention_update(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_for_user(
        request, interventions_visible_to(request.user), pk, action=Action.RECORD_INTERVENTION, allowed=_works_on
    )
    form = forms.InterventionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.intervention_update(intervention=intervention, by=request.user, **form.cleaned_data)
        except EditConflict as error:
            show_edit_conflict(form, error, latest_version=Intervention.objects.get(pk=intervention.pk).version)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
            status = 409
        else:
            messages.success(request, "Intervention updated.")
            return redirect("referrals:detail", pk=intervention.referral_id)
    referral = referrals_visible_to(request.user).filter(pk=intervention.referral_id).first() or intervention.referral
    return render(
        request, "referrals/detail.html", _detail_context(request, referral, intervention_form=form), status=status
    )


# Information requests ---------------------------------------------------------------------------------------------


@private_search
def information_request_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.REQUEST_INFORMATION)
    scoped = information_requests_visible_to(request.user)
    data = search_data(request)
    data.setdefault("status", InformationRequest.Status.OPEN)  # waiting ones first: overdue lead (ordered by due date)
    filterset = InformationRequestFilter(data, queryset=scoped)
    page, query = _page(request, filterset)
    context = {
        "filter": filterset,
        "page": page,
        "query": query,
        "medians": agency_response_medians(scoped),
        "answer_form": forms.AnswerForm(),
    }
    return render(request, "referrals/information_requests.html", context, status=200 if filterset.is_valid() else 400)


@require_http_methods(["GET", "POST"])
def information_request_new(request: HttpRequest, pupil_pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pupil_pk, action=Action.REQUEST_INFORMATION)
    if request.method == "GET":
        return render(
            request, "referrals/information_request_new.html", {"pupil": pupil, "form": forms.InformationRequestForm()}
        )
    form = forms.InformationRequestForm(request.POST)
    if form.is_valid():
        try:
            services.information_request_create(pupil=pupil, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Information request recorded.")
            return redirect("referrals:information_requests")
    return render(request, "referrals/information_request_new.html", {"pupil": pupil, "form": form}, status=400)


@require_POST
def information_request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    info = get_for_user(request, information_requests_visible_to(request.user), pk, action=Action.REQUEST_INFORMATION)
    form = forms.AnswerForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.information_request_answer(request=info, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400 if hasattr(error, "error_dict") else 409
        else:
            messages.success(request, f"Answer from {info.agency} recorded.")
            return redirect("referrals:information_requests")
    return render(request, "referrals/information_request_answer.html", {"info": info, "form": form}, status=status)


@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    """The directory: what each local professional can offer, and who to ask."""
    agencies = Agency.objects.prefetch_related(
        Prefetch("services", queryset=AgencyService.objects.filter(is_active=True)),
        Prefetch("staff", queryset=User.objects.filter(is_active=True).select_related("site")),
    )
    kind = request.GET.get("kind", "")
    if kind in Agency.Kind.values:
        agencies = agencies.filter(kind=kind)
    return render(
        request,
        "referrals/agency_list.html",
        {
            "agencies": agencies,
            "kinds": Agency.Kind.choices,
            "kind": kind,
            # Response times over the requests about pupils this person may see.
            "medians": agency_response_medians(information_requests_visible_to(request.user)),
        },
    )
