"""The oversight dashboard (senior leaders): figures for the board, with filters and a CSV of every table.

The figures are read from the summary tables (outcomes.oversight_summary), which a background job keeps up to date;
the page says when they were computed and offers to recompute them now."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from outcomes import oversight, oversight_summary
from outcomes.forms import OversightFilterForm
from pru_cases.access import Action, require

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
    query = request.GET.urlencode()
    context = {"form": form, "tables": [], "query": query, "figures": oversight_summary.figures_as_of()}
    if filters is None:
        return render(request, "outcomes/oversight.html", context, status=400)
    tables = oversight_summary.oversight_tables(request.user, filters)
    return render(request, "outcomes/oversight.html", context | {"tables": tables, "filters": filters})


@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Recompute every figure now (in the background): for a board meeting that must see this morning's records."""
    require(request.user, Action.VIEW_OVERSIGHT)
    oversight_summary.oversight_refresh_request(everyone=True, by=request.user)
    messages.success(request, "The figures are being recomputed; reload this page in a minute or two to see them.")
    query = request.GET.urlencode()  # back to the same filters; the path is ours, so this is no open redirect
    return redirect(reverse("oversight:dashboard") + (f"?{query}" if query else ""))


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
    build = oversight_summary.TABLES.get(slug)
    if build is None:
        raise Http404("No such table.")
    form, filters = _filters(request)
    if filters is None:
        return HttpResponse(
            "The filters are not valid: " + form.errors.as_text(), status=400, content_type="text/plain"
        )
    table = build(request.user, filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="oversight-{slug}-{filters.start}-to-{filters.end}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    return response
