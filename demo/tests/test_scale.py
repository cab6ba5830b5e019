"""Growth: the bulk demo seed for load tests, and benchmarked pages that cost the same queries at any size."""

import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Count

from accounts.models import Site, User
from concerns.models import Concern
from demo import seed as demo
from demo.management.commands.bench_plan import PAGES, signed_in, viewer_for, visit
from meetings.models import Action, Meeting
from pupils.models import Pupil
from referrals.models import Referral

# The most queries each benchmarked page may make, whatever the data size: each page's count today, so that a change
# that adds a query to a hot page has to say so here. (A save counts its own request only, not the page it leads to.)
# Every page with the layout counts the reader's unread notifications with the reader (accounts.auth_backends).
QUERY_CAPS = {
    "baseline (trivial template)": 2,
    # Home pages: the person's pupils, then one or two queries for each section of work their role does (open
    # safeguarding concerns, pupils at the pattern threshold, the triage counts, the next MDT, actions due, the
    # oversight headline), and one access-log write for the pupils named.
    "home page, DSL": 13,  # escalations without an outcome (1); the pattern ranked, then the top looked up (1)
    "home page, senior leader": 12,  # one more for the escalations the leader owns
    "home page, PRU staff": 5,
    "home page, specialist": 6,
    "home page, family worker": 6,
    "pupil list": 6,  # the page's ids come with the count (pru_cases.lib.pages.counted_page)
    "pupil list with search": 6,
    "pupil page": 17,  # information requests (1), the DSL's escalations and statutory meetings (2)
    "triage queue": 6,
    "MDT meeting screen": 18,  # one more for the centre's MDT sharing basis and its core members
    "oversight dashboard": 12,
    "concern log form": 4,
    "concern log save": 13,  # tells the safeguarding leads at once; the pupil and author are not looked up again
    "concern log redirect page": 20,  # the pupil page, with its information requests and escalations
}


def queries_per_page() -> dict[str, int]:
    """Each page `make bench` measures, visited as it does; the queries of the second visit."""
    dsl = User.objects.get(username="dsl")
    clients = {}
    counts = {}
    for page in PAGES:
        if page.role not in clients:
            clients[page.role] = signed_in(viewer_for(page.role, dsl))
        client = clients[page.role]
        path = page.resolve(client)
        visit(client, page, path)
        counts[page.name] = visit(client, page, path)[1]
    return counts


def concern_history_rows() -> int:
    return apps.get_model("concerns", "ConcernEvent").objects.count()


@pytest.mark.django_db
def test_each_benchmarked_page_makes_the_same_queries_at_20_and_200_pupils():
    demo.seed(pupils=20, volume=True)
    small = queries_per_page()

    demo.seed(pupils=180, volume=True, seed_value=7)
    assert Pupil.objects.count() == 200
    assert Concern.objects.count() > 200 * 25  # the pages really have more to show
    longest = Meeting.objects.filter(status=Meeting.Status.PLANNED).annotate(n=Count("items")).order_by("-n").first()
    assert longest.n == 60
    large = queries_per_page()

    # A home page writes one access-log row for the pupils it names, and none when it names nobody: the only
    # difference data size may make.
    differ = {
        name: (small[name], large[name])
        for name in QUERY_CAPS
        if large[name] != small[name] and not (name.startswith("home page") and abs(large[name] - small[name]) == 1)
    }
    assert not differ, differ
    assert set(large) == set(QUERY_CAPS)
    over = {name: (count, QUERY_CAPS[name]) for name, count in large.items() if count > QUERY_CAPS[name]}
    assert not over, "; ".join(f"{name}: {count} queries, cap {cap}" for name, (count, cap) in sorted(over.items()))


@pytest.mark.django_db
def test_the_bulk_seed_adds_case_history_in_proportion_and_keeps_every_protection():
    summary = demo.seed(pupils=40, volume=True)

    assert 25 * 40 <= Concern.objects.count() <= 75 * 40
    assert 2 * 40 <= Referral.objects.count() <= 9 * 40
    assert 5 * 40 <= Action.objects.count() <= 16 * 40
    for site in Site.objects.all():
        weekly = Meeting.objects.filter(site=site, kind=Meeting.Kind.MDT)
        assert weekly.filter(status=Meeting.Status.CLOSED).count() > 50
        assert weekly.filter(status=Meeting.Status.PLANNED).count() == 1
    assert summary.volume["concerns"] > 0 and summary.volume["actions"] == Action.objects.count()

    # The test database's role may skip triggers, so the seed recorded no history for its own rows...
    assert summary.history_skipped
    assert concern_history_rows() == 0
    # ...but only while seeding: triggers are on again, still installed, and history is recorded for later writes.
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    concern = Concern.objects.order_by("pk").first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM pupils_concern WHERE id = %s", [concern.pk])
    concern.review_note = "Checked again."
    concern.save()
    assert concern_history_rows() == 1


@pytest.mark.django_db
def test_the_small_demo_stays_as_it_was_with_history_recorded():
    summary = demo.seed(pupils=20)

    assert summary.volume is None and not summary.history_skipped
    assert Concern.objects.count() < 20 * 10
    # last week's and this week's MDTs and one TAC, not the bulk seed's years of weekly meetings
    assert 1 <= Meeting.objects.count() <= 5
    assert concern_history_rows() == Concern.objects.count()


@pytest.mark.django_db
def test_bench_plan_measures_every_page_in_rounds_and_compares_it_with_the_trivial_page():
    demo.seed(pupils=20, volume=True)
    out = io.StringIO()
    call_command("bench_plan", "--table", "--runs", "2", "--pdfs", "0", stdout=out)
    rows = [line for line in out.getvalue().splitlines() if line.startswith("| ") and "---" not in line]
    header, *pages = rows
    assert "× trivial page" in header
    assert [row.split(" | ")[0].removeprefix("| ") for row in pages] == [page.name for page in PAGES]
    trivial = next(row for row in pages if row.startswith("| baseline"))
    assert trivial.split(" | ")[2] == "1.0"
    assert Concern.objects.filter(seen__startswith="Benchmark:").count() == 0  # the saves were rolled back

    # scripts/bench.py prints the table the command hands over with its plan
    out = io.StringIO()
    call_command("bench_plan", "--runs", "1", "--pdfs", "0", "--only", "baseline", stdout=out)
    plan = json.loads(out.getvalue().strip().splitlines()[-1])
    assert "× trivial page" in plan["table"] and "| baseline (trivial template) |" in plan["table"]
