"""The oversight dashboard (senior leaders): figures for the board, with filters and a CSV of every table."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pru_cases.access import Action, require
from pupils import oversight
from pupils.outcomes_forms import OversightFilterForm

# A spreadsheet runs cells that begin with these as formulas: prefix them so an export is only ever data.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _filters(request: HttpRequest) -> tuple[OversightFilterForm, oversight.Filters | None]:
    form = OversightFilterForm(request.GET)  # always bound: an empty query means the defaults
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    site = data.get("site")
    return form, oversight.Filters(
        start=data["start"],
        end=data["end"],
        site_id=site.pk if site else None,
        cohort=data.get("cohort"),
        informant=data["informant"],
    )


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW_OVERSIGHT)
    form, filters = _filters(request)
    if filters is None:
        return render(request, "pupils/oversight.html", {"form": form, "tables": []}, status=400)
    tables = oversight.oversight_tables(request.user, filters)
    query = request.GET.urlencode()
    return render(request, "pupils/oversight.html", {"form": form, "tables": tables, "filters": filters, "query": query})


def _cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value  # numbers, negative ones included, stay numbers
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@require_GET
def export(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, Action.VIEW_OVERSIGHT)
    build = oversight.TABLES.get(slug)
    if build is None:
        raise Http404("No such table.")
    form, filters = _filters(request)
    if filters is None:
        return HttpResponse("The filters are not valid: " + form.errors.as_text(), status=400, content_type="text/plain")
    table = build(request.user, filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="oversight-{slug}-{filters.start}-to-{filters.end}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    return response
