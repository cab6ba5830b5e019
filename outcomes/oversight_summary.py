"""Keeping the oversight summaries true (pupils.models.oversight), and reading the dashboard from them.

Writes that change a figure call `oversight_refresh_request(pupil_ids=...)` in their own transaction: a request row
is written there and then, and a Celery task is enqueued after commit. The task rebuilds the summary rows of those
pupils from the case records; the nightly task rebuilds every row. A sweeper re-enqueues requests left pending
(Redis down at the time), so a change is at worst late on the dashboard, never missing.

Each rebuild is one INSERT ... SELECT per summary table from the same definitions as the from-scratch figures in
`outcomes.oversight`, restricted to the pupils asked for; refreshes are serialised by a transaction-level advisory
lock, so two of them never interleave their delete and insert. The dashboard's tables are then one filtered
aggregate each over a narrow, pre-joined table: `TABLES` here builds the same `Table`s as `outcomes.oversight.TABLES`
(the tests compare them after random writes).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import User
from outcomes import oversight
from outcomes.models import AttendanceWeek, DestinationFollowUp, Exclusion, FamilyFeedback, ReadingTest, SDQResponse
from outcomes.models.measures import FEEDBACK_QUESTIONS, Occasion
from outcomes.models.oversight import (
    OversightAttendance,
    OversightAttendanceTotal,
    OversightAttendanceWindow,
    OversightDestination,
    OversightExclusion,
    OversightFeedback,
    OversightReading,
    OversightReferral,
    OversightReferralDay,
    OversightReferralMonth,
    OversightRefresh,
    OversightSDQ,
)
from outcomes.oversight import Filters, Table
from outcomes.tasks import oversight_refresh_run as oversight_refresh_run_task
from pru_cases.celery import send_now
from pupils.models import Pupil, School
from pupils.selectors import pupils_visible_to
from referrals.models import Intervention, Referral

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
PENDING_GRACE = datetime.timedelta(minutes=1)
RUNNING_STUCK_AFTER = datetime.timedelta(minutes=15)
KEEP_DONE = datetime.timedelta(days=30)
BATCH = 500  # pupils rebuilt together at most
LOCK_KEY = 74_110_001  # pg_advisory_xact_lock key: one refresh at a time
SUMMARY_MODELS = (
    OversightReferral,
    OversightReferralDay,
    OversightReferralMonth,
    OversightSDQ,
    OversightAttendance,
    OversightAttendanceWindow,
    OversightAttendanceTotal,
    OversightReading,
    OversightExclusion,
    OversightDestination,
    OversightFeedback,
)

# Sessions attended as a share of those possible, exactly as outcomes.oversight.attendance_change works it out.
PCT = "{a}.attended::float * 100 / NULLIF({a}.possible, 0)"
COHORT_SQL = (
    "(CASE WHEN EXTRACT(MONTH FROM p.entry_date) >= 9 THEN EXTRACT(YEAR FROM p.entry_date)"
    " ELSE EXTRACT(YEAR FROM p.entry_date) - 1 END)::int"
)


# --- Requests ----------------------------------------------------------------------------------------------


def oversight_refresh_request(
    *, pupil_ids: Iterable[int] = (), everyone: bool = False, by: User | None = None
) -> list[OversightRefresh]:
    """Ask for the summaries of these pupils (or of everyone) to be rebuilt: rows now, in the caller's transaction;
    the tasks after commit. A broker that is down costs a delay (the sweeper sends them later), never the write."""
    if everyone:
        refreshes = [OversightRefresh.objects.create(requested_by=by)]
    else:
        refreshes = OversightRefresh.objects.bulk_create(
            [OversightRefresh(pupil_id=pk, requested_by=by) for pk in sorted(set(pupil_ids))]
        )
    if refreshes:
        # One task is enough: a refresh settles every request waiting when it starts (up to BATCH pupils), so an
        # import for 300 pupils sends one message, not 300; any left over are sent by the sweeper.
        first = refreshes[0].pk
        transaction.on_commit(lambda: oversight_refresh_enqueue(refresh_id=first), robust=True)
    return refreshes


def refresh_on_pupil_figures_changed(sender, *, pupil_ids: Iterable[int], **kwargs) -> None:
    """Receiver of `pupils.signals.pupil_figures_changed`: a write below this app changed these pupils' figures."""
    oversight_refresh_request(pupil_ids=pupil_ids)


def oversight_refresh_enqueue(*, refresh_id: int) -> None:

    send_now(oversight_refresh_run_task, refresh_id=refresh_id)
    OversightRefresh.objects.filter(pk=refresh_id, status=OversightRefresh.Status.PENDING).update(
        enqueued_at=timezone.now()
    )


def oversight_refresh_run(*, refresh_id: int) -> bool:
    """Carry out one request (claimed with a conditional UPDATE, so a duplicate delivery does nothing). True if it ran.

    Other requests already waiting are settled with it: every one for a full rebuild, and up to BATCH pupils'
    for a pupil's, so an attendance import for 300 pupils is one rebuild rather than 300. Only requests visible
    before the rebuild starts are settled (their writes had committed), so none is marked done unseen."""
    now = timezone.now()
    claimed = OversightRefresh.objects.filter(pk=refresh_id, status=OversightRefresh.Status.PENDING).update(
        status=OversightRefresh.Status.RUNNING, started_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    refresh = OversightRefresh.objects.get(pk=refresh_id)
    try:
        with transaction.atomic():
            _lock()  # before any row lock, so a refresh never waits for rows while holding up another
            waiting = OversightRefresh.objects.select_for_update(skip_locked=True).filter(
                status=OversightRefresh.Status.PENDING, requested_at__lte=now
            )
            if refresh.pupil_id is None:
                settled = list(waiting.values_list("pk", flat=True))
                pupil_ids = None
            else:
                batch = list(waiting.filter(pupil__isnull=False).values_list("pk", "pupil_id")[:BATCH])
                settled = [pk for pk, _ in batch]
                pupil_ids = sorted({refresh.pupil_id, *(pupil_id for _, pupil_id in batch)})
            oversight_summaries_rebuild(pupil_ids=pupil_ids)
            OversightRefresh.objects.filter(pk__in=[refresh_id, *settled]).update(
                status=OversightRefresh.Status.DONE, started_at=now, finished_at=timezone.now(), error=""
            )
    except Exception as error:  # the row records the failure; the sweeper retries a few times
        log.exception("Oversight refresh %s failed", refresh_id)
        status = OversightRefresh.Status.FAILED if refresh.attempts >= MAX_ATTEMPTS else OversightRefresh.Status.PENDING
        OversightRefresh.objects.filter(pk=refresh_id).update(status=status, error=type(error).__name__[:300])
        return False
    return True


def _lock() -> None:
    """Refreshes run one at a time (a transaction-level lock, released at commit), so two never interleave their
    deletes and inserts of the same rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def oversight_refresh_all(*, now: datetime.datetime | None = None) -> bool:
    """A full rebuild (nightly, and after loading demo data): a row, so the dashboard knows when it ran, carried out
    here rather than by another worker. Requests settled long ago are bookkeeping only, and are cleared."""
    now = now or timezone.now()
    OversightRefresh.objects.filter(status=OversightRefresh.Status.DONE, finished_at__lt=now - KEEP_DONE).delete()
    refresh = OversightRefresh.objects.create()
    return oversight_refresh_run(refresh_id=refresh.pk)


def oversight_refresh_sweep(*, now: datetime.datetime | None = None) -> int:
    """Re-enqueue requests no worker has taken (pending past the grace period) or whose worker died."""
    now = now or timezone.now()
    stuck = Q(status=OversightRefresh.Status.RUNNING, started_at__lt=now - RUNNING_STUCK_AFTER)
    OversightRefresh.objects.filter(stuck, attempts__lt=MAX_ATTEMPTS).update(status=OversightRefresh.Status.PENDING)
    OversightRefresh.objects.filter(stuck, attempts__gte=MAX_ATTEMPTS).update(
        status=OversightRefresh.Status.FAILED, error="Gave up after repeated attempts."
    )
    not_recently_sent = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - PENDING_GRACE)
    stale = list(
        OversightRefresh.objects.filter(status=OversightRefresh.Status.PENDING, requested_at__lt=now - PENDING_GRACE)
        .filter(not_recently_sent)
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    sent = 0
    for refresh_id in stale:
        try:
            oversight_refresh_enqueue(refresh_id=refresh_id)
        except (OperationalError, OSError):  # broker still down: try again on the next sweep
            log.warning("Could not enqueue oversight refresh %s; will retry on the next sweep", refresh_id)
            break
        sent += 1
    return sent


def figures_as_of() -> dict:
    """When the figures were last brought up to date, and whether changes are still waiting to be counted.

    `as_of` is the start of the latest completed refresh, or, if changes are waiting, the moment the oldest of them
    was requested (everything written before it is counted). None: the summaries have never been built."""
    table = OversightRefresh._meta.db_table
    with connection.cursor() as cursor:  # two index lookups, however many requests have been made
        cursor.execute(
            f"""SELECT (SELECT started_at FROM {table} WHERE status = %(done)s ORDER BY started_at DESC LIMIT 1),
                (SELECT MIN(requested_at) FROM {table} WHERE status IN (%(pending)s, %(running)s))""",
            {
                "done": OversightRefresh.Status.DONE.value,
                "pending": OversightRefresh.Status.PENDING.value,
                "running": OversightRefresh.Status.RUNNING.value,
            },
        )
        done, waiting_since = cursor.fetchone()
    as_of = None if done is None else min(done, waiting_since) if waiting_since else done
    return {
        "as_of": as_of,
        "earlier_day": as_of is not None and timezone.localtime(as_of).date() != timezone.localdate(),
        "waiting": waiting_since is not None,
    }


# --- Rebuilding ------------------------------------------------------------------------------------------


def oversight_summaries_rebuild(*, pupil_ids: list[int] | None = None) -> None:
    """Delete and recompute the summary rows of these pupils (all pupils if None), from the case records."""

    tables = {
        "pupil": Pupil._meta.db_table,
        "referral": Referral._meta.db_table,
        "intervention": Intervention._meta.db_table,
        "sdq": SDQResponse._meta.db_table,
        "week": AttendanceWeek._meta.db_table,
        "reading": ReadingTest._meta.db_table,
        "exclusion": Exclusion._meta.db_table,
        "school": School._meta.db_table,
        "follow_up": DestinationFollowUp._meta.db_table,
        "feedback": FamilyFeedback._meta.db_table,
    } | {f"s_{model.__name__}": model._meta.db_table for model in SUMMARY_MODELS}
    params = {
        "ids": pupil_ids or [],
        "tz": settings.TIME_ZONE,
        "baseline": Occasion.BASELINE.value,
        "endline": Occasion.ENDLINE.value,
        "days": oversight.ATTENDANCE_WINDOW.days,
        "checkpoints": [c.value for c in DestinationFollowUp.Checkpoint],
        "eet": [s.value for s in DestinationFollowUp.EET],
        "neet": DestinationFollowUp.Status.NEET.value,
        "unknown": DestinationFollowUp.Status.UNKNOWN.value,
        "threshold": AttendanceWeek.PERSISTENT_ABSENCE_BELOW,
    }

    def only(column: str) -> str:
        return "TRUE" if pupil_ids is None else f"{column} = ANY(%(ids)s)"

    scales = oversight.SDQ_SCALES
    ratings = [name for name, _ in FEEDBACK_QUESTIONS]

    def touched(column: str, key: str) -> str:
        return "TRUE" if pupil_ids is None else f"{column} = ANY(%(touched_{key})s)"

    # Totals over many pupils: after a pupil's rows change, every total their rows were or are part of is redone.
    totals = {
        (OversightReferralDay, "day"): f"""INSERT INTO {{s_OversightReferralDay}} (day, specialism, site_id, cohort,
                raised, triaged, to_triage_total, intervened, to_intervention_total, signposted)
            SELECT raised_on, specialism, site_id, cohort, COUNT(*), COUNT(to_triage), SUM(to_triage),
                COUNT(to_intervention), SUM(to_intervention), COUNT(*) FILTER (WHERE signposted)
            FROM {{s_OversightReferral}} WHERE {touched("raised_on", "day")}
            GROUP BY 1, 2, 3, 4""",
        (OversightReferralMonth, "month"): f"""INSERT INTO {{s_OversightReferralMonth}} (month, specialism, site_id,
                cohort, raised, triaged, to_triage_total, intervened, to_intervention_total, signposted)
            SELECT month, specialism, site_id, cohort, COUNT(*), COUNT(to_triage), SUM(to_triage),
                COUNT(to_intervention), SUM(to_intervention), COUNT(*) FILTER (WHERE signposted)
            FROM {{s_OversightReferral}} WHERE {touched("month", "month")}
            GROUP BY 1, 2, 3, 4""",
        (OversightAttendanceTotal, "week"): f"""INSERT INTO {{s_OversightAttendanceTotal}} (week, site_id, cohort,
                pupils, first_total, latest_total, improved, absent_first, absent_latest)
            SELECT week, site_id, cohort, COUNT(*), SUM(first_pct), SUM(latest_pct),
                COUNT(*) FILTER (WHERE latest_pct > first_pct), COUNT(*) FILTER (WHERE first_pct < %(threshold)s),
                COUNT(*) FILTER (WHERE latest_pct < %(threshold)s)
            FROM {{s_OversightAttendanceWindow}}
            WHERE whole_week AND latest_pct IS NOT NULL AND {touched("week", "week")}
            GROUP BY 1, 2, 3""",
    }
    # Which totals a set of pupils' rows belong to: (total's key column, query over the pupil-level rows).
    memberships = {
        "day": f"SELECT DISTINCT raised_on FROM {OversightReferral._meta.db_table} WHERE pupil_id = ANY(%(ids)s)",
        "month": f"SELECT DISTINCT month FROM {OversightReferral._meta.db_table} WHERE pupil_id = ANY(%(ids)s)",
        "week": f"SELECT DISTINCT week FROM {OversightAttendanceWindow._meta.db_table} WHERE pupil_id = ANY(%(ids)s)",
    }
    facts = [
        f"""INSERT INTO {{s_OversightReferral}} (pupil_id, site_id, cohort, referral_id, specialism, raised_on, month,
                to_triage, to_intervention, signposted)
            SELECT r.pupil_id, p.site_id, {COHORT_SQL}, r.id, r.specialism, (r.raised_at AT TIME ZONE %(tz)s)::date,
                DATE_TRUNC('month', r.raised_at AT TIME ZONE %(tz)s)::date, r.triaged_at - r.raised_at,
                COALESCE(i.started_on::timestamptz, i.created_at) - r.raised_at,
                r.triaged_at IS NOT NULL AND r.signpost_offer <> ''
            FROM {{referral}} r JOIN {{pupil}} p ON p.id = r.pupil_id
            LEFT JOIN {{intervention}} i ON i.referral_id = r.id
            WHERE {only("r.pupil_id")}""",
        f"""INSERT INTO {{s_OversightSDQ}} (pupil_id, site_id, cohort, informant, completed_on, next_completed_on,
                {", ".join(f"b_{s}" for s in scales)}, {", ".join(f"e_{s}" for s in scales)})
            SELECT e.pupil_id, p.site_id, {COHORT_SQL}, e.informant, e.completed_on, e.next_on,
                {", ".join(f"b.{s}" for s in scales)}, {", ".join(f"e.{s}" for s in scales)}
            FROM (SELECT r.*, LEAD(r.completed_on) OVER (PARTITION BY r.pupil_id, r.informant
                        ORDER BY r.completed_on, r.id) AS next_on
                  FROM {{sdq}} r WHERE r.occasion = %(endline)s AND r.withdrawn_at IS NULL AND {only("r.pupil_id")}) e
            JOIN (SELECT DISTINCT ON (r.pupil_id, r.informant) r.*
                  FROM {{sdq}} r WHERE r.occasion = %(baseline)s AND r.withdrawn_at IS NULL AND {only("r.pupil_id")}
                  ORDER BY r.pupil_id, r.informant, r.completed_on, r.id) b
              ON b.pupil_id = e.pupil_id AND b.informant = e.informant
            JOIN {{pupil}} p ON p.id = e.pupil_id""",
        f"""INSERT INTO {{s_OversightAttendance}} (pupil_id, site_id, cohort, entry_date, exit_date, first_pct,
                exit_pct)
            SELECT p.id, p.site_id, {COHORT_SQL}, p.entry_date, p.exit_date, {PCT.format(a="f")}, {PCT.format(a="x")}
            FROM {{pupil}} p
            CROSS JOIN LATERAL (SELECT SUM(a.sessions_attended) AS attended, SUM(a.sessions_possible) AS possible
                FROM {{week}} a WHERE a.pupil_id = p.id
                AND a.week_starting >= p.entry_date AND a.week_starting < p.entry_date + %(days)s) f
            CROSS JOIN LATERAL (SELECT SUM(a.sessions_attended) AS attended, SUM(a.sessions_possible) AS possible
                FROM {{week}} a WHERE a.pupil_id = p.id
                AND a.week_starting > p.exit_date - %(days)s AND a.week_starting <= p.exit_date) x
            WHERE f.possible > 0 AND {only("p.id")}""",
        # Weeks start on Mondays (a constraint), so the six weeks ending at any day are those of the six Mondays up
        # to it: one row per pupil and Monday that has any of them, while the pupil is at the PRU (the only weeks
        # in which a period can end and still look at that pupil's latest weeks rather than their last ones).
        f"""INSERT INTO {{s_OversightAttendanceWindow}} (pupil_id, site_id, cohort, week, entry_date, exit_date,
                first_pct, latest_pct, whole_week)
            SELECT s.pupil_id, s.site_id, s.cohort, l.week, s.entry_date, s.exit_date, s.first_pct, {PCT.format(a="l")},
                s.entry_date <= l.week AND (s.exit_date IS NULL OR s.exit_date >= l.week + 6)
            FROM {{s_OversightAttendance}} s
            JOIN (SELECT a.pupil_id, a.week_starting + 7 * k AS week, SUM(a.sessions_attended) AS attended,
                    SUM(a.sessions_possible) AS possible
                  FROM {{week}} a CROSS JOIN generate_series(0, %(days)s / 7 - 1) AS k
                  WHERE {only("a.pupil_id")} GROUP BY 1, 2) l ON l.pupil_id = s.pupil_id
            WHERE l.week > s.entry_date - 7 AND (s.exit_date IS NULL OR l.week <= s.exit_date) AND {only("s.pupil_id")}
            ORDER BY l.week""",
        f"""INSERT INTO {{s_OversightReading}} (pupil_id, site_id, cohort, tested_on, next_tested_on,
                first_age_months, age_months, months_between)
            SELECT t.pupil_id, p.site_id, {COHORT_SQL}, t.tested_on, t.next_on, t.first_age, t.reading_age_months,
                ((EXTRACT(YEAR FROM t.tested_on) - EXTRACT(YEAR FROM t.first_on)) * 12
                 + EXTRACT(MONTH FROM t.tested_on) - EXTRACT(MONTH FROM t.first_on))::int
            FROM (SELECT t.pupil_id, t.tested_on, t.reading_age_months, LEAD(t.tested_on) OVER w AS next_on,
                    FIRST_VALUE(t.reading_age_months) OVER w AS first_age, FIRST_VALUE(t.tested_on) OVER w AS first_on,
                    ROW_NUMBER() OVER w AS n
                  FROM {{reading}} t WHERE t.withdrawn_at IS NULL AND {only("t.pupil_id")}
                  WINDOW w AS (PARTITION BY t.pupil_id ORDER BY t.tested_on, t.id)) t
            JOIN {{pupil}} p ON p.id = t.pupil_id WHERE t.n > 1""",
        f"""INSERT INTO {{s_OversightExclusion}} (pupil_id, site_id, cohort, exclusion_id, school_name, kind,
                start_date, previous_on, days)
            SELECT x.pupil_id, p.site_id, {COHORT_SQL}, x.id, sc.name, x.kind, x.start_date,
                LAG(x.start_date) OVER (PARTITION BY x.pupil_id, sc.name ORDER BY x.start_date, x.id), x.days
            FROM {{exclusion}} x JOIN {{pupil}} p ON p.id = x.pupil_id LEFT JOIN {{school}} sc ON sc.id = x.school_id
            WHERE x.withdrawn_at IS NULL AND {only("x.pupil_id")}""",
        f"""INSERT INTO {{s_OversightDestination}} (pupil_id, site_id, cohort, exit_date, checkpoint, done, eet,
                neet, unknown)
            SELECT p.id, p.site_id, {COHORT_SQL}, p.exit_date, c.checkpoint, COUNT(f.id),
                COUNT(f.id) FILTER (WHERE f.status = ANY(%(eet)s)), COUNT(f.id) FILTER (WHERE f.status = %(neet)s),
                COUNT(f.id) FILTER (WHERE f.status = %(unknown)s)
            FROM {{pupil}} p CROSS JOIN unnest(%(checkpoints)s::text[]) AS c(checkpoint)
            LEFT JOIN {{follow_up}} f ON f.pupil_id = p.id AND f.checkpoint = c.checkpoint
            WHERE p.exit_date IS NOT NULL AND {only("p.id")}
            GROUP BY p.id, c.checkpoint""",
        f"""INSERT INTO {{s_OversightFeedback}} (pupil_id, site_id, cohort, feedback_id, given_on, has_comment,
                {", ".join(ratings)})
            SELECT f.pupil_id, p.site_id, {COHORT_SQL}, f.id, f.given_on, f.difference_made <> '',
                {", ".join(f"f.{name}" for name in ratings)}
            FROM {{feedback}} f JOIN {{pupil}} p ON p.id = f.pupil_id
            WHERE f.withdrawn_at IS NULL AND {only("f.pupil_id")}""",
    ]
    total_models = {model for model, _ in totals}
    with transaction.atomic(), connection.cursor() as cursor:
        _lock()
        keys: dict[str, set] = {key: set() for key in memberships}
        if pupil_ids is not None:
            for key, query in memberships.items():
                cursor.execute(query, params)
                keys[key] |= {row[0] for row in cursor.fetchall()}
        for model in SUMMARY_MODELS:
            if model not in total_models:
                where = "" if pupil_ids is None else " WHERE pupil_id = ANY(%(ids)s)"
                cursor.execute(f"DELETE FROM {model._meta.db_table}{where}", params)
        for statement in facts:
            cursor.execute(statement.format(**tables), params)
        if pupil_ids is not None:
            for key, query in memberships.items():
                cursor.execute(query, params)
                params[f"touched_{key}"] = sorted(keys[key] | {row[0] for row in cursor.fetchall()})
        for (model, key), statement in totals.items():
            where = "" if pupil_ids is None else f" WHERE {key} = ANY(%(touched_{key})s)"
            cursor.execute(f"DELETE FROM {model._meta.db_table}{where}", params)
            cursor.execute(statement.format(**tables), params)
        if pupil_ids is None:
            for model in SUMMARY_MODELS:
                cursor.execute(f"ANALYZE {model._meta.db_table}")


# --- Reading the dashboard from the summaries --------------------------------------------------------------


def _where(user: User, filters: Filters, alias: str = "s") -> tuple[str, dict]:
    """The pupils a table counts: the user's scope, the site and the cohort, on the summary row's own columns."""
    clauses, params = [], {}
    if not user.sees_all_pupils:  # anyone who does not see every pupil counts only those they may see
        inner, inner_params = pupils_visible_to(user).values("id").query.sql_with_params()
        for n, value in enumerate(inner_params):
            inner = inner.replace("%s", f"%(scope{n})s", 1)
            params[f"scope{n}"] = value
        clauses.append(f"{alias}.pupil_id IN ({inner})")
    if filters.site_id:
        clauses.append(f"{alias}.site_id = %(site_id)s")
        params["site_id"] = filters.site_id
    if filters.cohort:
        clauses.append(f"{alias}.cohort = %(cohort)s")
        params["cohort"] = filters.cohort
    return "".join(f" AND {clause}" for clause in clauses), params


def _rows(user: User, filters: Filters, statement: str, params: dict | None = None, alias: str = "s") -> list[dict]:
    where, where_params = _where(user, filters, alias)
    with connection.cursor() as cursor:
        cursor.execute(
            statement.replace("{where}", where),
            {"start": filters.start, "end": filters.end} | (params or {}) | where_params,
        )
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _whole_months(filters: Filters) -> tuple[datetime.date, datetime.date]:
    """[first, after) : the first days of the whole calendar months inside the period (first == after: none)."""
    first = (
        filters.start
        if filters.start.day == 1
        else (filters.start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    )
    after = (filters.end + datetime.timedelta(days=1)).replace(day=1)
    return first, max(first, after)


REFERRAL_FIGURES = """GROUPING(s.month) AS by_specialism, SUM(s.raised)::int AS raised, SUM(s.triaged)::int AS triaged,
    SUM(s.to_triage_total) / NULLIF(SUM(s.triaged), 0) AS to_triage, SUM(s.intervened)::int AS intervened,
    SUM(s.to_intervention_total) / NULLIF(SUM(s.intervened), 0) AS to_intervention,
    SUM(s.signposted)::int AS signposted"""
REFERRAL_TOTALS = (
    "s.specialism, s.raised, s.triaged, s.to_triage_total, s.intervened, s.to_intervention_total, s.signposted"
)


def _referral_groups(user: User, filters: Filters) -> tuple[list[dict], list[dict]]:
    """(counts by month and specialism, figures by specialism) in one pass.

    For someone who sees every pupil, from the monthly totals for the whole months of the period and the daily ones
    for its ends (a few hundred rows, not tens of thousands); for anyone else, from the referrals they may see."""
    if user.sees_all_pupils:
        first, after = _whole_months(filters)
        rows = _rows(
            user,
            filters,
            f"""SELECT s.month, s.specialism, {REFERRAL_FIGURES} FROM (
                    SELECT s.month, {REFERRAL_TOTALS} FROM {OversightReferralMonth._meta.db_table} s
                    WHERE s.month >= %(first)s AND s.month < %(after)s {{where}}
                    UNION ALL
                    SELECT DATE_TRUNC('month', s.day)::date, {REFERRAL_TOTALS}
                    FROM {OversightReferralDay._meta.db_table} s
                    WHERE s.day BETWEEN %(start)s AND %(end)s
                        AND NOT (s.day >= %(first)s AND s.day < %(after)s) {{where}}
                ) s
                GROUP BY GROUPING SETS ((s.month, s.specialism), (s.specialism)) ORDER BY s.specialism, s.month""",
            {"first": first, "after": after},
        )
    else:
        rows = _rows(
            user,
            filters,
            f"""SELECT s.month, s.specialism, GROUPING(s.month) AS by_specialism, COUNT(*) AS raised,
                    COUNT(s.to_triage) AS triaged, AVG(s.to_triage) AS to_triage,
                    COUNT(s.to_intervention) AS intervened, AVG(s.to_intervention) AS to_intervention,
                    COUNT(*) FILTER (WHERE s.signposted) AS signposted
                FROM {OversightReferral._meta.db_table} s
                WHERE s.raised_on BETWEEN %(start)s AND %(end)s {{where}}
                GROUP BY GROUPING SETS ((s.month, s.specialism), (s.specialism))
                ORDER BY s.specialism, s.month""",
        )
    by_month = [row for row in rows if not row["by_specialism"]]
    by_specialism = [row for row in rows if row["by_specialism"]]
    return by_month, by_specialism


def referrals_by_month(user: User, filters: Filters) -> Table:
    by_month, _ = _referral_groups(user, filters)
    by_month.sort(key=lambda row: (row["month"], row["specialism"]))
    return oversight.referrals_by_month_table(
        [{"month": r["month"], "specialism": r["specialism"], "n": r["raised"]} for r in by_month]
    )


def referral_timeliness(user: User, filters: Filters) -> Table:
    _, by_specialism = _referral_groups(user, filters)
    return oversight.referral_timeliness_table(by_specialism)


def sdq_change(user: User, filters: Filters) -> Table:
    figures = []
    for scale in oversight.SDQ_SCALES:
        both = f"s.b_{scale} IS NOT NULL AND s.e_{scale} IS NOT NULL"
        better = f"s.e_{scale} > s.b_{scale}" if scale == "prosocial" else f"s.e_{scale} < s.b_{scale}"
        figures += [
            f"COUNT(*) FILTER (WHERE {both}) AS n_{scale}",
            f"(AVG(s.b_{scale}) FILTER (WHERE {both}))::float AS mb_{scale}",
            f"(AVG(s.e_{scale}) FILTER (WHERE {both}))::float AS me_{scale}",
            f"COUNT(*) FILTER (WHERE {both} AND {better}) AS better_{scale}",
        ]
    by_cohort = _rows(
        user,
        filters,
        f"""SELECT s.cohort, {", ".join(figures)} FROM {OversightSDQ._meta.db_table} s
            WHERE s.informant = %(informant)s AND s.completed_on BETWEEN %(start)s AND %(end)s
            AND (s.next_completed_on IS NULL OR s.next_completed_on > %(end)s) {{where}}
            GROUP BY s.cohort ORDER BY s.cohort""",
        {"informant": filters.informant},
    )
    return oversight.sdq_change_table(by_cohort, filters)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


ATTENDANCE_FIGURES = """COUNT(*) FILTER (WHERE {both}) AS n,
    SUM(b_pct) FILTER (WHERE {both}) AS first_total,
    SUM(l_pct) FILTER (WHERE {both}) AS latest_total,
    COUNT(*) FILTER (WHERE {both} AND l_pct > b_pct) AS better,
    COUNT(*) FILTER (WHERE {both} AND b_pct < %(threshold)s) AS pa_before,
    COUNT(*) FILTER (WHERE {both} AND l_pct < %(threshold)s) AS pa_after""".format(
    both="b_pct IS NOT NULL AND l_pct IS NOT NULL"
)


def attendance_change(user: User, filters: Filters) -> Table:
    """Pupils still at the PRU at the end of the period: their six weeks up to its last week (for someone who sees
    every pupil, the week's totals of those there all week, plus the few who joined or left during it, row by row);
    leavers in the period: the six weeks before they left."""
    window, leavers = OversightAttendanceWindow._meta.db_table, OversightAttendance._meta.db_table
    totals = f"""UNION ALL SELECT s.cohort, s.pupils, s.first_total, s.latest_total, s.improved, s.absent_first,
        s.absent_latest FROM {OversightAttendanceTotal._meta.db_table} s WHERE s.week = %(week)s {{where}}"""
    by_cohort = _rows(
        user,
        filters,
        f"""WITH w AS (
                SELECT s.cohort, s.first_pct AS b_pct, s.latest_pct AS l_pct FROM {window} s
                WHERE s.week = %(week)s AND s.entry_date <= %(end)s AND (s.exit_date IS NULL OR s.exit_date >= %(end)s)
                {"AND NOT s.whole_week" if user.sees_all_pupils else ""} {{where}}
                UNION ALL
                SELECT s.cohort, s.first_pct, s.exit_pct FROM {leavers} s
                WHERE s.exit_date >= %(start)s AND s.exit_date < %(end)s AND s.entry_date <= %(end)s {{where}}),
            parts AS (
                SELECT cohort, {ATTENDANCE_FIGURES} FROM w GROUP BY cohort {totals if user.sees_all_pupils else ""}
            )
            SELECT cohort, SUM(n)::int AS n, SUM(first_total) / NULLIF(SUM(n), 0)::float AS before,
                SUM(latest_total) / NULLIF(SUM(n), 0)::float AS after, SUM(better)::int AS better,
                SUM(pa_before)::int AS pa_before, SUM(pa_after)::int AS pa_after
            FROM parts GROUP BY cohort ORDER BY cohort""",
        {"week": _monday(filters.end), "threshold": oversight.AttendanceWeek.PERSISTENT_ABSENCE_BELOW},
    )
    return oversight.attendance_change_table(by_cohort)


def reading_change(user: User, filters: Filters) -> Table:
    by_cohort = _rows(
        user,
        filters,
        f"""SELECT s.cohort, COUNT(*) AS n, AVG(s.first_age_months)::float AS before,
                AVG(s.age_months)::float AS after, AVG(s.age_months - s.first_age_months)::float AS gain,
                AVG(s.months_between)::float AS months,
                COUNT(*) FILTER (WHERE s.age_months > s.first_age_months + s.months_between) AS faster
            FROM {OversightReading._meta.db_table} s
            WHERE s.tested_on BETWEEN %(start)s AND %(end)s
            AND (s.next_tested_on IS NULL OR s.next_tested_on > %(end)s) {{where}}
            GROUP BY s.cohort ORDER BY s.cohort""",
    )
    return oversight.reading_change_table(by_cohort)


def exclusions_by_school(user: User, filters: Filters) -> Table:
    counts = _rows(
        user,
        filters,
        f"""SELECT s.school_name AS school__name,
                COUNT(*) FILTER (WHERE s.kind = %(permanent)s) AS permanent,
                COUNT(*) FILTER (WHERE s.kind = %(suspension)s) AS suspensions,
                SUM(s.days) FILTER (WHERE s.kind = %(suspension)s) AS days,
                COUNT(*) FILTER (WHERE s.previous_on IS NULL OR s.previous_on < %(start)s) AS pupils
            FROM {OversightExclusion._meta.db_table} s
            WHERE s.start_date BETWEEN %(start)s AND %(end)s {{where}}
            GROUP BY s.school_name ORDER BY permanent DESC, s.school_name""",
        {"permanent": Exclusion.Kind.PERMANENT.value, "suspension": Exclusion.Kind.SUSPENSION.value},
    )
    return oversight.exclusions_table(counts)


def neet_rate(user: User, filters: Filters, *, today: datetime.date | None = None) -> Table:
    today = today or timezone.localdate()
    cutoffs = {c: oversight._months_before(today, m) for c, m in DestinationFollowUp.MONTHS.items()}
    params: dict = {}
    cases = []
    for n, (checkpoint, cutoff) in enumerate(cutoffs.items()):
        cases.append(f"WHEN %(c{n})s THEN %(d{n})s::date")
        params |= {f"c{n}": checkpoint.value, f"d{n}": cutoff}
    rows = _rows(
        user,
        filters,
        f"""SELECT s.checkpoint, COUNT(*) AS leavers,
                COUNT(*) FILTER (WHERE s.exit_date <= CASE s.checkpoint {" ".join(cases)} END) AS due,
                SUM(s.done) AS done, SUM(s.eet) AS eet, SUM(s.neet) AS neet, SUM(s.unknown) AS unknown
            FROM {OversightDestination._meta.db_table} s
            WHERE s.exit_date BETWEEN %(start)s AND %(end)s {{where}}
            GROUP BY s.checkpoint""",
        params,
    )
    by_checkpoint = {row["checkpoint"]: row for row in rows}
    figures: dict = {"leavers": max((row["leavers"] for row in rows), default=0)}
    for checkpoint in DestinationFollowUp.MONTHS:
        row = by_checkpoint.get(checkpoint.value, {})
        for key in ("due", "done", "eet", "neet", "unknown"):
            figures[f"{key}_{checkpoint}"] = int(row.get(key) or 0)
    return oversight.neet_rate_table(figures)


def family_feedback(user: User, filters: Filters) -> Table:
    columns = ["COUNT(*) AS forms"]
    for name, _ in FEEDBACK_QUESTIONS:
        columns += [
            f"COUNT(s.{name}) AS answered_{name}",
            f"AVG(s.{name}) AS mean_{name}",
            f"COUNT(*) FILTER (WHERE s.{name} >= 4) AS agree_{name}",
        ]
    (figures,) = _rows(
        user,
        filters,
        f"""SELECT {", ".join(columns)} FROM {OversightFeedback._meta.db_table} s
            WHERE s.given_on BETWEEN %(start)s AND %(end)s {{where}}""",
    )
    for name, _ in FEEDBACK_QUESTIONS:
        mean = figures[f"mean_{name}"]
        figures[f"mean_{name}"] = None if mean is None else float(mean)
    return oversight.family_feedback_table(figures)


def family_comments(user: User, filters: Filters, *, limit: int = 10) -> Table:
    rows = _rows(
        user,
        filters,
        f"""SELECT f.given_on, f.moment, f.respondent, f.difference_made
            FROM {OversightFeedback._meta.db_table} s JOIN {FamilyFeedback._meta.db_table} f ON f.id = s.feedback_id
            WHERE s.has_comment AND f.withdrawn_at IS NULL AND s.given_on BETWEEN %(start)s AND %(end)s {{where}}
            ORDER BY s.given_on DESC, s.feedback_id DESC LIMIT %(limit)s""",
        {"limit": limit},
    )
    return oversight.family_comments_table([tuple(row.values()) for row in rows], limit=limit)


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
assert TABLES.keys() == oversight.TABLES.keys()


def oversight_tables(user: User, filters: Filters) -> list[Table]:
    """Every table of the dashboard, from the summaries; the two referral tables share one pass."""
    by_month, by_specialism = _referral_groups(user, filters)
    by_month.sort(key=lambda row: (row["month"], row["specialism"]))
    tables = [
        oversight.referrals_by_month_table(
            [{"month": r["month"], "specialism": r["specialism"], "n": r["raised"]} for r in by_month]
        ),
        oversight.referral_timeliness_table(by_specialism),
    ]
    return tables + [build(user, filters) for slug, build in TABLES.items() if not slug.startswith("referral")]
