"""Case history at the volume a large authority builds up over two years: about 50 concerns, 5 referrals and
10 agreed actions per pupil, and a weekly MDT at each centre with 60 cases on the agenda.

Used by `seed_demo` for large data sets (the load benchmark seeds 20,000 pupils). The big tables are written with
COPY: at a million concerns, building model instances and INSERT statements would take most of the time.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from psycopg import sql

from accounts.models import Agency, Site, User
from concerns.models import Concern
from demo import referrals as referrals_demo
from meetings.models import Action, ActionPlan, AgendaItem, Invitee, Meeting
from pupils.models import Pupil
from referrals.models import Referral

AGENDA_LENGTH = 60
WEEKS_OF_MEETINGS = 100
QUIET_DAYS = 30  # the last month keeps the smaller demo's recent concerns, so flags and queues stay realistic

ACTIONS = (
    (
        "Key worker to meet the pupil weekly to review the behaviour plan.",
        "Fewer than two behaviour incidents a week by the review.",
    ),
    (
        "Refer to the school nurse for a sleep and wellbeing check.",
        "Nurse appointment held and advice shared with the family.",
    ),
    (
        "Arrange a home visit to talk about morning routines and transport.",
        "Arrives before 9:15 on four days out of five.",
    ),
    (
        "Offer a place at breakfast club and check the pupil attends.",
        "Attends breakfast club at least three mornings a week.",
    ),
    ("Ask the Early Help team to complete a family assessment.", "Assessment completed and a family plan agreed."),
    (
        "Set up a daily check-in with a trusted adult at the start of the day.",
        "Pupil says they have someone to talk to; fewer walk-outs.",
    ),
    (
        "Share the safety plan with all staff and review it at the next MDT.",
        "All staff have read the plan; no missing episodes.",
    ),
    ("Careers adviser to meet the pupil about post-16 options.", "A post-16 application has been made."),
    (
        "Small-group literacy three times a week for a half-term.",
        "Reading age up by at least six months at the retest.",
    ),
    (
        "Parent to attend the review meeting and bring the GP letter.",
        "Letter on file; medication plan agreed with the family.",
    ),
)
REVIEW_NOTES = ("Read; no further action.", "Discussed at the MDT.", "Logged with social care.", "Key worker informed.")
DECLINE_REASONS = ("Needs are met by the current plan.", "Already open to this service through another route.")


def suppress_history() -> bool:
    """Skip row triggers (history capture) until this transaction ends; False if the database role may not.

    Seeded demo rows need no history, and history triggers cost more than the inserts themselves. The triggers stay
    installed: only this transaction, in this session, runs without them.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def restore_history() -> None:
    """Row triggers back on for the rest of the transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write rows with COPY inside the current transaction, and return how many."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
    )
    connection.ensure_connection()
    written = 0
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=datetime.UTC) + datetime.timedelta(
        minutes=rng.randrange(0, 420)
    )


def _concerns(rng: random.Random, pupils: list[Pupil], staff: list[User], dsl: User, today: datetime.date):
    categories = list(referrals_demo.CONCERN_TEXT)
    texts = referrals_demo.CONCERN_TEXT
    weights = referrals_demo.CATEGORY_WEIGHTS
    for pupil in pupils:
        last = min(pupil.exit_date or today, today - datetime.timedelta(days=QUIET_DAYS))
        span = (last - pupil.entry_date).days
        if span < 1:
            continue
        for _ in range(rng.randrange(30, 70)):
            category = rng.choices(categories, weights=weights)[0]
            when = _moment(pupil.entry_date + datetime.timedelta(days=rng.randrange(0, span)), rng)
            withdrawn = rng.random() < 0.03
            yield (
                pupil.pk,
                category,
                rng.choice(texts[category]),
                when,
                when + datetime.timedelta(minutes=rng.randrange(1, 90)),
                rng.choice(staff).pk,
                Concern.Status.WITHDRAWN if withdrawn else Concern.Status.REVIEWED,
                dsl.pk,
                when + datetime.timedelta(hours=rng.randrange(2, 48)),
                "Logged against the wrong pupil." if withdrawn else rng.choice(REVIEW_NOTES),
            )


def _referrals(rng: random.Random, pupils: list[Pupil], staff: list[User], triager: User, today: datetime.date):
    specialisms = list(referrals_demo.REASONS)
    for pupil in pupils:
        last = min(pupil.exit_date or today, today - datetime.timedelta(days=60))
        span = (last - pupil.entry_date).days
        if span < 1:
            continue
        for _ in range(rng.choice([3, 4, 4, 5, 5, 6, 7])):
            specialism = rng.choices(specialisms, weights=referrals_demo.SPECIALISM_WEIGHTS)[0]
            raised = _moment(pupil.entry_date + datetime.timedelta(days=rng.randrange(0, span)), rng)
            signposted = rng.random() < 0.7
            yield (
                pupil.pk,
                specialism,
                referrals_demo.REASONS[specialism],
                rng.choice(["Lunchtime mentoring for six weeks.", ""]),
                rng.choice([Referral.Consent.PUPIL_AND_PARENT, Referral.Consent.PARENT]),
                rng.choices(list(Referral.Urgency.values), weights=[6, 3, 1])[0],
                rng.choice(staff).pk,
                raised,
                Referral.Status.SIGNPOSTED if signposted else Referral.Status.DECLINED,
                triager.pk,
                raised + datetime.timedelta(days=rng.randrange(1, 8)),
                rng.choice(referrals_demo.OFFERS) if signposted else "",
                "" if signposted else rng.choice(DECLINE_REASONS),
                "",
                "",
                "",
                "",
                "",
                1,
            )


def _meetings(
    rng: random.Random,
    pupils: list[Pupil],
    sites: list[Site],
    chair: User,
    dsl: User,
    guests: list[User],
    today: datetime.date,
):
    """A weekly MDT per centre for two years (closed, minutes final) and this week's, still to be held."""
    wednesday = today - datetime.timedelta(days=(today.weekday() - 2) % 7)
    by_site: dict[int, list[Pupil]] = defaultdict(list)
    for pupil in pupils:
        by_site[pupil.site_id].append(pupil)
    meetings, items_by_meeting = [], {}
    for site in sites:
        previous = None
        for weeks_ago in range(WEEKS_OF_MEETINGS, -1, -1):
            held = wednesday - datetime.timedelta(weeks=weeks_ago)
            if held.month == 8:
                continue
            upcoming = weeks_ago == 0
            meeting = Meeting(
                kind=Meeting.Kind.MDT,
                title=f"Weekly MDT, {site.name}",
                held_on=held,
                location=site.name,
                site=site,
                recurrence=Meeting.Recurrence.WEEKLY,
                chair=chair,
                minute_taker=chair,
                created_by=chair,
                status=Meeting.Status.PLANNED if upcoming else Meeting.Status.CLOSED,
                closed_at=None
                if upcoming
                else datetime.datetime.combine(held, datetime.time(11, 30), tzinfo=datetime.UTC),
                closed_by=None if upcoming else chair,
                summary="" if upcoming else "All cases on the agenda reviewed; actions agreed and owners named.",
                created_at=datetime.datetime.combine(
                    held - datetime.timedelta(days=7), datetime.time(9), tzinfo=datetime.UTC
                ),
            )
            meeting._previous = previous
            meetings.append(meeting)
            previous = meeting
            on_roll = [
                p for p in by_site[site.pk] if p.entry_date <= held and (p.exit_date is None or p.exit_date >= held)
            ]
            items_by_meeting[id(meeting)] = rng.sample(on_roll, k=min(AGENDA_LENGTH, len(on_roll)))
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    for meeting in meetings:
        meeting.previous = meeting._previous
    Meeting.objects.bulk_update([m for m in meetings if m.previous], ["previous"], batch_size=1000)
    reason = [{"kind": AgendaItem.Reason.REVIEW_DUE, "ref": None, "text": "Review due"}]
    items = [
        AgendaItem(
            meeting=meeting,
            pupil=pupil,
            position=position,
            reasons=reason,
            added_by=chair,
            status=AgendaItem.Status.PENDING
            if meeting.status == Meeting.Status.PLANNED
            else AgendaItem.Status.DISCUSSED,
        )
        for meeting in meetings
        for position, pupil in enumerate(items_by_meeting[id(meeting)], start=1)
    ]
    AgendaItem.objects.bulk_create(items, batch_size=5000)
    # Everyone came to the past meetings; at this week's, the chair and the DSL are in the room so far.
    Invitee.objects.bulk_create(
        [
            Invitee(
                meeting=m,
                user=person,
                attendance=Invitee.Attendance.PRESENT
                if m.status == Meeting.Status.CLOSED or person in (chair, dsl)
                else Invitee.Attendance.INVITED,
            )
            for m in meetings
            for person in dict.fromkeys([chair, *guests])
        ],
        batch_size=5000,
    )
    return meetings, items


def _actions(rng, pupils, items, agencies, staff, chair, today):
    meeting_of = {}
    items_of: dict[int, list[AgendaItem]] = defaultdict(list)
    for item in items:
        items_of[item.pupil_id].append(item)
    plans = []
    for pupil in pupils:
        first = min(items_of[pupil.pk], key=lambda item: item.meeting.held_on, default=None)
        started = first.meeting.held_on if first else pupil.entry_date + datetime.timedelta(days=14)
        if started > today:
            continue
        open_plan = pupil.exit_date is None
        plans.append(
            ActionPlan(
                pupil=pupil,
                started_at_meeting=first.meeting if first else None,
                status=ActionPlan.Status.OPEN if open_plan else ActionPlan.Status.CLOSED,
                review_on=today + datetime.timedelta(days=rng.randrange(7, 50)) if open_plan else None,
                created_by=chair,
                created_at=datetime.datetime.combine(started, datetime.time(11), tzinfo=datetime.UTC),
            )
        )
        meeting_of[pupil.pk] = started
    ActionPlan.objects.bulk_create(plans, batch_size=5000)

    def rows():
        for plan in plans:
            pupil = plan.pupil
            started = meeting_of[pupil.pk]
            end = pupil.exit_date or today + datetime.timedelta(days=42)
            span = max(7, (end - started).days)
            agreed = items_of[pupil.pk]
            for _ in range(rng.randrange(6, 15)):
                description, criteria = rng.choice(ACTIONS)
                due = started + datetime.timedelta(days=rng.randrange(7, span + 7))
                owner = rng.choices(["staff", "agency", "family"], weights=[5, 2, 3])[0]
                past = due < today - datetime.timedelta(days=14)
                status = rng.choices(["done", "dropped", "open"], weights=[85, 10, 5])[0] if past else "open"
                yield (
                    plan.pk,
                    rng.choice(agreed).pk if agreed else None,
                    description,
                    owner,
                    (pupil.key_worker_id or rng.choice(staff).pk) if owner == "staff" else None,
                    rng.choice(agencies).pk if owner == "agency" else None,
                    f"{rng.choice(['Ms', 'Mr'])} {pupil.last_name}" if owner == "family" else "",
                    due,
                    criteria,
                    status,
                    due if status == "done" else None,
                    "Overtaken by the new plan." if status == "dropped" else "",
                    chair.pk,
                    plan.created_at,
                    1,
                    "",
                )

    return copy_rows(
        Action,
        [
            "plan_id",
            "agreed_at_id",
            "description",
            "owner_kind",
            "owner_user_id",
            "owner_agency_id",
            "owner_name",
            "due_on",
            "success_criteria",
            "status",
            "done_on",
            "dropped_reason",
            "created_by_id",
            "created_at",
            "version",
            "family_wording",
        ],
        rows(),
    )


def seed(*, rng: random.Random, pupils: list[Pupil], users: dict[str, User], sites: list[Site]) -> dict[str, int]:
    """Add the case history; returns how many rows of each kind were written."""
    today = timezone.localdate()
    staff = [u for u in users.values() if u.role in (User.Role.STAFF, User.Role.DSL)]
    dsl = users["dsl"]
    chair = users.get("deputy") or dsl
    guests = [
        users[name] for name in ("dsl", "camhs", "yjs", "earlyhelp", "familyworker", "safeguarding") if name in users
    ]
    agencies = list(Agency.objects.exclude(kind=Agency.Kind.PRU))
    written = {}
    written["concerns"] = copy_rows(
        Concern,
        [
            "pupil_id",
            "category",
            "seen",
            "occurred_at",
            "logged_at",
            "logged_by_id",
            "status",
            "reviewed_by_id",
            "reviewed_at",
            "review_note",
        ],
        _concerns(rng, pupils, staff, dsl, today),
    )
    written["referrals"] = copy_rows(
        Referral,
        [
            "pupil_id",
            "specialism",
            "reasons",
            "tried",
            "consent_status",
            "urgency",
            "raised_by_id",
            "raised_at",
            "status",
            "triaged_by_id",
            "triaged_at",
            "signpost_offer",
            "decline_reason",
            "duplication_reason",
            "escalation",
            "triage_note",
            "outcome",
            "outcome_note",
            "version",
        ],
        _referrals(rng, pupils, staff, chair, today),
    )
    meetings, items = _meetings(rng, pupils, sites, chair, dsl, guests, today)
    written["meetings"], written["agenda items"] = len(meetings), len(items)
    written["actions"] = _actions(rng, pupils, items, agencies, staff, chair, today)
    return written
