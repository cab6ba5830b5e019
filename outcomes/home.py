"""What outcomes adds to the home page (registered in `OutcomesConfig.ready()`): for senior leaders, the headline of
the oversight figures for this academic year (referrals, time to triage, signposting), from the summary tables."""

from django.http import HttpRequest

from outcomes import oversight, oversight_summary
from outcomes.forms import OversightFilterForm
from pru_cases.access import Action, can
from pupils.home import HomeSection


def headline(request: HttpRequest) -> dict | None:
    user = request.user
    if not can(user, Action.VIEW_OVERSIGHT):
        return None
    form = OversightFilterForm({})  # the dashboard's defaults: this academic year, every centre
    form.is_valid()
    data = form.cleaned_data
    filters = oversight.Filters(start=data["start"], end=data["end"])
    table = oversight_summary.referral_timeliness(user, filters)
    overall = table.rows[-1] if table.rows else None
    return {
        "figures": dict(zip(table.columns[1:], overall[1:], strict=True)) if overall else {},
        "filters": filters,
        "as_of": oversight_summary.figures_as_of(),
    }


SECTIONS = (HomeSection(name="oversight", template="outcomes/_home_oversight.html", build=headline, order=15),)
