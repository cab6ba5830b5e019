"""Picks the pages the load benchmark drives, measures each in-process, and prints the plan as JSON.

Used by scripts/bench.py; run on its own to see server time and query count per page:
    manage.py bench_plan --user dsl
"""

import json
import statistics
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from pupils.models import Pupil


def _pupil_search() -> str:
    common = Pupil.objects.values("last_name").annotate(n=Count("pk")).order_by("-n").first()
    return reverse("pupils:list") + f"?q={(common or {'last_name': 'a'})['last_name'][:3]}"


def _pupil_detail() -> str:
    pupil = Pupil.objects.filter(status=Pupil.Status.ACTIVE).order_by("pk")[Pupil.objects.count() // 2]
    return reverse("pupils:detail", args=[pupil.pk])


def _optional(name: str, *args) -> Callable[[], str]:
    def resolve() -> str:
        return reverse(name, args=args)

    return resolve


# name, how to find the URL; pages whose URL does not resolve are reported as missing.
PAGES: list[tuple[str, Callable[[], str]]] = [
    ("baseline (trivial template)", _optional("ping")),
    ("pupil list with search", _pupil_search),
    ("pupil page", _pupil_detail),
    ("triage queue", _optional("referrals:triage_queue")),
    ("oversight dashboard", _optional("oversight:dashboard")),
]


class Command(BaseCommand):
    help = "Measure each benchmark page in-process (server time, queries) and print the plan as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="dsl")
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--extra", action="append", default=[], help="name=path of another page to include")

    def handle(self, *args, user: str, runs: int, extra: list[str], **options) -> None:
        person = User.objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"No user {user!r}: load the demo data first (manage.py seed_demo).")
        client = Client(SERVER_NAME="127.0.0.1")  # an allowed host in every configuration
        client.force_login(person)
        pages, missing = [], []
        plan = list(PAGES) + [(item.split("=", 1)[0], (lambda p=item.split("=", 1)[1]: p)) for item in extra]
        for name, resolve in plan:
            try:
                path = resolve()
            except NoReverseMatch:
                missing.append(name)
                continue
            timings, queries = [], 0
            for _ in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{name}: {path} answered {response.status_code}, not 200.")
                queries = len(captured)
            pages.append(
                {"name": name, "path": path, "server_ms": round(statistics.median(timings), 2), "queries": queries}
            )
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        self.stdout.write(json.dumps({"cookie": cookie, "pages": pages, "missing": missing}))
