"""The oversight board's figures: what difference is it making, what do families feel, how do we know.

Every figure is one set-based query (aggregates over annotated querysets); Python only reshapes the
few aggregated rows that come back. Each table can be exported as CSV, so every number on the
dashboard can be checked.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractYear,
    Least,
    TruncMonth,
)
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from outcomes import sdq
from outcomes.charts import BarChart, bar_chart
from outcomes.models import AttendanceWeek, DestinationFollowUp, Exclusion, FamilyFeedback, ReadingTest, SDQResponse
from outcomes.models.measures import FEEDBACK_QUESTIONS, Occasion
from pupils.models import Pupil
from pupils.selectors import pupils_visible_to
from referrals.models import Referral, Specialism

ATTENDANCE_WINDOW = datetime.timedelta(days=42)  # six weeks: the baseline after entry and the latest stretch
SDQ_SCALES = ("total_difficulties", "emotional", "conduct", "hyperactivity", "peer", "prosocial")


@dataclass(frozen=True)
class Filters:
    start: datetime.date
    end: datetime.date
    site_id: int | None = None
    cohort: int | None = None  # the academic year (starting September) in which pupils joined
    informant: str = SDQResponse.Informant.SELF


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list]
    note: str = ""
    charts: list[BarChart] = field(default_factory=list)

    def body_html(self) -> SafeString:
        """The table's rows as HTML, each cell escaped. Joined here rather than cell by cell in the template: a
        year's dashboard has about 500 cells, and the template loop cost more than every query on the page.
        Numbers are written as the CSV export writes them, so the page and the download read alike."""
        return mark_safe(
            "".join(
                f'<tr><th scope="row">{_cell_html(row[0])}</th>'
                + "".join(f"<td>{_cell_html(cell)}</td>" for cell in row[1:])
                + "</tr>"
                for row in self.rows
            )
        )


def _cell_html(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, int | float):  # digits, a point and a sign: nothing to escape
        return str(value)
    return escape(value)


def cohort_expression() -> Case:
    """The academic year a pupil joined: 2025 for any entry from 1 September 2025 to 31 August 2026."""
    return Case(
        When(entry_date__month__gte=9, then=ExtractYear("entry_date")),
        default=ExtractYear("entry_date") - 1,
        output_field=IntegerField(),
    )


def cohort_label(year: int | None) -> str:
    return "Unknown" if year is None else f"{year}/{str(year + 1)[-2:]}"


def filtered_pupils(user: User, filters: Filters) -> QuerySet[Pupil]:
    pupils = pupils_visible_to(user)
    if filters.site_id:
        pupils = pupils.filter(site_id=filters.site_id)
    if filters.cohort:
        pupils = pupils.filter(
            entry_date__gte=datetime.date(filters.cohort, 9, 1), entry_date__lt=datetime.date(filters.cohort + 1, 9, 1)
        )
    return pupils


def _per_cohort(
    pupils: QuerySet[Pupil], statement: str, params: Sequence = (), *, fields: Sequence[str] = (), **columns
) -> list[dict]:
    """Run `WITH p AS (<the pupils: id, cohort, `fields` and `columns`>) <statement>`; the rows as dicts.

    The outcome tables need one or two rows per pupil from a large table (the baseline and the latest SDQ, the
    first and latest reading test, two windows of attendance weeks). Picking them set-based (DISTINCT ON, one
    grouped join) and aggregating by cohort in the same statement costs one pass; the ORM's form, a subquery per
    value repeated inside every FILTER clause, ran about seventy subqueries per pupil (20 s at 20,000 pupils).
    """
    inner, inner_params = (
        pupils.annotate(cohort=cohort_expression(), **columns)
        .order_by()
        .values("id", "cohort", *fields, *columns)
        .query
    ).sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"WITH p AS MATERIALIZED ({inner}) {statement}", (*inner_params, *params))
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _days(duration: datetime.timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 86400, 1)


def _pct(part: float | None, whole: float | None) -> float | None:
    return None if not whole or part is None else round(100 * part / whole, 1)


def _round(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round(value, places)


# --- Referrals (the referrals app) -------------------------------------------------------------------


def _referrals(user: User, filters: Filters):

    return Referral.objects.filter(
        pupil__in=filtered_pupils(user, filters),
        # Bounds on the column itself (local midnight to midnight), not on its date, so an index on it can serve.
        raised_at__gte=_local_midnight(filters.start),
        raised_at__lt=_local_midnight(filters.end + datetime.timedelta(days=1)),
    )


def referrals_by_month(user: User, filters: Filters) -> Table:
    counts = (
        _referrals(user, filters)
        .annotate(month=TruncMonth("raised_at"))
        .values("month", "specialism")
        .annotate(n=Count("pk"))
        .order_by("month", "specialism")
    )
    return referrals_by_month_table(counts)


def referrals_by_month_table(counts: Iterable[dict]) -> Table:
    """From (month, specialism, n) rows in month order."""

    months: list[str] = []
    grid: dict[str, dict[str, int]] = {}
    for row in counts:
        month = row["month"].strftime("%Y-%m")
        if month not in months:
            months.append(month)
        grid.setdefault(row["specialism"], {})[month] = row["n"]
    labels = dict(Specialism.choices)
    rows = [
        [labels.get(specialism, specialism)]
        + [grid[specialism].get(m, 0) for m in months]
        + [sum(grid[specialism].values())]
        for specialism in sorted(grid, key=lambda s: -sum(grid[s].values()))
    ]
    totals = [sum(row[-1] for row in rows)]
    if rows:
        rows.append(["All specialisms"] + [sum(grid[s].get(m, 0) for s in grid) for m in months] + totals)
    chart = bar_chart("Referrals by specialism", [(row[0], row[-1]) for row in rows[:-1]]) if rows else None
    return Table(
        slug="referrals-by-month",
        title="Referrals by specialism and month",
        columns=["Specialism"] + months + ["Total"],
        rows=rows,
        note="Referrals raised in the period, by the month they were raised.",
        charts=[chart] if chart else [],
    )


def _combined(groups: list[dict]) -> dict:
    """The all-specialisms row from the per-specialism ones (counts add up; means weighted by their counts),
    instead of a second pass over the referrals."""

    def mean(key: str, weight: str) -> datetime.timedelta | None:
        total = sum(g[weight] for g in groups if g[key] is not None)
        if not total:
            return None
        return sum((g[key] * g[weight] for g in groups if g[key] is not None), datetime.timedelta()) / total

    combined = {key: sum(g[key] for g in groups) for key in ("raised", "triaged", "intervened", "signposted")}
    return combined | {
        "to_triage": mean("to_triage", "triaged"),
        "to_intervention": mean("to_intervention", "intervened"),
    }


def referral_timeliness(user: User, filters: Filters) -> Table:
    to_triage = ExpressionWrapper(F("triaged_at") - F("raised_at"), output_field=DurationField())
    intervention_start = Coalesce(Cast("intervention__started_on", DateTimeField()), F("intervention__created_at"))
    to_intervention = ExpressionWrapper(intervention_start - F("raised_at"), output_field=DurationField())
    figures = {
        "raised": Count("pk"),
        "triaged": Count("pk", filter=Q(triaged_at__isnull=False)),
        "to_triage": Avg(to_triage, filter=Q(triaged_at__isnull=False)),
        "intervened": Count("intervention"),
        "to_intervention": Avg(to_intervention, filter=Q(intervention__isnull=False)),
        "signposted": Count("pk", filter=Q(triaged_at__isnull=False) & ~Q(signpost_offer="")),
    }
    referrals = _referrals(user, filters)
    return referral_timeliness_table(list(referrals.values("specialism").annotate(**figures).order_by("specialism")))


def referral_timeliness_table(per_specialism: list[dict]) -> Table:

    overall = _combined(per_specialism)
    labels = dict(Specialism.choices)

    def row(label: str, f: dict) -> list:
        return [
            label,
            f["raised"],
            f["triaged"],
            _days(f["to_triage"]),
            f["intervened"],
            _days(f["to_intervention"]),
            f["signposted"],
            _pct(f["signposted"], f["triaged"]),
        ]

    rows = [row(labels.get(f["specialism"], f["specialism"]), f) for f in per_specialism]
    if overall["raised"]:
        rows.append(row("All specialisms", overall))
    return Table(
        slug="referral-timeliness",
        title="Time to triage and to first intervention; signposting rate",
        columns=[
            "Specialism",
            "Referrals",
            "Triaged",
            "Mean days to triage",
            "With an intervention",
            "Mean days to first intervention",
            "Signposted to the universal offer",
            "Signposting rate %",
        ],
        rows=rows,
        note=(
            "Signposting rate: referrals signposted back to the learning centre's universal offer, as a share of "
            "those triaged."
        ),
    )


# --- SDQ -----------------------------------------------------------------------------------------------


def sdq_change(user: User, filters: Filters) -> Table:
    """Pupils with a baseline and an endline from the same informant; the endline completed in the period."""
    table = SDQResponse._meta.db_table
    figures = []
    for scale in SDQ_SCALES:
        both = f"b.{scale} IS NOT NULL AND e.{scale} IS NOT NULL"
        better = f"e.{scale} > b.{scale}" if scale == "prosocial" else f"e.{scale} < b.{scale}"
        figures += [
            f"COUNT(*) FILTER (WHERE {both}) AS n_{scale}",
            f"(AVG(b.{scale}) FILTER (WHERE {both}))::float AS mb_{scale}",
            f"(AVG(e.{scale}) FILTER (WHERE {both}))::float AS me_{scale}",
            f"COUNT(*) FILTER (WHERE {both} AND {better}) AS better_{scale}",
        ]
    scales = ", ".join(f"r.{scale}" for scale in SDQ_SCALES)
    responses = f"FROM {table} r JOIN p ON p.id = r.pupil_id WHERE r.informant = %s AND r.withdrawn_at IS NULL"
    by_cohort = _per_cohort(
        filtered_pupils(user, filters),
        # The endlines in the period first (few), then the baselines of those pupils only, not of every pupil.
        f"""
        , e AS (SELECT DISTINCT ON (r.pupil_id) r.pupil_id, {scales} {responses} AND r.occasion = %s
                AND r.completed_on BETWEEN %s AND %s ORDER BY r.pupil_id, r.completed_on DESC, r.id DESC)
        , b AS (SELECT DISTINCT ON (r.pupil_id) r.pupil_id, {scales}
                FROM {table} r WHERE r.pupil_id IN (SELECT pupil_id FROM e)
                AND r.informant = %s AND r.withdrawn_at IS NULL AND r.occasion = %s
                ORDER BY r.pupil_id, r.completed_on, r.id)
        SELECT p.cohort, {", ".join(figures)}
        FROM p JOIN b ON b.pupil_id = p.id JOIN e ON e.pupil_id = p.id GROUP BY p.cohort ORDER BY p.cohort
        """,
        [filters.informant, Occasion.ENDLINE, filters.start, filters.end, filters.informant, Occasion.BASELINE],
    )
    return sdq_change_table(by_cohort, filters)


def sdq_change_table(by_cohort: list[dict], filters: Filters) -> Table:
    rows = []
    chart_values: list[tuple[str, float | None]] = []
    for group in by_cohort:
        if not group["n_total_difficulties"] and not any(group[f"n_{s}"] for s in SDQ_SCALES):
            continue
        for scale in SDQ_SCALES:
            before, after = group[f"mb_{scale}"], group[f"me_{scale}"]
            rows.append(
                [
                    cohort_label(group["cohort"]),
                    sdq.SCALE_LABELS[scale],
                    group[f"n_{scale}"],
                    _round(before),
                    _round(after),
                    None if before is None or after is None else round(after - before, 1),
                    group[f"better_{scale}"],
                ]
            )
        chart_values += [
            (f"{cohort_label(group['cohort'])} baseline", _round(group["mb_total_difficulties"])),
            (f"{cohort_label(group['cohort'])} endline", _round(group["me_total_difficulties"])),
        ]
    informant = SDQResponse.Informant(filters.informant).label
    charts = (
        [bar_chart(f"Mean total difficulties ({informant}), baseline and endline", chart_values, maximum=40, series=2)]
        if chart_values
        else []
    )
    return Table(
        slug="sdq-change",
        title=f"SDQ change, baseline to endline ({informant})",
        columns=["Cohort", "Scale", "Pupils", "Mean at baseline", "Mean at endline", "Change", "Pupils improved"],
        rows=rows,
        note=(
            "Pupils with a baseline and an endline from the same informant, the endline completed in the period. "
            "Lower is better for the difficulty scales; higher is better for prosocial."
        ),
        charts=charts,
    )


# --- Attendance ----------------------------------------------------------------------------------------


def _week_sum(column: str, window: Q) -> Subquery:
    weeks = AttendanceWeek.objects.filter(window, pupil=OuterRef("pk")).values("pupil").annotate(total=Sum(column))
    return Subquery(weeks.values("total"), output_field=IntegerField())


def attendance_change(user: User, filters: Filters) -> Table:
    """First six weeks at the PRU against the last six weeks of the period (or before leaving)."""
    pupils = (
        filtered_pupils(user, filters)
        .filter(entry_date__lte=filters.end)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=filters.start))
    )
    threshold = AttendanceWeek.PERSISTENT_ABSENCE_BELOW
    days = ATTENDANCE_WINDOW.days
    weeks = AttendanceWeek._meta.db_table
    first = "a.week_starting >= p.entry_date AND a.week_starting < p.entry_date + %s"
    latest = "a.week_starting > p.window_end - %s AND a.week_starting <= p.window_end"
    both = "b_pct IS NOT NULL AND l_pct IS NOT NULL"
    by_cohort = _per_cohort(
        pupils,
        f"""
        , w AS (
            SELECT p.cohort,
                b.attended::float * 100 / NULLIF(b.possible, 0) AS b_pct,
                l.attended::float * 100 / NULLIF(l.possible, 0) AS l_pct
            FROM p
            CROSS JOIN LATERAL (
                SELECT SUM(a.sessions_attended) AS attended, SUM(a.sessions_possible) AS possible
                FROM {weeks} a WHERE a.pupil_id = p.id AND {first}
            ) b
            CROSS JOIN LATERAL (
                SELECT SUM(a.sessions_attended) AS attended, SUM(a.sessions_possible) AS possible
                FROM {weeks} a WHERE a.pupil_id = p.id AND {latest}
            ) l)
        SELECT cohort,
            COUNT(*) FILTER (WHERE {both}) AS n,
            AVG(b_pct) FILTER (WHERE {both}) AS before,
            AVG(l_pct) FILTER (WHERE {both}) AS after,
            COUNT(*) FILTER (WHERE {both} AND l_pct > b_pct) AS better,
            COUNT(*) FILTER (WHERE {both} AND b_pct < %s) AS pa_before,
            COUNT(*) FILTER (WHERE {both} AND l_pct < %s) AS pa_after
        FROM w GROUP BY cohort ORDER BY cohort
        """,
        [days, days, threshold, threshold],
        fields=["entry_date"],
        window_end=Least(F("exit_date"), Value(filters.end), output_field=DateField()),
    )
    return attendance_change_table(by_cohort)


def attendance_change_table(by_cohort: list[dict]) -> Table:
    threshold = AttendanceWeek.PERSISTENT_ABSENCE_BELOW
    rows = []
    chart_values: list[tuple[str, float | None]] = []
    for group in by_cohort:
        if not group["n"]:
            continue
        before, after = _round(group["before"]), _round(group["after"])
        rows.append(
            [
                cohort_label(group["cohort"]),
                group["n"],
                before,
                after,
                None if before is None or after is None else round(after - before, 1),
                group["better"],
                group["pa_before"],
                group["pa_after"],
            ]
        )
        chart_values += [
            (f"{cohort_label(group['cohort'])} first 6 weeks", before),
            (f"{cohort_label(group['cohort'])} latest 6 weeks", after),
        ]
    charts = (
        [
            bar_chart(
                "Mean attendance %, first and latest six weeks",
                chart_values,
                maximum=100,
                unit="%",
                series=2,
                reference=threshold,
                reference_label=f"{threshold}%",
            )
        ]
        if chart_values
        else []
    )
    return Table(
        slug="attendance-change",
        title="Attendance change",
        columns=[
            "Cohort",
            "Pupils",
            "Mean % first 6 weeks",
            "Mean % latest 6 weeks",
            "Change (points)",
            "Pupils improved",
            f"Persistently absent (<{threshold}%) at first",
            f"Persistently absent (<{threshold}%) latest",
        ],
        rows=rows,
        note="Sessions attended as a share of possible sessions, from the imported registers.",
        charts=charts,
    )


# --- Reading and exclusions ---------------------------------------------------------------------------


def reading_change(user: User, filters: Filters) -> Table:
    """NGRT: reading age gained between the first test and the latest one taken in the period."""
    tests = f"FROM {ReadingTest._meta.db_table} t JOIN p ON p.id = t.pupil_id WHERE t.withdrawn_at IS NULL"
    # Whole calendar months between the tests, as a reading report counts them.
    elapsed = (
        "((EXTRACT(YEAR FROM l.tested_on) - EXTRACT(YEAR FROM f.tested_on)) * 12"
        " + EXTRACT(MONTH FROM l.tested_on) - EXTRACT(MONTH FROM f.tested_on))"
    )
    by_cohort = _per_cohort(
        filtered_pupils(user, filters),
        f"""
        , f AS (SELECT DISTINCT ON (t.pupil_id) t.pupil_id, t.id, t.reading_age_months, t.tested_on {tests}
                ORDER BY t.pupil_id, t.tested_on, t.id)
        , l AS (SELECT DISTINCT ON (t.pupil_id) t.pupil_id, t.id, t.reading_age_months, t.tested_on {tests}
                AND t.tested_on BETWEEN %s AND %s ORDER BY t.pupil_id, t.tested_on DESC, t.id DESC)
        SELECT p.cohort,
            COUNT(*) AS n,
            AVG(f.reading_age_months)::float AS before,
            AVG(l.reading_age_months)::float AS after,
            AVG(l.reading_age_months - f.reading_age_months)::float AS gain,
            AVG({elapsed})::float AS months,
            COUNT(*) FILTER (WHERE l.reading_age_months > f.reading_age_months + {elapsed}) AS faster
        FROM p JOIN f ON f.pupil_id = p.id JOIN l ON l.pupil_id = p.id AND l.id <> f.id
        GROUP BY p.cohort ORDER BY p.cohort
        """,
        [filters.start, filters.end],
    )
    return reading_change_table(by_cohort)


def reading_change_table(by_cohort: list[dict]) -> Table:
    rows = [
        [
            cohort_label(g["cohort"]),
            g["n"],
            _round(g["before"] / 12 if g["before"] is not None else None),
            _round(g["after"] / 12 if g["after"] is not None else None),
            _round(g["gain"]),
            _round(g["months"]),
            g["faster"],
        ]
        for g in by_cohort
        if g["n"]
    ]
    return Table(
        slug="reading-change",
        title="Reading (NGRT): reading age gained",
        columns=[
            "Cohort",
            "Pupils",
            "Mean reading age first (years)",
            "Mean reading age latest (years)",
            "Mean gain (months)",
            "Mean months between tests",
            "Gained faster than time passed",
        ],
        rows=rows,
        note="Pupils with a first NGRT and a later one taken in the period.",
    )


def exclusions_by_school(user: User, filters: Filters) -> Table:
    counts = (
        Exclusion.objects.filter(
            pupil__in=filtered_pupils(user, filters),
            withdrawn_at__isnull=True,
            start_date__gte=filters.start,
            start_date__lte=filters.end,
        )
        .values("school__name")
        .annotate(
            permanent=Count("pk", filter=Q(kind=Exclusion.Kind.PERMANENT)),
            suspensions=Count("pk", filter=Q(kind=Exclusion.Kind.SUSPENSION)),
            days=Sum("days", filter=Q(kind=Exclusion.Kind.SUSPENSION)),
            pupils=Count("pupil", distinct=True),
        )
        .order_by("-permanent", "school__name")
    )
    return exclusions_table(counts)


def exclusions_table(counts: Iterable[dict]) -> Table:
    rows = [
        [c["school__name"] or "The PRU itself", c["permanent"], c["suspensions"], float(c["days"] or 0), c["pupils"]]
        for c in counts
    ]
    return Table(
        slug="exclusions",
        title="Exclusions by school",
        columns=["School", "Permanent exclusions", "Suspensions", "Suspension days", "Pupils"],
        rows=rows,
        note=(
            "Exclusions starting in the period: from the referring schools before entry, and suspensions from the PRU."
        ),
    )


# --- Destinations --------------------------------------------------------------------------------------


def _months_before(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, 28))


def neet_rate(user: User, filters: Filters, *, today: datetime.date | None = None) -> Table:
    today = today or timezone.localdate()
    leavers = filtered_pupils(user, filters).filter(exit_date__gte=filters.start, exit_date__lte=filters.end)
    figures: dict = {"leavers": Count("pk", distinct=True)}
    for checkpoint, months in DestinationFollowUp.MONTHS.items():
        mine = Q(destination_follow_ups__checkpoint=checkpoint)
        figures[f"due_{checkpoint}"] = Count(
            "pk", distinct=True, filter=Q(exit_date__lte=_months_before(today, months))
        )
        figures[f"done_{checkpoint}"] = Count("destination_follow_ups", filter=mine)
        figures[f"eet_{checkpoint}"] = Count(
            "destination_follow_ups", filter=mine & Q(destination_follow_ups__status__in=DestinationFollowUp.EET)
        )
        figures[f"neet_{checkpoint}"] = Count(
            "destination_follow_ups", filter=mine & Q(destination_follow_ups__status=DestinationFollowUp.Status.NEET)
        )
        figures[f"unknown_{checkpoint}"] = Count(
            "destination_follow_ups", filter=mine & Q(destination_follow_ups__status=DestinationFollowUp.Status.UNKNOWN)
        )
    return neet_rate_table(leavers.aggregate(**figures))


def neet_rate_table(f: dict) -> Table:
    rows = []
    chart_values: list[tuple[str, float | None]] = []
    for checkpoint, label in DestinationFollowUp.Checkpoint.choices:
        known = f[f"eet_{checkpoint}"] + f[f"neet_{checkpoint}"]
        rate = _pct(f[f"neet_{checkpoint}"], known)
        rows.append(
            [
                label,
                f["leavers"],
                f[f"due_{checkpoint}"],
                f[f"done_{checkpoint}"],
                max(f[f"due_{checkpoint}"] - f[f"done_{checkpoint}"], 0),
                f[f"eet_{checkpoint}"],
                f[f"neet_{checkpoint}"],
                f[f"unknown_{checkpoint}"],
                rate,
            ]
        )
        chart_values.append((f"NEET {label}", rate))
    return Table(
        slug="neet-rate",
        title="Destinations of leavers: NEET rate",
        columns=[
            "Follow-up",
            "Leavers in the period",
            "Follow-ups due",
            "Followed up",
            "Still to follow up",
            "In education, employment or training",
            "NEET",
            "Not known",
            "NEET rate % (of known)",
        ],
        rows=rows,
        note=(
            "Leavers: pupils whose exit date is in the period. NEET rate: NEET as a share of those whose "
            "destination is known."
        ),
        charts=[bar_chart("NEET rate of leavers", chart_values, maximum=100, unit="%")] if f["leavers"] else [],
    )


# --- Family feedback -----------------------------------------------------------------------------------


def _feedback(user: User, filters: Filters) -> QuerySet[FamilyFeedback]:
    return FamilyFeedback.objects.filter(
        pupil__in=filtered_pupils(user, filters),
        withdrawn_at__isnull=True,
        given_on__gte=filters.start,
        given_on__lte=filters.end,
    )


def family_feedback(user: User, filters: Filters) -> Table:
    figures: dict = {"forms": Count("pk")}
    for name, _ in FEEDBACK_QUESTIONS:
        figures[f"answered_{name}"] = Count(name)
        figures[f"mean_{name}"] = Avg(name)
        figures[f"agree_{name}"] = Count("pk", filter=Q(**{f"{name}__gte": 4}))
    return family_feedback_table(_feedback(user, filters).aggregate(**figures))


def family_feedback_table(f: dict) -> Table:
    rows = (
        [
            [
                question,
                f[f"answered_{name}"],
                _round(f[f"mean_{name}"]),
                f[f"agree_{name}"],
                _pct(f[f"agree_{name}"], f[f"answered_{name}"]),
            ]
            for name, question in FEEDBACK_QUESTIONS
        ]
        if f["forms"]
        else []
    )
    charts = (
        [
            bar_chart(
                "Families agreeing (4 or 5 of 5)",
                [(q[:40], row[4]) for (_, q), row in zip(FEEDBACK_QUESTIONS, rows, strict=True)],
                maximum=100,
                unit="%",
            )
        ]
        if rows
        else []
    )
    return Table(
        slug="family-feedback",
        title=f"What difference do families feel? ({f['forms']} feedback forms)",
        columns=["Statement", "Answered", "Mean (1-5)", "Agree (4-5)", "Agree %"],
        rows=rows,
        note="From the short feedback form families complete after a TAC meeting or when their child leaves.",
        charts=charts,
    )


def family_comments(user: User, filters: Filters, *, limit: int = 10) -> Table:
    comments = (
        _feedback(user, filters)
        .exclude(difference_made="")
        .order_by("-given_on", "-pk")
        .values_list("given_on", "moment", "respondent", "difference_made")[:limit]
    )
    return family_comments_table(comments, limit=limit)


def family_comments_table(comments: Iterable[tuple], *, limit: int = 10) -> Table:
    moments = dict(FamilyFeedback.Moment.choices)
    respondents = dict(FamilyFeedback.Respondent.choices)
    return Table(
        slug="family-comments",
        title="In families' words: what difference has it made?",
        columns=["Date", "When", "Who", "Comment"],
        rows=[[day.isoformat(), moments[moment], respondents[who], text] for day, moment, who, text in comments],
        note=f"The {limit} most recent comments in the period, without names.",
    )


TABLES: dict[str, Callable[[User, Filters], Table]] = {
    "referrals-by-month": referrals_by_month,
    "referral-timeliness": referral_timeliness,
    "sdq-change": sdq_change,
    "attendance-change": attendance_change,
    "reading-change": reading_change,
    "exclusions": exclusions_by_school,
    "neet-rate": neet_rate,
    "family-feedback": family_feedback,
    "family-comments": family_comments,
}


def oversight_tables(user: User, filters: Filters) -> list[Table]:
    return [build(user, filters) for build in TABLES.values()]
