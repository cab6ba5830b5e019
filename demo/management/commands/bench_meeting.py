"""Benchmark the meeting screen and the action-plan PDF (prints numbers; not a test).

    manage.py bench_meeting                # over whatever data is loaded (it adds pupils if fewer than --items)
    manage.py seed_demo --pupils 5000 && manage.py bench_meeting --items 60

Everything it creates is rolled back at the end, unless --keep is given.
"""

import datetime
import logging
import statistics
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Site, User
from meetings import services
from meetings.models import Action, AgendaItem, Invitee, Meeting, PdfJob
from pupils.models import Allocation, Pupil


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Print the meeting screen's server time and query count for a long agenda, and the median action-plan PDF time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=60, help="Agenda length (default 60).")
        parser.add_argument("--requests", type=int, default=10, help="Screen requests to time (default 10).")
        parser.add_argument("--pdfs", type=int, default=5, help="Action-plan PDFs to render (default 5).")
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark meeting instead of rolling back.")

    def handle(self, *args, items: int, requests: int, pdfs: int, keep: bool, **options) -> None:
        if items < 1 or requests < 1 or pdfs < 0:
            self.stderr.write("--items and --requests must be at least 1, and --pdfs zero or more.")
            raise SystemExit(2)
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        try:
            with transaction.atomic():
                self._run(items=items, requests=requests, pdfs=pdfs)
                if not keep:
                    raise Rollback
        except Rollback:
            self.stdout.write("Benchmark data rolled back.")

    def _run(self, *, items: int, requests: int, pdfs: int) -> None:
        today = timezone.localdate()
        chair = self._chair()
        pupils = self._pupils(items, today)
        guests = list(User.objects.filter(is_active=True, role=User.Role.SPECIALIST).select_related("agency")[:3])
        meeting = services.meeting_create(
            by=chair, kind=Meeting.Kind.MDT, title="Benchmark MDT", held_on=today, chair=chair, invite=guests
        )
        meeting.invitees.update(attendance=Invitee.Attendance.PRESENT)
        # Worst case for the screen: everyone present works with every pupil, so every case is shown in full.
        allocated = set(
            Allocation.objects.filter(pupil__in=pupils, user__in=guests, ended_on__isnull=True).values_list(
                "pupil_id", "user_id"
            )
        )
        Allocation.objects.bulk_create(
            Allocation(pupil=pupil, user=guest, created_by=chair, reason="Benchmark")
            for pupil in pupils
            for guest in guests
            if (pupil.pk, guest.pk) not in allocated
        )
        sources = services.agenda_sources(meeting=meeting)
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, pupil=pupil, position=n, reasons=sources.get(pupil.pk, []), added_by=chair)
            for n, pupil in enumerate(pupils, start=1)
        )
        url = reverse("meetings:screen", args=[meeting.pk])
        timings, counts, sql_time = [], [], []
        with override_settings(MFA_REQUIRED_ROLES=[], MFA_REQUIRED_FOR_EVERYONE=False, ALLOWED_HOSTS=["*"]):
            client = Client()
            client.force_login(chair)
            client.get(url, secure=True)  # warm the template cache
            for _ in range(requests):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url, secure=True)
                    timings.append(time.perf_counter() - started)
                counts.append(len(queries))
                sql_time.append(sum(float(q["time"]) for q in queries.captured_queries))
                if response.status_code != 200:
                    raise SystemExit(f"The meeting screen answered {response.status_code}.")
        self.stdout.write(
            f"Meeting screen, {len(pupils)} agenda items, {len(guests) + 1} people present, "
            f"{Pupil.objects.count()} pupils in the database:\n"
            f"  server time median {statistics.median(timings) * 1000:.1f} ms (min {min(timings) * 1000:.1f}, "
            f"max {max(timings) * 1000:.1f}) over {requests} requests\n"
            f"  of which SQL {statistics.median(sql_time) * 1000:.1f} ms\n"
            f"  queries per request: {counts[0]}{'' if len(set(counts)) == 1 else f' (varied: {sorted(set(counts))})'}"
        )
        if not pdfs:
            return
        tac = self._tac(chair, pupils[0], today)
        job = PdfJob(meeting=tac, kind=PdfJob.Kind.ACTION_PLAN, requested_by=chair)
        renders, size = [], 0
        for _ in range(pdfs):
            started = time.perf_counter()
            size = len(services.render_job_pdf(job).content)
            renders.append(time.perf_counter() - started)
        self.stdout.write(
            f"Action-plan PDF (one pupil, 8 actions): median {statistics.median(renders) * 1000:.0f} ms "
            f"over {pdfs} renders, {size / 1024:.0f} KiB"
        )

    def _chair(self) -> User:
        chair = User.objects.filter(is_active=True, role=User.Role.DSL).first()
        if chair is None:
            chair = User.objects.create(username="bench-dsl", first_name="Bench", last_name="Chair", role=User.Role.DSL)
        return chair

    def _pupils(self, count: int, today: datetime.date) -> list[Pupil]:
        pupils = list(Pupil.objects.filter(status=Pupil.Status.ACTIVE).order_by("pk")[:count])
        if len(pupils) < count:
            site = Site.objects.first() or Site.objects.create(name="Benchmark Centre", code="bench")
            for n in range(count - len(pupils)):
                pupils.append(
                    Pupil.objects.create(
                        first_name="Bench",
                        last_name=f"Pupil {n}",
                        date_of_birth=datetime.date(2011, 5, 1),
                        year_group=10,
                        site=site,
                        home_local_authority="Millbrook",
                        school_local_authority="Millbrook",
                        entry_date=today,
                        entry_route=Pupil.EntryRoute.OTHER,
                    )
                )
        return pupils

    def _tac(self, chair: User, pupil: Pupil, today: datetime.date) -> Meeting:
        tac = services.meeting_create(
            by=chair, kind=Meeting.Kind.TAC, title="Benchmark TAC", held_on=today, chair=chair, pupil=pupil
        )
        item = tac.items.get()
        for n in range(8):
            services.action_add(
                item=item,
                by=chair,
                description=f"Benchmark action {n}: a plain description of what will be done.",
                owner_kind=Action.Owner.FAMILY if n % 3 == 0 else Action.Owner.STAFF,
                owner_user=chair,
                owner_name="Parent",
                due_on=today + datetime.timedelta(days=7 * (n + 1)),
                success_criteria="What success looks like, in plain words.",
            )
        return tac
