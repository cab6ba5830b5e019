"""Family pages. Household pages are scoped by households_visible_to; pages about one pupil's family,
consent, Fresh Start interview and reintegration plan go through get_pupil_for_user."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Q, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from families import forms, services
from families.filters import HouseholdFilter, PlanFilter
from families.models import (
    Carer,
    Consent,
    FollowUpCheck,
    FreshStartInterview,
    Household,
    HouseholdPupil,
    ReintegrationPlan,
    SchoolVisit,
    SupportAction,
)
from families.selectors import (
    HOUSEHOLD_PUPILS,
    household_list_queryset,
    households_visible_to,
    plans_visible_to,
)
from pru_cases.access import Action, can, can_for_pupil, get_for_user, get_pupil_for_user, record_reads
from pru_cases.lib.forms import show_refusal
from pru_cases.lib.private_search import private_search, public_query, search_data
from pupils.models import Pupil
from pupils.selectors import pupils_visible_to

PAGE_SIZE = 25


def _household_url(household: Household) -> str:
    return reverse("families:household", args=[household.pk])


def _pupil_family_url(pupil: Pupil) -> str:
    return reverse("families:pupil", args=[pupil.pk])


# Lists ---------------------------------------------------------------------------------------------------


@private_search
def household_list(request: HttpRequest) -> HttpResponse:
    data = search_data(request)
    filterset = HouseholdFilter(data, queryset=household_list_queryset(request.user), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "families/household_list.html",
        {"filter": filterset, "page": page, "query": public_query(data)},
        status=200 if filterset.is_valid() else 400,
    )


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("open", "true")
    plans = plans_visible_to(request.user).select_related("pupil__site", "lead", "allocated_school")
    filterset = PlanFilter(data, queryset=plans)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_reads(request, pupil_ids=[plan.pupil_id for plan in page.object_list])
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "families/plan_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
        status=200 if filterset.is_valid() else 400,
    )


@require_GET
def fresh_start_awaiting(request: HttpRequest) -> HttpResponse:
    """Interviews still to be fed back at the MDT: what the weekly agenda picks up."""
    interviews = services.fresh_starts_awaiting_mdt().filter(pupil__in=pupils_visible_to(request.user))
    page = Paginator(interviews, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_reads(request, pupil_ids=[interview.pupil_id for interview in page.object_list])
    return render(request, "families/fresh_start_awaiting.html", {"page": page, "query": ""})


# Households -----------------------------------------------------------------------------------------------


def _household_context(request: HttpRequest, household: Household, **overrides) -> dict:
    user = request.user
    may_edit = can(user, Action.EDIT_FAMILY)
    may_support = can(user, Action.FAMILY_SUPPORT)
    may_visit = can(user, Action.HOME_VISIT)
    return {
        "household": household,
        "pupils": pupils_visible_to(user).filter(household_link__household=household).select_related("site"),
        "carers": household.carers.all(),
        "siblings": household.siblings.select_related("school"),
        # Open actions first, soonest due first; closed ones after, most recent first.
        "support_actions": household.support_actions.select_related("owner").order_by(
            Case(When(status__in=SupportAction.CLOSED_STATUSES, then=1), default=0), "due_on", "-closed_on", "-pk"
        ),
        "home_visits": household.home_visits.select_related("lead", "colleague")[:50],
        "support_statuses": SupportAction.Status.choices,
        "can_edit": may_edit,
        "can_support": may_support,
        "carer_form": forms.CarerForm(prefix="carer") if may_edit else None,
        "sibling_form": forms.SiblingForm(prefix="sibling") if may_edit else None,
        "support_form": forms.SupportActionForm(prefix="support") if may_support else None,
        "visit_form": forms.HomeVisitForm(prefix="visit") if may_visit else None,
    } | overrides


@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_for_user(request, households_visible_to(request.user), pk, pupil=HOUSEHOLD_PUPILS)
    return render(request, "families/household_detail.html", _household_context(request, household))


@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_for_user(
        request, households_visible_to(request.user), pk, action=Action.EDIT_FAMILY, pupil=HOUSEHOLD_PUPILS
    )
    context = {"title": f"Edit {household}", "back": f"/families/{household.pk}/"}
    if request.method == "GET":
        return render(request, "families/form.html", context | {"form": forms.HouseholdForm(instance=household)})
    form = forms.HouseholdForm(request.POST, instance=Household.objects.get(pk=household.pk))
    if not form.is_valid():
        return render(request, "families/form.html", context | {"form": form}, status=400)
    try:
        services.household_update(
            household=household, by=request.user, data=form.cleaned_data, version=form.cleaned_data["version"] or 0
        )
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal, edited=Household.objects.filter(pk=household.pk))
        return render(request, "families/form.html", context | {"form": form}, status=status)
    messages.success(request, "Household details saved.")
    return redirect(_household_url(household))


def _household_page(request: HttpRequest, household: Household, status: int, **forms_shown) -> HttpResponse:
    """The household page again, with the form that was sent, its input and why it was not saved."""
    context = _household_context(request, household, **forms_shown)
    return render(request, "families/household_detail.html", context, status=status)


@require_POST
def carer_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_for_user(
        request, households_visible_to(request.user), pk, action=Action.EDIT_FAMILY, pupil=HOUSEHOLD_PUPILS
    )
    form = forms.CarerForm(request.POST, prefix="carer")
    if not form.is_valid():
        return _household_page(request, household, 400, carer_form=form)
    try:
        carer = services.carer_add(household=household, by=request.user, data=form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return _household_page(request, household, show_refusal(form, refusal), carer_form=form)
    messages.success(request, f"{carer.name} added.")
    return redirect(_household_url(household))


@require_http_methods(["GET", "POST"])
def carer_edit(request: HttpRequest, pk: int, carer_pk: int) -> HttpResponse:
    household = get_for_user(
        request, households_visible_to(request.user), pk, action=Action.EDIT_FAMILY, pupil=HOUSEHOLD_PUPILS
    )
    carer = get_object_or_404(Carer, pk=carer_pk, household=household)
    context = {"title": f"Edit {carer.name}", "back": f"/families/{household.pk}/"}
    if request.method == "GET":
        return render(request, "families/form.html", context | {"form": forms.CarerForm(instance=carer)})
    form = forms.CarerForm(request.POST, instance=Carer.objects.get(pk=carer.pk))
    if not form.is_valid():
        return render(request, "families/form.html", context | {"form": form}, status=400)
    try:
        services.carer_update(
            carer=carer, by=request.user, data=form.cleaned_data, version=form.cleaned_data["version"] or 0
        )
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal, edited=Carer.objects.filter(pk=carer.pk))
        return render(request, "families/form.html", context | {"form": form}, status=status)
    messages.success(request, f"{carer.name}'s details saved.")
    return redirect(_household_url(household))


@require_POST
def sibling_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_for_user(
        request, households_visible_to(request.user), pk, action=Action.EDIT_FAMILY, pupil=HOUSEHOLD_PUPILS
    )
    form = forms.SiblingForm(request.POST, prefix="sibling")
    if not form.is_valid():
        return _household_page(request, household, 400, sibling_form=form)
    try:
        services.sibling_add(household=household, by=request.user, data=form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return _household_page(request, household, show_refusal(form, refusal), sibling_form=form)
    messages.success(request, "Sibling added.")
    return redirect(_household_url(household))


@require_POST
def support_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_for_user(
        request, households_visible_to(request.user), pk, action=Action.FAMILY_SUPPORT, pupil=HOUSEHOLD_PUPILS
    )
    form = forms.SupportActionForm(request.POST, prefix="support")
    if not form.is_valid():
        return _household_page(request, household, 400, support_form=form)
    try:
        services.support_action_create(household=household, by=request.user, data=form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return _household_page(request, household, show_refusal(form, refusal), support_form=form)
    messages.success(request, "Support action added.")
    return redirect(_household_url(household))


@require_POST
def support_action_update(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    household = get_for_user(
        request, households_visible_to(request.user), pk, action=Action.FAMILY_SUPPORT, pupil=HOUSEHOLD_PUPILS
    )
    action = get_object_or_404(SupportAction, pk=action_pk, household=household)
    form = forms.SupportActionUpdateForm(request.POST)
    shown = {"update_form": form, "update_action_pk": action.pk}
    if not form.is_valid():
        return _household_page(request, household, 400, **shown)
    try:
        services.support_action_update(action=action, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return _household_page(request, household, show_refusal(form, refusal), **shown)
    messages.success(request, f"Support action updated: {action.get_status_display().lower()}.")
    return redirect(_household_url(household))


@require_POST
def home_visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_for_user(
        request, households_visible_to(request.user), pk, action=Action.HOME_VISIT, pupil=HOUSEHOLD_PUPILS
    )
    form = forms.HomeVisitForm(request.POST, prefix="visit")
    if not form.is_valid():
        return _household_page(request, household, 400, visit_form=form)
    try:
        services.home_visit_record(household=household, by=request.user, data=form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return _household_page(request, household, show_refusal(form, refusal), visit_form=form)
    messages.success(request, "Home visit recorded.")
    return redirect(_household_url(household))


# One pupil's family, consent and Fresh Start interview ------------------------------------------------


def _pupil_family_context(request: HttpRequest, pupil: Pupil, **overrides) -> dict:
    user = request.user
    link = HouseholdPupil.objects.select_related("household").filter(pupil=pupil).first()
    household = link.household if link else None
    carers = household.carers.filter(is_active=True) if household else Carer.objects.none()
    may_edit = can_for_pupil(user, Action.EDIT_FAMILY, pupil)
    may_consent = can_for_pupil(user, Action.RECORD_CONSENT, pupil)
    may_share = can_for_pupil(user, Action.RECORD_SHARING, pupil)
    interview = FreshStartInterview.objects.select_related("school_staff", "agency_member").filter(pupil=pupil).first()
    return {
        "pupil": pupil,
        "household": household,
        "carers": carers,
        "consents": pupil.consents.select_related("recorded_by", "given_by_carer", "withdrawn_recorded_by"),
        "sharing_decisions": pupil.sharing_decisions.select_related("decided_by")[:50],
        "interview": interview,
        "can_edit": may_edit,
        "can_consent": may_consent,
        "can_fresh_start": can_for_pupil(user, Action.FRESH_START, pupil),
        "mdt_form": forms.MdtDiscussedForm(prefix="mdt")
        if interview and interview.awaiting_mdt and can(user, Action.MARK_MDT_DISCUSSED)
        else None,
        "new_household_form": forms.HouseholdForm(prefix="new") if may_edit else None,
        "join_form": forms.JoinHouseholdForm(prefix="join", households=_joinable(user, pupil)) if may_edit else None,
        "consent_form": forms.ConsentForm(prefix="consent", carers=carers) if may_consent else None,
        "withdraw_form": forms.WithdrawConsentForm(prefix="withdraw") if may_consent else None,
        "sharing_form": forms.SharingDecisionForm(prefix="sharing") if may_share else None,
    } | overrides


def _joinable(user, pupil: Pupil):
    """Households a pupil may join: brothers and sisters usually share a surname with the household or its pupils."""
    surname = pupil.last_name
    return (
        households_visible_to(user)
        .filter(
            Q(name__icontains=surname)
            | Q(pupil_links__pupil__last_name__iexact=surname)
            | Q(carers__name__icontains=surname)
        )
        .exclude(pupil_links__pupil=pupil)
        .distinct()
        .order_by("name", "pk")
    )


@require_GET
def pupil_family(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk)
    return render(request, "families/pupil_family.html", _pupil_family_context(request, pupil))


def _pupil_family_page(request: HttpRequest, pupil: Pupil, status: int, **forms_shown) -> HttpResponse:
    """The pupil's family page again, with the form that was sent, its input and why it was not saved."""
    context = _pupil_family_context(request, pupil, **forms_shown)
    return render(request, "families/pupil_family.html", context, status=status)


@require_POST
def pupil_household_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Either join an existing household (`join-household`) or set up a new one (the `new-` fields)."""
    pupil = get_pupil_for_user(request, pk, action=Action.EDIT_FAMILY)
    joining = "join-household" in request.POST
    if joining:
        form = forms.JoinHouseholdForm(request.POST, prefix="join", households=_joinable(request.user, pupil))
        shown = {"join_form": form}
    else:
        form = forms.HouseholdForm(request.POST, prefix="new")
        shown = {"new_household_form": form}
    if not form.is_valid():
        return _pupil_family_page(request, pupil, 400, **shown)
    try:
        if joining:
            household = form.cleaned_data["household"]
            services.household_add_pupil(household=household, pupil=pupil, by=request.user)
        else:
            household = services.household_create(by=request.user, data=form.cleaned_data, pupil=pupil)
    except (ValidationError, PermissionDenied) as refusal:
        return _pupil_family_page(request, pupil, show_refusal(form, refusal), **shown)
    messages.success(request, f"{pupil.full_name} is now in the {household} record.")
    return redirect(_household_url(household))


@require_POST
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.RECORD_CONSENT)
    context = _pupil_family_context(request, pupil)
    form = forms.ConsentForm(request.POST, prefix="consent", carers=context["carers"])
    if not form.is_valid():
        return render(request, "families/pupil_family.html", context | {"consent_form": form}, status=400)
    try:
        services.consent_record(pupil=pupil, by=request.user, data=form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal)
        return render(request, "families/pupil_family.html", context | {"consent_form": form}, status=status)
    messages.success(request, "Consent decision recorded.")
    return redirect(_pupil_family_url(pupil))


@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.RECORD_CONSENT)
    consent = get_object_or_404(Consent, pk=consent_pk, pupil=pupil)
    form = forms.WithdrawConsentForm(request.POST, prefix="withdraw")
    shown = {"withdraw_form": form, "withdraw_consent_pk": consent.pk}
    if not form.is_valid():
        return _pupil_family_page(request, pupil, 400, **shown)
    try:
        services.consent_withdraw(consent=consent, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return _pupil_family_page(request, pupil, show_refusal(form, refusal), **shown)
    messages.success(request, f"Consent for {consent.get_agency_kind_display()} recorded as withdrawn.")
    return redirect(_pupil_family_url(pupil))


@require_POST
def sharing_add(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.RECORD_SHARING)
    form = forms.SharingDecisionForm(request.POST, prefix="sharing")
    if not form.is_valid():
        return _pupil_family_page(request, pupil, 400, sharing_form=form)
    try:
        services.sharing_decision_record(pupil=pupil, by=request.user, data=form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return _pupil_family_page(request, pupil, show_refusal(form, refusal), sharing_form=form)
    messages.success(request, "Information-sharing decision recorded.")
    return redirect(_pupil_family_url(pupil))


@require_http_methods(["GET", "POST"])
def fresh_start_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.FRESH_START)
    interview = FreshStartInterview.objects.filter(pupil=pupil).first()
    context = {
        "title": f"Fresh Start interview: {pupil.full_name}",
        "back": f"/families/pupil/{pupil.pk}/",
        "pupil": pupil,
    }
    if request.method == "GET":
        form = forms.FreshStartForm(
            instance=interview,
            initial={}
            if interview
            else {"school_staff": request.user.pk if request.user.role in services.SCHOOL_STAFF_ROLES else None},
        )
        return render(request, "families/form.html", context | {"form": form})
    form = forms.FreshStartForm(
        request.POST, instance=FreshStartInterview.objects.filter(pk=interview.pk).first() if interview else None
    )
    if not form.is_valid():
        return render(request, "families/form.html", context | {"form": form}, status=400)
    try:
        if interview is None:
            services.fresh_start_record(pupil=pupil, by=request.user, data=form.cleaned_data)
        else:
            services.fresh_start_update(
                interview=interview, by=request.user, data=form.cleaned_data, version=form.cleaned_data["version"] or 0
            )
    except (ValidationError, PermissionDenied) as refusal:
        edited = FreshStartInterview.objects.filter(pupil=pupil)
        return render(
            request, "families/form.html", context | {"form": form}, status=show_refusal(form, refusal, edited=edited)
        )
    messages.success(request, "Fresh Start interview saved. It will be on the next MDT agenda until discussed.")
    return redirect(_pupil_family_url(pupil))


@require_POST
def fresh_start_discussed(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.MARK_MDT_DISCUSSED)
    interview = get_object_or_404(FreshStartInterview, pupil=pupil)
    form = forms.MdtDiscussedForm(request.POST, prefix="mdt")
    if not form.is_valid():
        return _pupil_family_page(request, pupil, 400, mdt_form=form)
    try:
        services.fresh_start_mark_discussed(
            interview=interview,
            by=request.user,
            discussed_on=form.cleaned_data["discussed_on"],
            note=form.cleaned_data["note"],
        )
    except (ValidationError, PermissionDenied) as refusal:
        return _pupil_family_page(request, pupil, show_refusal(form, refusal), mdt_form=form)
    messages.success(request, "Recorded as discussed at the MDT.")
    return redirect(_pupil_family_url(pupil))


# Reintegration ----------------------------------------------------------------------------------------------


def _plan_context(request: HttpRequest, pupil: Pupil, plan: ReintegrationPlan | None, **overrides) -> dict:
    manage = can_for_pupil(request.user, Action.MANAGE_REINTEGRATION, pupil)
    context = {
        "pupil": pupil,
        "plan": plan,
        "past_plans": pupil.reintegration_plans.exclude(pk=plan.pk if plan else None).select_related(
            "allocated_school"
        ),
        "can_manage": manage,
    }
    if plan is None:
        return context | overrides
    shortlist = list(plan.shortlist.select_related("school").prefetch_related("visits__accompanied_by"))
    status = plan.status
    S = ReintegrationPlan.Status
    version = {"version": plan.version}
    context |= {
        "shortlist": shortlist,
        "follow_ups": plan.follow_ups.select_related("done_by"),
        "visit_statuses": [c for c in SchoolVisit.Status.choices if c[0] != SchoolVisit.Status.ARRANGED],
        "follow_up_outcomes": FollowUpCheck.Outcome.choices,
    }
    if manage:
        context |= {
            "readiness_form": forms.ReadinessForm(initial=version, prefix="ready")
            if status in (S.CONSIDERING, S.NOT_READY)
            else None,
            "preferences_form": forms.PreferencesForm(instance=plan, initial=version, prefix="prefs")
            if status in (S.PREFERENCES, S.SHORTLIST)
            else None,
            "shortlist_form": forms.ShortlistForm(prefix="shortlist")
            if status in (S.PREFERENCES, S.SHORTLIST)
            else None,
            "arrange_form": forms.ArrangeVisitForm(prefix="arrange", plan=plan)
            if status == S.SHORTLIST and shortlist
            else None,
            "send_form": forms.SendPreferenceForm(initial=version, prefix="send", plan=plan)
            if status == S.SHORTLIST and shortlist
            else None,
            "allocate_form": forms.AllocateForm(initial=version, prefix="allocate")
            if status in (S.SHORTLIST, S.PREFERENCE_SENT)
            else None,
            "close_form": forms.ClosePlanForm(initial=version, prefix="close") if plan.is_open else None,
        }
    return context | overrides


def _open_plan(pupil: Pupil) -> ReintegrationPlan | None:
    return (
        ReintegrationPlan.objects.select_related("lead", "allocated_school", "preference_sent_to")
        .filter(pupil=pupil)
        .order_by("-started_on", "-pk")
        .first()
    )


@require_GET
def reintegration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk)
    return render(request, "families/reintegration.html", _plan_context(request, pupil, _open_plan(pupil)))


def _plan_to_change(request: HttpRequest, pk: int) -> tuple[Pupil, ReintegrationPlan | None]:
    """The pupil, if this person may manage their reintegration, and their open plan (None: no open plan)."""
    pupil = get_pupil_for_user(request, pk, action=Action.MANAGE_REINTEGRATION)
    plan = _open_plan(pupil)
    return pupil, plan if plan is not None and plan.is_open else None


def _no_open_plan(request: HttpRequest, pupil: Pupil) -> HttpResponse:
    messages.error(request, "There is no open reintegration plan: start one first.")
    return render(request, "families/reintegration.html", _plan_context(request, pupil, _open_plan(pupil)), status=400)


def _plan_page(request: HttpRequest, pupil: Pupil, plan: ReintegrationPlan, status: int, **forms_shown) -> HttpResponse:
    """The plan page again, with the step's form, its input and why it was not saved. After a conflict it shows
    the latest plan, and saving the form again applies this step on top of it."""
    if status == 409:
        plan.refresh_from_db()
    context = _plan_context(request, pupil, plan, **forms_shown)
    return render(request, "families/reintegration.html", context, status=status)


def _plan_done(request: HttpRequest, pupil: Pupil, done: str) -> HttpResponse:
    messages.success(request, done)
    return redirect("families:reintegration", pk=pupil.pk)


@require_POST
def reintegration_start(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.MANAGE_REINTEGRATION)
    try:
        services.reintegration_plan_start(pupil=pupil, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(
            request, "families/reintegration.html", _plan_context(request, pupil, _open_plan(pupil)), status=400
        )
    messages.success(request, "Reintegration plan started: record the readiness decision next.")
    return redirect("families:reintegration", pk=pupil.pk)


@require_POST
def reintegration_readiness(request: HttpRequest, pk: int) -> HttpResponse:
    pupil, plan = _plan_to_change(request, pk)
    if plan is None:
        return _no_open_plan(request, pupil)
    form = forms.ReadinessForm(request.POST, prefix="ready")
    if not form.is_valid():
        return _plan_page(request, pupil, plan, 400, readiness_form=form)
    try:
        services.reintegration_decide_readiness(plan=plan, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal, edited=ReintegrationPlan.objects.filter(pk=plan.pk))
        return _plan_page(request, pupil, plan, status, readiness_form=form)
    return _plan_done(request, pupil, "Readiness decision recorded.")


@require_POST
def reintegration_preferences(request: HttpRequest, pk: int) -> HttpResponse:
    pupil, plan = _plan_to_change(request, pk)
    if plan is None:
        return _no_open_plan(request, pupil)
    form = forms.PreferencesForm(request.POST, prefix="prefs")
    if not form.is_valid():
        return _plan_page(request, pupil, plan, 400, preferences_form=form)
    try:
        services.reintegration_record_preferences(
            plan=plan, by=request.user, data=form.cleaned_data, version=form.cleaned_data["version"]
        )
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal, edited=ReintegrationPlan.objects.filter(pk=plan.pk))
        return _plan_page(request, pupil, plan, status, preferences_form=form)
    return _plan_done(request, pupil, "Preferences saved.")


@require_POST
def reintegration_shortlist(request: HttpRequest, pk: int) -> HttpResponse:
    pupil, plan = _plan_to_change(request, pk)
    if plan is None:
        return _no_open_plan(request, pupil)
    form = forms.ShortlistForm(request.POST, prefix="shortlist")
    if not form.is_valid():
        return _plan_page(request, pupil, plan, 400, shortlist_form=form)
    try:
        services.reintegration_shortlist_add(plan=plan, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return _plan_page(request, pupil, plan, show_refusal(form, refusal), shortlist_form=form)
    return _plan_done(request, pupil, "School added to the shortlist.")


@require_POST
def reintegration_visit_arrange(request: HttpRequest, pk: int) -> HttpResponse:
    pupil, plan = _plan_to_change(request, pk)
    if plan is None:
        return _no_open_plan(request, pupil)
    form = forms.ArrangeVisitForm(request.POST, prefix="arrange", plan=plan)
    if not form.is_valid():
        return _plan_page(request, pupil, plan, 400, arrange_form=form)
    try:
        services.school_visit_arrange(by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return _plan_page(request, pupil, plan, show_refusal(form, refusal), arrange_form=form)
    return _plan_done(request, pupil, "Visit arranged.")


@require_POST
def reintegration_visit_record(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    pupil, plan = _plan_to_change(request, pk)
    if plan is None:
        return _no_open_plan(request, pupil)
    visit = get_object_or_404(SchoolVisit, pk=visit_pk, shortlisted__plan=plan)
    form = forms.VisitOutcomeForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, pupil, plan, 400, visit_outcome_form=form)
    try:
        services.school_visit_record(visit=visit, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return _plan_page(request, pupil, plan, show_refusal(form, refusal), visit_outcome_form=form)
    return _plan_done(request, pupil, "Visit outcome recorded.")


@require_POST
def reintegration_send(request: HttpRequest, pk: int) -> HttpResponse:
    pupil, plan = _plan_to_change(request, pk)
    if plan is None:
        return _no_open_plan(request, pupil)
    form = forms.SendPreferenceForm(request.POST, prefix="send", plan=plan)
    if not form.is_valid():
        return _plan_page(request, pupil, plan, 400, send_form=form)
    try:
        services.reintegration_send_preference(
            plan=plan,
            by=request.user,
            ranking=form.cleaned_data["ranking"],
            sent_to=form.cleaned_data["sent_to"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal, edited=ReintegrationPlan.objects.filter(pk=plan.pk))
        return _plan_page(request, pupil, plan, status, send_form=form)
    return _plan_done(request, pupil, "The family's ranked preference has been passed to senior staff.")


@require_POST
def reintegration_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    pupil, plan = _plan_to_change(request, pk)
    if plan is None:
        return _no_open_plan(request, pupil)
    form = forms.AllocateForm(request.POST, prefix="allocate")
    if not form.is_valid():
        return _plan_page(request, pupil, plan, 400, allocate_form=form)
    try:
        services.reintegration_allocate(plan=plan, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal, edited=ReintegrationPlan.objects.filter(pk=plan.pk))
        return _plan_page(request, pupil, plan, status, allocate_form=form)
    return _plan_done(
        request, pupil, "School allocated. Follow-up checks are due 2, 6 and 12 weeks after the start date."
    )


@require_POST
def reintegration_follow_up(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    pupil, plan = _plan_to_change(request, pk)
    if plan is None:
        return _no_open_plan(request, pupil)
    check = get_object_or_404(FollowUpCheck.objects.select_related("plan"), pk=check_pk, plan=plan)
    form = forms.FollowUpForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, pupil, plan, 400, follow_up_form=form)
    try:
        services.follow_up_record(check=check, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return _plan_page(request, pupil, plan, show_refusal(form, refusal), follow_up_form=form)
    return _plan_done(request, pupil, "Follow-up check recorded.")


@require_POST
def reintegration_close(request: HttpRequest, pk: int) -> HttpResponse:
    pupil, plan = _plan_to_change(request, pk)
    if plan is None:
        return _no_open_plan(request, pupil)
    form = forms.ClosePlanForm(request.POST, prefix="close")
    if not form.is_valid():
        return _plan_page(request, pupil, plan, 400, close_form=form)
    try:
        services.reintegration_close(plan=plan, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        status = show_refusal(form, refusal, edited=ReintegrationPlan.objects.filter(pk=plan.pk))
        return _plan_page(request, pupil, plan, status, close_form=form)
    return _plan_done(request, pupil, "Reintegration plan ended.")
