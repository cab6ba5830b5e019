from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from pru_cases.access import pupils_visible_to, record_reads, works_with
from pru_cases.lib.queries import CountOf
from pupils.models import Pupil

# What the home page's list of pupils shows (and all it fetches of them).
HOME_PUPIL_FIELDS = ("first_name", "preferred_name", "last_name", "year_group", "level_of_need", "site__name")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = pupils_visible_to(user).filter(status=Pupil.Status.ACTIVE)
    mine = visible.filter(works_with(user)).select_related("site").only(*HOME_PUPIL_FIELDS)
    # The count of pupils on roll comes with the list (computed once, as an InitPlan), or on its own when the
    # reader works with no one.
    my_pupils = list(mine.annotate(on_roll=CountOf(visible.order_by().values("pk")))[:50])
    on_roll = my_pupils[0].on_roll if my_pupils else visible.count()
    record_reads(request, pupil_ids=[pupil.pk for pupil in my_pupils])  # the page names them
    # Each row links to /pupils/<pk>/: the address is worked out once, not once a row.
    pupil_url = reverse("pupils:detail", args=[0]).removesuffix("0/")
    return render(request, "home.html", {"my_pupils": my_pupils, "pupil_url": pupil_url, "on_roll": on_roll})


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """The smallest signed-in page: the baseline the load benchmark compares every page with."""
    return render(request, "pru_cases/ping.html")


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability for a load balancer; says nothing about the data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
def admin_login(request: HttpRequest) -> HttpResponse:
    """Where the admin sends whoever it will not let in. Signed out: to the sign-in (with its second factor).
    Signed in without the admin: a 403, since signing in again would only bring them back here."""
    if request.user.is_authenticated:
        raise PermissionDenied
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("login") + (f"?{query}" if query else ""))
