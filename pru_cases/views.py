from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pru_cases.access import pupils_visible_to
from pupils.models import Allocation, Pupil


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    allocated = Allocation.objects.filter(pupil_id=OuterRef("pk"), user_id=user.pk, ended_on__isnull=True)
    visible = pupils_visible_to(user).filter(status=Pupil.Status.ACTIVE)
    my_pupils = visible.filter(Q(key_worker_id=user.pk) | Q(Exists(allocated))).select_related("site")[:50]
    return render(request, "home.html", {"my_pupils": my_pupils, "on_roll": visible.count()})


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
