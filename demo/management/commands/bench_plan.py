"""Picks the pages the load benchmark drives, measures each in-process, and prints the plan as JSON.

Used by scripts/bench.py; run on its own to see server time and query count per page:
    manage.py bench_plan --user dsl
"""

import json
import logging
import os
import statistics
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from concerns.models import Concern
from meetings.models import ActionPlan, AgendaItem, Meeting, PdfJob
from meetings.services import meeting_create, render_job_pdf
from pupils.models import Pupil
from referrals.models import Intervention


def _pupil_search(client: Client) -> str:
    """The list searched for the start of the commonest surname; the term is POSTed and kept in the session."""
    common = Pupil.objects.values("last_name").annotate(n=Count("pk")).order_by("-n").first()
    path = reverse("pupils:list")
    client.post(path, {"q": (common or {"last_name": "a"})["last_name"][:3]})
    return path


def _busiest_pupil() -> Pupil:
    """The active pupil with the most concerns on record (ties: the lowest id): every panel of the pupil page full."""
    busiest = (
        Concern.objects.filter(pupil__status=Pupil.Status.ACTIVE)
        .values("pupil_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "pupil_id")
        .first()
    )
    if busiest is None:
        raise NoReverseMatch("no pupil with concerns")
    return Pupil.objects.get(pk=busiest["pupil_id"])


def _pupil_detail(client: Client) -> str:
    return reverse("pupils:detail", args=[_busiest_pupil().pk])


def _concern_form(client: Client) -> str:
    return reverse("concerns:new") + f"?pupil={_busiest_pupil().pk}"


def _concern_data(path: str) -> dict[str, str]:
    return {
        "pupil": path.rpartition("pupil=")[2],
        "category": Concern.Category.BEHAVIOUR,
        "seen": "Benchmark: a concern logged and rolled back.",
        "occurred_at": "",
    }


def _meeting_screen(client: Client) -> str:
    """The planned MDT with the longest agenda (the seed gives each centre's next meeting 60 cases), open at the
    case with the most open interventions: the fullest case panel, the worst case for the screen."""
    meeting = (
        Meeting.objects.filter(kind=Meeting.Kind.MDT, status=Meeting.Status.PLANNED)
        .annotate(n=Count("items"))
        .order_by("-n", "-pk")
        .first()
    )
    if meeting is None:
        raise NoReverseMatch("no planned MDT meeting")
    busiest = (
        AgendaItem.objects.filter(meeting=meeting, pupil__isnull=False)
        .annotate(n=Count("pupil__interventions", filter=Q(pupil__interventions__status=Intervention.Status.OPEN)))
        .order_by("-n", "position", "pk")
        .first()
    )
    return reverse("meetings:screen", args=[meeting.pk]) + (f"?item={busiest.pk}" if busiest else "")


def _optional(name: str, *args) -> Callable[[Client], str]:
    def resolve(client: Client) -> str:
        return reverse(name, args=args)

    return resolve


def _pupil_list(client: Client) -> str:
    """The list as it opens: the search emptied (the term is kept in the session)."""
    path = reverse("pupils:list")
    client.post(path, {"clear": "1"})
    return path


def _fixed(path: str) -> Callable[[Client], str]:
    return lambda client: path


class Rollback(Exception):
    pass


def action_plan_pdf_ms(user: User, *, renders: int) -> float | None:
    """Median time to render the action-plan PDF of the pupil with the longest open plan; nothing is kept."""
    plan = (
        ActionPlan.objects.filter(status=ActionPlan.Status.OPEN)
        .annotate(n=Count("actions"))
        .order_by("-n", "pk")
        .select_related("pupil")
        .first()
    )
    if plan is None or renders < 1:
        return None
    timings = []
    try:
        with transaction.atomic():
            tac = meeting_create(
                by=user,
                kind=Meeting.Kind.TAC,
                title="Benchmark TAC",
                held_on=timezone.localdate(),
                chair=user,
                pupil=plan.pupil,
            )
            job = PdfJob(meeting=tac, kind=PdfJob.Kind.ACTION_PLAN, requested_by=user)
            for _ in range(renders):
                started = time.perf_counter()
                render_job_pdf(job)
                timings.append((time.perf_counter() - started) * 1000)
            raise Rollback
    except Rollback:
        pass
    return round(statistics.median(timings), 1)


@dataclass(frozen=True)
class Page:
    """A page `make bench` measures: how to find its URL, who looks, its target, and how it is requested.

    kind "get" renders the page; "save" POSTs the concern form (in a transaction rolled back afterwards, so the data
    set does not grow); "redirect" renders the page the save redirects to, with its message, in the same way.
    """

    name: str
    target_ms: float
    resolve: Callable[[Client], str]
    role: str | None = None  # None: the --user
    kind: str = "get"


Role = User.Role
# Pages whose URL does not resolve are reported as missing.
PAGES: list[Page] = [
    Page("baseline (trivial template)", 15, _optional("ping")),
    Page("home page, DSL", 15, _optional("home")),
    Page("home page, senior leader", 15, _optional("home"), Role.SENIOR_LEADER),
    Page("home page, PRU staff", 15, _optional("home"), Role.STAFF),
    Page("home page, specialist", 15, _optional("home"), Role.SPECIALIST),
    Page("home page, family worker", 15, _optional("home"), Role.FAMILY_WORKER),
    Page("pupil list", 15, _pupil_list),
    Page("pupil list with search", 15, _pupil_search),
    Page("pupil page", 15, _pupil_detail),
    Page("triage queue", 20, _optional("referrals:triage")),
    Page("MDT meeting screen", 25, _meeting_screen),
    Page("oversight dashboard", 50, _optional("oversight:dashboard"), Role.SENIOR_LEADER),
    Page("concern log form", 15, _concern_form),
    Page("concern log save", 15, _concern_form, kind="save"),
    Page("concern log redirect page", 15, _concern_form, kind="redirect"),
]


def signed_in(user: User) -> Client:
    client = Client(SERVER_NAME="127.0.0.1")  # an allowed host in every configuration
    client.force_login(user)
    return client


def viewer_for(role: str | None, default: User) -> User | None:
    """The person who looks at a page: the --user, or the first active person with the page's role."""
    if role is None:
        return default
    return User.objects.filter(role=role, is_active=True).order_by("pk").first()


def visit(client: Client, page: Page, path: str) -> tuple[float, int]:
    """One request as the page's kind makes it: server ms and queries; CommandError unless it answered as expected."""
    # A page view runs outside a transaction, as it does when served; a save (and the page a save leads to) runs
    # inside one, rolled back.
    try:
        with transaction.atomic() if page.kind != "get" else nullcontext():
            if page.kind == "redirect":
                saved = client.post(path, _concern_data(path))
                path = saved.headers.get("Location", path)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(path, _concern_data(path)) if page.kind == "save" else client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
            if page.kind != "get":
                raise Rollback  # a save is measured, never kept
    except Rollback:
        pass
    expected = 302 if page.kind == "save" else 200
    if response.status_code != expected:
        raise CommandError(f"{path} answered {response.status_code}, not {expected}.")
    return elapsed, len(captured)


def measure_in_rounds(visits: list[tuple[Page, Client, str]], *, runs: int) -> dict[str, tuple[float, int]]:
    """Median server time (ms) of each page and the queries its last request made.

    Each page is visited once unmeasured, then all of them in turn, `runs` rounds: a busy moment on the machine
    slows every page a little, rather than all the requests of a few pages, so the figures of one run compare."""
    timings: dict[str, list[float]] = {page.name: [] for page, _client, _path in visits}
    queries: dict[str, int] = {}
    for round_number in range(runs + 1):
        for page, client, path in visits:
            try:
                elapsed, queries[page.name] = visit(client, page, path)
            except CommandError as error:
                raise CommandError(f"{page.name}: {error}") from None
            if round_number:  # the first round warms each page up
                timings[page.name].append(elapsed)
    return {name: (round(statistics.median(times), 2), queries[name]) for name, times in timings.items()}


class Command(BaseCommand):
    help = "Measure each benchmark page in-process (server time, queries) against its target; print the plan as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="dsl")
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--extra", action="append", default=[], help="name=path of another page to include")
        parser.add_argument("--pdfs", type=int, default=5, help="action-plan PDFs to render for the median")
        parser.add_argument("--only", action="append", default=[], help="measure only pages whose name contains this")
        parser.add_argument("--table", action="store_true", help="print a Markdown table instead of JSON")

    def handle(self, *args, user: str, runs: int, extra: list[str], pdfs: int, only: list[str], table: bool, **options):
        person = User.objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"No user {user!r}: load the demo data first (manage.py seed_demo).")
        clients: dict[str | None, Client] = {}
        pages, missing = [], []
        plan = list(PAGES) + [Page(name, 15, _fixed(path)) for name, _, path in (item.partition("=") for item in extra)]
        if only:
            plan = [page for page in plan if any(word in page.name for word in only)]
        visits: list[tuple[Page, Client, str]] = []
        for page in plan:
            if page.role not in clients:
                viewer = viewer_for(page.role, person)
                if viewer is None:
                    missing.append(page.name)
                    continue
                clients[page.role] = signed_in(viewer)
            client = clients[page.role]
            try:
                visits.append((page, client, page.resolve(client)))
            except NoReverseMatch:
                missing.append(page.name)
        measured = measure_in_rounds(visits, runs=runs)
        for page, client, path in visits:
            server_ms, queries = measured[page.name]
            # Every cookie a browser would send back: the session, and the CSRF cookie the page's forms were made for.
            cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items() if morsel.value)
            pages.append(
                {
                    "name": page.name,
                    "path": path,
                    "kind": page.kind,
                    "server_ms": server_ms,
                    "target_ms": page.target_ms,
                    "met": server_ms <= page.target_ms,
                    "queries": queries,
                    "cookie": cookie,
                }
            )
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        pdf_ms = action_plan_pdf_ms(person, renders=pdfs) if not only else None
        if table:
            self.stdout.write(markdown_table(pages, runs=runs))
            return
        table_text = markdown_table(pages, runs=runs)  # scripts/bench.py prints it as it is
        self.stdout.write(json.dumps({"pages": pages, "missing": missing, "pdf_ms": pdf_ms, "table": table_text}))


def markdown_table(pages: list[dict], *, runs: int) -> str:
    """The figures as Markdown, each page also as a multiple of the trivial page measured in the same rounds (the
    machine's speed at the time cancels out of that column)."""
    load = " / ".join(f"{n:.2f}" for n in os.getloadavg())
    trivial = next((page["server_ms"] for page in pages if page["name"].startswith("baseline")), None)
    lines = [
        f"| page | server ms (median of {runs}) | × trivial page | target ms | met | queries |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for page in pages:
        met = "yes" if page["met"] else "**no**"
        ratio = f"{page['server_ms'] / trivial:.1f}" if trivial else "–"
        lines.append(
            f"| {page['name']} | {page['server_ms']:.1f} | {ratio} | {page['target_ms']:.0f} | {met} | "
            f"{page['queries']} |"
        )
    lines.append("")
    lines.append(f"{timezone.now():%Y-%m-%d %H:%M} UTC, load average {load} (1/5/15 min).")
    return "\n".join(lines)
