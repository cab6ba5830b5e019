"""The pupil's outcomes page, SDQ entry and the attendance import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from outcomes import sdq, services
from outcomes.charts import bar_chart
from outcomes.forms import (
    AttendanceImportForm,
    DestinationFollowUpForm,
    ExclusionForm,
    FamilyFeedbackForm,
    PassSurveyForm,
    ReadingTestForm,
    SDQForm,
    WithdrawForm,
)
from outcomes.models import AttendanceCode, AttendanceImport, AttendanceWeek, DestinationFollowUp, SDQResponse
from outcomes.models.measures import PASS_FACTORS, Occasion
from outcomes.oversight import ATTENDANCE_WINDOW
from pru_cases.access import Action, can, can_for_pupil, get_pupil_for_user, require
from pru_cases.lib.conflicts import EditConflict
from pru_cases.lib.forms import add_service_errors, show_edit_conflict
from pupils.models import Pupil

TREND_WEEKS = 26


def _sdq_summary(responses: list[SDQResponse]) -> list[dict]:
    """Baseline against latest for each informant (responses are one pupil's, oldest first)."""
    summaries = []
    for informant, label in SDQResponse.Informant.choices:
        mine = [r for r in responses if r.informant == informant]
        if not mine:
            continue
        baseline = next((r for r in mine if r.occasion == Occasion.BASELINE), mine[0])
        latest = mine[-1] if mine[-1] is not baseline else None
        rows = []
        for scale in ("total_difficulties", "emotional", "conduct", "hyperactivity", "peer", "prosocial", "impact"):
            before = getattr(baseline, scale)
            after = getattr(latest, scale) if latest else None
            rows.append(
                {
                    "label": sdq.SCALE_LABELS[scale],
                    "before": before,
                    "before_band": sdq.band(scale, before, informant),
                    "after": after,
                    "after_band": sdq.band(scale, after, informant),
                    "change": None if before is None or after is None else after - before,
                }
            )
        chart = bar_chart(
            f"Total difficulties ({label})",
            [
                (f"{r.completed_on:%d %b %Y} {r.get_occasion_display().split(' ')[0]}", r.total_difficulties)
                for r in mine
            ],
            maximum=40,
        )
        summaries.append(
            {
                "informant": label,
                "baseline": baseline,
                "latest": latest,
                "rows": rows,
                "chart": chart,
                "responses": mine,
            }
        )
    return summaries


def _attendance_summary(pupil: Pupil) -> dict:
    weeks = list(pupil.attendance_weeks.order_by("-week_starting")[:TREND_WEEKS])
    latest_start = weeks[0].week_starting - ATTENDANCE_WINDOW if weeks else None
    baseline = Q(week_starting__gte=pupil.entry_date, week_starting__lt=pupil.entry_date + ATTENDANCE_WINDOW)
    latest = Q(week_starting__gt=latest_start) if latest_start else Q(pk__in=[])
    totals = AttendanceWeek.objects.filter(pupil=pupil).aggregate(
        possible=Sum("sessions_possible"),
        attended=Sum("sessions_attended"),
        b_possible=Sum("sessions_possible", filter=baseline),
        b_attended=Sum("sessions_attended", filter=baseline),
        l_possible=Sum("sessions_possible", filter=latest),
        l_attended=Sum("sessions_attended", filter=latest),
    )

    def pct(attended, possible):
        return round(100 * attended / possible, 1) if possible else None

    overall = pct(totals["attended"], totals["possible"])
    chart = bar_chart(
        "Weekly attendance %",
        [(f"w/c {week.week_starting:%d %b %Y}", week.percentage) for week in reversed(weeks)],
        maximum=100,
        unit="%",
        reference=AttendanceWeek.PERSISTENT_ABSENCE_BELOW,
        reference_label=f"{AttendanceWeek.PERSISTENT_ABSENCE_BELOW}%",
    )
    return {
        "weeks": weeks,
        "overall": overall,
        "baseline": pct(totals["b_attended"], totals["b_possible"]),
        "latest": pct(totals["l_attended"], totals["l_possible"]),
        "persistent_absence": overall is not None and overall < AttendanceWeek.PERSISTENT_ABSENCE_BELOW,
        "threshold": AttendanceWeek.PERSISTENT_ABSENCE_BELOW,
        "chart": chart if weeks else None,
    }


def _first_and_latest(rows: list) -> tuple:
    """Rows oldest first: the baseline (or first) and the latest, if there is a later one."""
    if not rows:
        return None, None
    first = next((row for row in rows if row.occasion == Occasion.BASELINE), rows[0])
    return first, (rows[-1] if rows[-1] is not first else None)


@require_GET
def pupil_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk)
    live = Q(withdrawn_at__isnull=True)
    responses = list(pupil.sdq_responses.filter(live).order_by("completed_on", "pk"))
    reading = list(pupil.reading_tests.filter(live).order_by("tested_on", "pk"))
    for test in reading:
        test.pupil = pupil  # gap_months reads the date of birth: no query per row
    surveys = list(pupil.pass_surveys.filter(live).order_by("completed_on", "pk"))
    pass_first, pass_latest = _first_and_latest(surveys)
    reading_first, reading_latest = _first_and_latest(reading)
    follow_ups = {f.checkpoint: f for f in pupil.destination_follow_ups.all()}
    destinations = [
        {
            "label": label,
            "due_on": DestinationFollowUp.due_on(pupil.exit_date, checkpoint) if pupil.exit_date else None,
            "follow_up": follow_ups.get(checkpoint),
        }
        for checkpoint, label in DestinationFollowUp.Checkpoint.choices
    ]
    pass_rows = [
        {
            "label": label,
            "before": getattr(pass_first, name) if pass_first else None,
            "after": getattr(pass_latest, name) if pass_latest else None,
        }
        for name, label in PASS_FACTORS
    ]
    context = {
        "pupil": pupil,
        "sdq": _sdq_summary(responses),
        "attendance": _attendance_summary(pupil),
        "reading_first": reading_first,
        "reading_latest": reading_latest,
        "reading": reading,
        "pass_first": pass_first,
        "pass_latest": pass_latest,
        "pass_rows": pass_rows,
        "pass_concern": 40,
        "exclusions": list(pupil.exclusions.filter(live).select_related("school")),
        "destinations": destinations,
        "feedback": list(pupil.family_feedback.filter(live)[:10]),
        "can_record": can_for_pupil(request.user, Action.RECORD_OUTCOMES, pupil),
        "can_feedback": can_for_pupil(request.user, Action.RECORD_FAMILY_FEEDBACK, pupil),
        "can_import": can(request.user, Action.IMPORT_ATTENDANCE),
    }
    return render(request, "outcomes/outcomes.html", context)


@require_http_methods(["GET", "POST"])
def sdq_new(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.RECORD_OUTCOMES)
    if request.method == "GET":
        occasion = Occasion.ENDLINE if pupil.exit_date else Occasion.BASELINE
        initial = {"completed_on": timezone.localdate(), "occasion": occasion, "informant": SDQResponse.Informant.SELF}
        return render(request, "outcomes/sdq_form.html", {"pupil": pupil, "form": SDQForm(initial=initial)})
    form = SDQForm(request.POST)
    if form.is_valid():
        try:
            response = services.sdq_record(pupil=pupil, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            band = f" ({response.total_band})" if response.total_band else ""
            total = (
                response.total_difficulties
                if response.total_difficulties is not None
                else "not scored (too many items missing)"
            )
            messages.success(request, f"SDQ recorded. Total difficulties: {total}{band}.")
            return redirect("outcomes:pupil", pk=pupil.pk)
    return render(request, "outcomes/sdq_form.html", {"pupil": pupil, "form": form}, status=400)


@require_http_methods(["GET", "POST"])
def attendance_import(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.IMPORT_ATTENDANCE)
    context = {
        "imports": AttendanceImport.objects.select_related("imported_by")[:10],
        "codes": AttendanceCode.objects.filter(is_active=True),
        "columns": services.REQUIRED_COLUMNS,
    }
    if request.method == "GET":
        return render(request, "outcomes/attendance_import.html", context | {"form": AttendanceImportForm()})
    form = AttendanceImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "outcomes/attendance_import.html", context | {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    try:
        report = services.attendance_import(by=request.user, filename=upload.name, data=upload.read())
    except services.AttendanceImportRejected as rejected:
        return render(
            request, "outcomes/attendance_import.html", context | {"form": form, "report": rejected.report}, status=400
        )
    batch = report.batch
    messages.success(
        request,
        (
            f"Imported {batch.rows} marks for {batch.pupils} pupils ({batch.weeks} pupil-weeks updated) from "
            f"{batch.filename}."
        ),
    )
    return redirect("outcomes:attendance_import")


@dataclass(frozen=True)
class Measure:
    title: str
    form: type[forms.ModelForm]
    record: Callable[..., object]
    action: Action


MEASURES = {
    "reading": Measure("NGRT reading test", ReadingTestForm, services.reading_test_record, Action.RECORD_OUTCOMES),
    "pass": Measure("PASS survey", PassSurveyForm, services.pass_survey_record, Action.RECORD_OUTCOMES),
    "exclusion": Measure("Exclusion", ExclusionForm, services.exclusion_record, Action.RECORD_OUTCOMES),
    "destination": Measure(
        "Destination follow-up", DestinationFollowUpForm, services.destination_follow_up_save, Action.RECORD_OUTCOMES
    ),
    "feedback": Measure(
        "Family feedback", FamilyFeedbackForm, services.family_feedback_record, Action.RECORD_FAMILY_FEEDBACK
    ),
}


@require_http_methods(["GET", "POST"])
def measure_new(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    measure = MEASURES.get(kind)
    if measure is None:
        raise Http404("No such measure.")
    pupil = get_pupil_for_user(request, pk, action=measure.action)
    context = {"pupil": pupil, "measure": measure}
    if request.method == "GET":
        return render(request, "outcomes/measure_form.html", context | {"form": measure.form(initial={"version": ""})})
    form = measure.form(request.POST)
    if form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "version" or kind == "destination"}
        try:
            measure.record(pupil=pupil, by=request.user, **data)
        except EditConflict as conflict:
            latest = DestinationFollowUp.objects.get(pupil=pupil, checkpoint=form.cleaned_data["checkpoint"])
            show_edit_conflict(form, conflict, latest_version=latest.version)
            return render(request, "outcomes/measure_form.html", context | {"form": form}, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{measure.title} recorded.")
            return redirect("outcomes:pupil", pk=pupil.pk)
    return render(request, "outcomes/measure_form.html", context | {"form": form}, status=400)


@require_POST
def sdq_withdraw(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pk, action=Action.RECORD_OUTCOMES)
    response = get_object_or_404(SDQResponse, pk=response_pk, pupil=pupil)  # another pupil's row: 404
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.sdq_withdraw(response=response, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"The SDQ of {response.completed_on:%d %b %Y} has been withdrawn. It is kept on record."
            )
    else:
        messages.error(request, "Give a reason for withdrawing the questionnaire: nothing was changed.")
    return redirect("outcomes:pupil", pk=pupil.pk)
