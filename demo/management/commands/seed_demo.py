import argparse
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from demo import seed as demo
from outcomes.oversight_summary import oversight_refresh_all
from pupils.models import Pupil


class Command(BaseCommand):
    help = "Load a realistic, entirely fictional demo data set (2 centres, ~20 staff across agencies, pupils)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pupils", type=int, default=120, help="How many pupils to add (default 120).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if there are pupils already.")
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")
        parser.add_argument(
            "--volume",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"Add two years of bulk case history (default: from {demo.VOLUME_FROM} pupils).",
        )

    def handle(
        self, *args, pupils: int, seed: int, if_empty: bool, logins: bool, volume: bool | None, **options
    ) -> None:
        if logins:
            self._print_logins()
            return
        if pupils < 0:
            self.stderr.write("--pupils must be zero or more.")
            raise SystemExit(2)
        if if_empty and Pupil.objects.exists():
            self.stdout.write("Demo data already loaded; leaving it as it is.")
            return
        started = time.monotonic()
        summary = demo.seed(pupils=pupils, seed_value=seed, volume=volume)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {summary.pupils} pupils, {summary.staff} staff, {summary.sites} centres "
                f"in {time.monotonic() - started:.1f}s."
            )
        )
        counted = time.monotonic()
        oversight_refresh_all()  # the demo data bypasses the services, so count the oversight figures once now
        self.stdout.write(f"Oversight figures computed in {time.monotonic() - counted:.1f}s.")
        if summary.volume is not None:
            rows = ", ".join(f"{count:,} {name}" for name, count in summary.volume.items())
            capture = "skipped for the seed" if summary.history_skipped else "recorded (the role may not skip triggers)"
            self.stdout.write(f"Case history added: {rows}. Row history {capture}.")
            if not connection.in_atomic_block:  # VACUUM cannot run in a transaction
                vacuumed = time.monotonic()
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM (ANALYZE)")  # visibility map and statistics for the new rows
                self.stdout.write(f"Vacuumed and analysed in {time.monotonic() - vacuumed:.1f}s.")

    def _print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, role, who in demo.demo_logins():
            self.stdout.write(f"  {username:<14} {role:<30} {who}")
