"""Family pages. Household pages are scoped by households_visible_to; pages about one pupil's family,
consent, Fresh Start interview and reintegration plan go through get_pupil_for_user."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
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
    get_household_for_user,
    household_list_queryset,
    households_visible_to,
    plans_visible_to,
)
from pru_cases.access import Action, can, can_for_pupil, get_pupil_for_user, pupils_visible_to, record_reads
from pru_cases.lib.forms import save_form
from pru_cases.lib.private_search import private_search, public_query, search_data
from pupils.models import Pupil

PAGE_SIZE = 25


def _household_url(household: Household) -> str:
    return reverse("families:household", args=[household.pk])


def _pupil_family_url(pupil: Pupil) -> str:
    return reverse("families:pupil", args=[pupil.pk])


def _shown(request: HttpRequest, outcome: HttpResponse | int, template: str, context: dict) -> HttpResponse:
    """save_form's redirect, or the page again with the form's errors and the status it chose."""
    if isinstance(outcome, HttpResponse):
        return outcome
    return render(request, template, context, status=outcome)


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
    household = get_household_for_user(request, pk)
    return render(request, "families/household_detail.html", _household_context(request, household))


@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request, pk, action=Action.EDIT_FAMILY)
    context = {"title": f"Edit {household}", "back": f"/families/{household.pk}/"}
    if request.method == "GET":
        return render(request, "families/form.html", context | {"form": forms.HouseholdForm(instance=household)})
    form = forms.HouseholdForm(request.POST, instance=Household.objects.get(pk=household.pk))
    outcome = save_form(
        request,
        form,
        lambda: services.household_update(
            household=household, by=request.user, data=form.cleaned_data, version=form.cleaned_data["version"] or 0
        ),
        done="Household details saved.",
        then=_household_url(household),
        latest_version=lambda: Household.objects.get(pk=household.pk).version,
    )
    return _shown(request, outcome, "families/form.html", context | {"form": form})


@require_POST
def carer_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request, pk, action=Action.EDIT_FAMILY)
    form = forms.CarerForm(request.POST, prefix="carer")
    outcome = save_form(
        request,
        form,
        lambda: services.carer_add(household=household, by=request.user, data=form.cleaned_data),
        done=lambda carer: f"{carer.name} added.",
        then=_household_url(household),
    )
    return _shown(
        request, outcome, "families/household_detail.html", _household_context(request, household, carer_form=form)
    )


@require_http_methods(["GET", "POST"])
def carer_edit(request: HttpRequest, pk: int, carer_pk: int) -> HttpResponse:
    household = get_household_for_user(request, pk, action=Action.EDIT_FAMILY)
    carer = get_object_or_404(Carer, pk=carer_pk, household=household)
    context = {"title": f"Edit {carer.name}", "back": f"/families/{household.pk}/"}
    if request.method == "GET":
        return render(request, "families/form.html", context | {"form": forms.CarerForm(instance=carer)})
    form = forms.CarerForm(request.POST, instance=Carer.objects.get(pk=carer.pk))
    outcome = save_form(
        request,
        form,
        lambda: services.carer_update(
            carer=carer, by=request.user, data=form.cleaned_data, version=form.cleaned_data["version"] or 0
        ),
        done=f"{carer.name}'s details saved.",
        then=_household_url(household),
        latest_version=lambda: Carer.objects.get(pk=carer.pk).version,
    )
    return _shown(request, outcome, "families/form.html", context | {"form": form})


@require_POST
def sibling_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request, pk, action=Action.EDIT_FAMILY)
    form = forms.SiblingForm(request.POST, prefix="sibling")
    outcome = save_form(
        request,
        form,
        lambda: services.sibling_add(household=household, by=request.user, data=form.cleaned_data),
        done="Sibling added.",
        then=_household_url(household),
    )
    return _shown(
        request, outcome, "families/household_detail.html", _household_context(request, household, sibling_form=form)
    )


@require_POST
def support_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request, pk, action=Action.FAMILY_SUPPORT)
    form = forms.SupportActionForm(request.POST, prefix="support")
    outcome = save_form(
        request,
        form,
        lambda: services.support_action_create(household=household, by=request.user, data=form.cleaned_data),
        done="Support action added.",
        then=_household_url(household),
    )
    return _shown(
        request, outcome, "families/household_detail.html", _household_context(request, household, support_form=form)
    )


@require_POST
def support_action_update(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    household = get_household_for_user(request, pk, action=Action.FAMILY_SUPPORT)
    action = get_object_or_404(SupportAction, pk=action_pk, household=household)
    form = forms.SupportActionUpdateForm(request.POST)
    outcome = save_form(
        request,
        form,
        lambda: services.support_action_update(action=action, by=request.user, **form.cleaned_data),
        done=lambda _: f"Support action updated: {action.get_status_display().lower()}.",
        then=_household_url(household),
    )
    context = _household_context(request, household, update_form=form, update_action_pk=action.pk)
    return _shown(request, outcome, "families/household_detail.html", context)


@require_POST
def home_visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request, pk, action=Action.HOME_VISIT)
    form = forms.HomeVisitForm(request.POST, prefix="visit")
    outcome = save_form(
        request,
        form,
        lambda: services.home_visit_record(household=household, by=request.user, data=form.cleaned_data),
        done="Home visit recorded.",
        then=_household_url(household),
    )
    return _shown(
        request, outcome, "families/household_detail.html", _household_context(request, household, visit_form=form)
    )


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


@require_POST
def pupil_household_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Either join an existing household (`join-household`) or set up a new one (the `new-` fields)."""
    pupil = get_pupil_for_user(request, pk, action=Action.EDIT_FAMILY)
    if "join-household" in request.POST:
        form = forms.JoinHouseholdForm(request.POST, prefix="join", households=_joinable(request.user, pupil))
        override = "join_form"
    else:
        form = forms.HouseholdForm(request.POST, prefix="new")
        override = "new_household_form"

    def act() -> Household:
        if override == "join_form":
            household = form.cleaned_data["household"]
            services.household_add_pupil(household=household, pupil=pupil, by=request.user)
            return household
        return services.household_create(by=request.user, data=form.cleaned_data, pupil=pupil)

    outcome = save_form(
        request,
        form,
        act,
        done=lambda household: f"{pupil.full_name} is now in the {household} record.",
        then=_household_url,
    )
    return _shown(
        request, outcome, "families/pupil_family.html", _pupil_family_context(request, pupil, **{override: form})
    )


@require_POST
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.RECORD_CONSENT)
    context = _pupil_family_context(request, pupil)
    form = forms.ConsentForm(request.POST, prefix="consent", carers=context["carers"])
    outcome = save_form(
        request,
        form,
        lambda: services.consent_record(pupil=pupil, by=request.user, data=form.cleaned_data),
        done="Consent decision recorded.",
        then=_pupil_family_url(pupil),
    )
    return _shown(request, outcome, "families/pupil_family.html", context | {"consent_form": form})


@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.RECORD_CONSENT)
    consent = get_object_or_404(Consent, pk=consent_pk, pupil=pupil)
    form = forms.WithdrawConsentForm(request.POST, prefix="withdraw")
    outcome = save_form(
        request,
        form,
        lambda: services.consent_withdraw(consent=consent, by=request.user, **form.cleaned_data),
        done=f"Consent for {consent.get_agency_kind_display()} recorded as withdrawn.",
        then=_pupil_family_url(pupil),
    )
    context = _pupil_family_context(request, pupil, withdraw_form=form, withdraw_consent_pk=consent.pk)
    return _shown(request, outcome, "families/pupil_family.html", context)


@require_POST
def sharing_add(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.RECORD_SHARING)
    form = forms.SharingDecisionForm(request.POST, prefix="sharing")
    outcome = save_form(
        request,
        form,
        lambda: services.sharing_decision_record(pupil=pupil, by=request.user, data=form.cleaned_data),
        done="Information-sharing decision recorded.",
        then=_pupil_family_url(pupil),
    )
    return _shown(
        request, outcome, "families/pupil_family.html", _pupil_family_context(request, pupil, sharing_form=form)
    )


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

    def act() -> FreshStartInterview:
        if interview is None:
            return services.fresh_start_record(pupil=pupil, by=request.user, data=form.cleaned_data)
        return services.fresh_start_update(
            interview=interview, by=request.user, data=form.cleaned_data, version=form.cleaned_data["version"] or 0
        )

    outcome = save_form(
        request,
        form,
        act,
        done="Fresh Start interview saved. It will be on the next MDT agenda until discussed.",
        then=_pupil_family_url(pupil),
        latest_version=lambda: FreshStartInterview.objects.get(pk=interview.pk).version,
    )
    return _shown(request, outcome, "families/form.html", context | {"form": form})


@require_POST
def fresh_start_discussed(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.MARK_MDT_DISCUSSED)
    interview = get_object_or_404(FreshStartInterview, pupil=pupil)
    form = forms.MdtDiscussedForm(request.POST, prefix="mdt")
    outcome = save_form(
        request,
        form,
        lambda: services.fresh_start_mark_discussed(
            interview=interview,
            by=request.user,
            discussed_on=form.cleaned_data["discussed_on"],
            note=form.cleaned_data["note"],
        ),
        done="Recorded as discussed at the MDT.",
        then=_pupil_family_url(pupil),
    )
    return _shown(request, outcome, "families/pupil_family.html", _pupil_family_context(request, pupil, mdt_form=form))


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


def _plan_post(request: HttpRequest, pk: int, *, form_name: str, build, act, done: str) -> HttpResponse:
    """The shape every reintegration step shares: access, form, one service call, redirect or re-show."""
    pupil = get_pupil_for_user(request, pk, action=Action.MANAGE_REINTEGRATION)
    plan = _open_plan(pupil)
    if plan is None or not plan.is_open:
        messages.error(request, "There is no open reintegration plan: start one first.")
        return render(request, "families/reintegration.html", _plan_context(request, pupil, plan), status=400)
    form = build(plan)
    outcome = save_form(
        request, form, lambda: act(plan, form), done=done, then=reverse("families:reintegration", args=[pupil.pk])
    )
    if not isinstance(outcome, int):
        return outcome
    status = outcome
    if status == 409:
        # Show the latest plan; saving again applies this step on top of it.
        plan.refresh_from_db()
        if "version" in form.fields:
            form.data = form.data.copy()
            form.data[form.add_prefix("version")] = plan.version
    context = _plan_context(request, pupil, plan, **{form_name: form})
    return render(request, "families/reintegration.html", context, status=status)


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
    return _plan_post(
        request,
        pk,
        form_name="readiness_form",
        build=lambda plan: forms.ReadinessForm(request.POST, prefix="ready"),
        act=lambda plan, form: services.reintegration_decide_readiness(plan=plan, by=request.user, **form.cleaned_data),
        done="Readiness decision recorded.",
    )


@require_POST
def reintegration_preferences(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_post(
        request,
        pk,
        form_name="preferences_form",
        build=lambda plan: forms.PreferencesForm(request.POST, prefix="prefs"),
        act=lambda plan, form: services.reintegration_record_preferences(
            plan=plan, by=request.user, data=form.cleaned_data, version=form.cleaned_data["version"]
        ),
        done="Preferences saved.",
    )


@require_POST
def reintegration_shortlist(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_post(
        request,
        pk,
        form_name="shortlist_form",
        build=lambda plan: forms.ShortlistForm(request.POST, prefix="shortlist"),
        act=lambda plan, form: services.reintegration_shortlist_add(plan=plan, by=request.user, **form.cleaned_data),
        done="School added to the shortlist.",
    )


@require_POST
def reintegration_visit_arrange(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_post(
        request,
        pk,
        form_name="arrange_form",
        build=lambda plan: forms.ArrangeVisitForm(request.POST, prefix="arrange", plan=plan),
        act=lambda plan, form: services.school_visit_arrange(by=request.user, **form.cleaned_data),
        done="Visit arranged.",
    )


@require_POST
def reintegration_visit_record(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    def act(plan, form):
        visit = get_object_or_404(SchoolVisit, pk=visit_pk, shortlisted__plan=plan)
        services.school_visit_record(visit=visit, by=request.user, **form.cleaned_data)

    return _plan_post(
        request,
        pk,
        form_name="visit_outcome_form",
        build=lambda plan: forms.VisitOutcomeForm(request.POST),
        act=act,
        done="Visit outcome recorded.",
    )


@require_POST
def reintegration_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_post(
        request,
        pk,
        form_name="send_form",
        build=lambda plan: forms.SendPreferenceForm(request.POST, prefix="send", plan=plan),
        act=lambda plan, form: services.reintegration_send_preference(
            plan=plan,
            by=request.user,
            ranking=form.cleaned_data["ranking"],
            sent_to=form.cleaned_data["sent_to"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        ),
        done="The family's ranked preference has been passed to senior staff.",
    )


@require_POST
def reintegration_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_post(
        request,
        pk,
        form_name="allocate_form",
        build=lambda plan: forms.AllocateForm(request.POST, prefix="allocate"),
        act=lambda plan, form: services.reintegration_allocate(plan=plan, by=request.user, **form.cleaned_data),
        done="School allocated. Follow-up checks are due 2, 6 and 12 weeks after the start date.",
    )


@require_POST
def reintegration_follow_up(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    def act(plan, form):
        check = get_object_or_404(FollowUpCheck.objects.select_related("plan"), pk=check_pk, plan=plan)
        services.follow_up_record(check=check, by=request.user, **form.cleaned_data)

    return _plan_post(
        request,
        pk,
        form_name="follow_up_form",
        build=lambda plan: forms.FollowUpForm(request.POST),
        act=act,
        done="Follow-up check recorded.",
    )


@require_POST
def reintegration_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_post(
        request,
        pk,
        form_name="close_form",
        build=lambda plan: forms.ClosePlanForm(request.POST, prefix="close"),
        act=lambda plan, form: services.reintegration_close(plan=plan, by=request.user, **form.cleaned_data),
        done="Reintegration plan ended.",
    )
