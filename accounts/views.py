from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Agency, AgencyService, User


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
    return render(request, "accounts/agency_list.html", {"agencies": agencies, "kinds": Agency.Kind.choices, "kind": kind})
