"""The concern log: log a concern in seconds from any page, the log itself, and the DSL's review."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from concerns import services
from concerns.filters import ConcernFilter
from concerns.forms import ConcernForm, ConcernReviewForm
from concerns.selectors import concerns_visible_to
from pru_cases.access import Action, can, get_for_user, get_pupil_for_user, record_reads, require
from pru_cases.lib.forms import add_service_errors, plain_widgets
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
    scope = Pupil.objects.filter(pk=pupil.pk) if pupil else Pupil.objects.none()
    if request.method == "GET":
        form = plain_widgets(ConcernForm(initial={"pupil": pupil.pk if pupil else None}, pupils=scope))
        return render(request, "concerns/new.html", {"form": form, "pupil": pupil})
    form = ConcernForm(request.POST, pupils=scope)
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
    if request.method == "GET":
        return render(request, "concerns/review.html", {"concern": concern, "form": ConcernReviewForm()})
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
    return render(request, "concerns/review.html", {"concern": concern, "form": form}, status=status)
