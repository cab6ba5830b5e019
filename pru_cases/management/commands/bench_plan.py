"""Picks the pages the load benchmark drives, measures each in-process, and prints the plan as JSON.

Used by scripts/bench.py; run on its own to see server time and query count per page:
    manage.py bench_plan --user dsl
"""

import json
import logging
import statistics
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
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


def _pupil_detail(client: Client) -> str:
    pupil = Pupil.objects.filter(status=Pupil.Status.ACTIVE).order_by("pk")[Pupil.objects.count() // 2]
    return reverse("pupils:detail", args=[pupil.pk])


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


# name, how to find the URL, who looks (None: the --user); pages whose URL does not resolve are reported as missing.
PAGES: list[tuple[str, Callable[[Client], str], str | None]] = [
    ("baseline (trivial template)", _optional("ping"), None),
    ("pupil list with search", _pupil_search, None),
    ("pupil page", _pupil_detail, None),
    ("triage queue", _optional("referrals:triage"), None),
    ("MDT meeting screen", _meeting_screen, None),
    ("oversight dashboard", _optional("oversight:dashboard"), User.Role.SENIOR_LEADER),
]


def signed_in(user: User) -> Client:
    client = Client(SERVER_NAME="127.0.0.1")  # an allowed host in every configuration
    client.force_login(user)
    return client


def measure(client: Client, path: str, *, runs: int) -> tuple[float, int]:
    """Median server time (ms) over `runs` requests, and the queries the last one made."""
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise CommandError(f"{path} answered {response.status_code}, not 200.")
        queries = len(captured)
    return round(statistics.median(timings), 2), queries


class Command(BaseCommand):
    help = "Measure each benchmark page in-process (server time, queries) and print the plan as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="dsl")
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--extra", action="append", default=[], help="name=path of another page to include")
        parser.add_argument("--pdfs", type=int, default=5, help="action-plan PDFs to render for the median")

    def handle(self, *args, user: str, runs: int, extra: list[str], pdfs: int, **options) -> None:
        person = User.objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"No user {user!r}: load the demo data first (manage.py seed_demo).")
        clients = {None: signed_in(person)}
        pages, missing = [], []
        plan = list(PAGES) + [(name, _fixed(path), None) for name, _, path in (item.partition("=") for item in extra)]
        for name, resolve, role in plan:
            if role not in clients:
                viewer = User.objects.filter(role=role, is_active=True).order_by("pk").first()
                if viewer is None:
                    missing.append(name)
                    continue
                clients[role] = signed_in(viewer)
            client = clients[role]
            try:
                path = resolve(client)
            except NoReverseMatch:
                missing.append(name)
                continue
            try:
                server_ms, queries = measure(client, path, runs=runs)
            except CommandError as error:
                raise CommandError(f"{name}: {error}") from None
            # Every cookie a browser would send back: the session, and the CSRF cookie the page's forms were made for.
            cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items() if morsel.value)
            pages.append({"name": name, "path": path, "server_ms": server_ms, "queries": queries, "cookie": cookie})
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        pdf_ms = action_plan_pdf_ms(person, renders=pdfs)
        self.stdout.write(json.dumps({"pages": pages, "missing": missing, "pdf_ms": pdf_ms}))
