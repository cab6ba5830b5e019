"""A URLconf for tests: the project's own, plus one view that fails, to see the 500 page."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from pru_cases.urls import urlpatterns as project_urlpatterns


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("SENTINEL-INTERNAL-DETAIL secret_table_name")


def query(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user")
        return HttpResponse(str(cursor.fetchone()[0]))


urlpatterns = [
    path("test-explode/", explode),
    path("test-query/", query),
    *project_urlpatterns,
]
