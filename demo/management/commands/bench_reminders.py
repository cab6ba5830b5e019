"""Benchmark the reminder pass over many open actions (prints numbers; not a test).

    manage.py bench_reminders --actions 100000

It adds the pupils, plans, owners and actions it needs with set-based inserts, runs the whole reminder pass
twice (the second must create nothing) and rolls everything back, unless --keep is given. No email is sent:
the rows are rolled back before any commit could enqueue one.
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from accounts import notifications
from accounts.models import Notification, Site, User
from meetings.models import ActionPlan
from pupils.models import Pupil

PUPILS_PER_1000_ACTIONS = 10
OWNERS = 200
BATCH = 10_000


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the reminder pass over N open actions; a second pass must add nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actions", type=int, default=100_000, help="Open actions to create (default 100000).")
        parser.add_argument(
            "--keep", action="store_true", help="Keep the data and notifications instead of rolling back."
        )

    def handle(self, *args, actions: int, keep: bool, **options) -> None:
        if actions < 1:
            self.stderr.write("--actions must be at least 1.")
            raise SystemExit(2)
        try:
            with transaction.atomic():
                self._run(actions)
                if not keep:
                    raise Rollback
        except Rollback:
            self.stdout.write("Benchmark data rolled back.")

    def _run(self, actions: int) -> None:
        today = timezone.localdate()
        started = time.perf_counter()
        plan_ids, owner_ids = self._plans_and_owners(max(1, actions * PUPILS_PER_1000_ACTIONS // 1000), today)
        self._actions(actions, plan_ids, owner_ids, today)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE meetings_action")
        self.stdout.write(
            f"Created {actions} open actions over {len(plan_ids)} plans in {time.perf_counter() - started:.1f} s."
        )

        before = Notification.objects.count()
        for label in ("First pass", "Second pass"):
            started = time.perf_counter()
            created = notifications.reminders_run(today=today)
            seconds = time.perf_counter() - started
            detail = ", ".join(f"{kind} {count}" for kind, count in created.items() if count)
            self.stdout.write(
                f"{label}: {sum(created.values())} new notifications in {seconds:.2f} s ({detail or 'none'})."
            )
        self.stdout.write(f"Notification rows added: {Notification.objects.count() - before}.")

    def _plans_and_owners(self, pupils: int, today: datetime.date) -> tuple[list[int], list[int]]:
        site, _ = Site.objects.get_or_create(code="BENCH", defaults={"name": "Benchmark centre"})
        stamp = timezone.now().strftime("%H%M%S")
        owners = User.objects.bulk_create(
            User(
                username=f"bench-{stamp}-{n}",
                first_name="Bench",
                last_name=f"Owner {n}",
                role=User.Role.STAFF,
                site=site,
            )
            for n in range(OWNERS)
        )
        created = Pupil.objects.bulk_create(
            Pupil(
                first_name="Bench",
                last_name=f"Pupil {n}",
                date_of_birth=datetime.date(2012, 1, 1),
                year_group=9,
                site=site,
                home_local_authority="Bench",
                school_local_authority="Bench",
                entry_date=today - datetime.timedelta(days=200),
                entry_route=Pupil.EntryRoute.PERMANENT_EXCLUSION,
            )
            for n in range(pupils)
        )
        plans = ActionPlan.objects.bulk_create(
            ActionPlan(pupil=pupil, created_by=owners[0], review_on=today + datetime.timedelta(days=n % 30))
            for n, pupil in enumerate(created)
        )
        return [plan.pk for plan in plans], [owner.pk for owner in owners]

    def _actions(self, count: int, plan_ids: list[int], owner_ids: list[int], today: datetime.date) -> None:
        """Due dates spread from 60 days ago to 60 days ahead, so some are overdue, some due soon, most neither."""
        with connection.cursor() as cursor:
            # Check foreign keys as rows go in rather than queueing 100,000s of checks to a commit that never
            # comes (the data is rolled back); this also puts the passes' own checks inside their timings.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for first in range(1, count + 1, BATCH):
            self._action_batch(first, count, plan_ids, owner_ids, today)

    def _action_batch(
        self, first: int, count: int, plan_ids: list[int], owner_ids: list[int], today: datetime.date
    ) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH ids AS (SELECT %(plans)s::bigint[] AS plans, %(owners)s::bigint[] AS owners)
                INSERT INTO meetings_action
                    (plan_id, description, owner_kind, owner_user_id, owner_name, due_on, success_criteria,
                     status, dropped_reason, created_by_id, created_at, version)
                SELECT ids.plans[1 + n %% cardinality(ids.plans)], 'Benchmark action', 'staff',
                       ids.owners[1 + n %% cardinality(ids.owners)], '',
                       %(today)s::date + (n %% 121 - 60), 'Done', 'open', '',
                       ids.owners[1], now(), 1
                FROM generate_series(%(first)s, %(last)s) AS n, ids
                """,
                {
                    "plans": plan_ids,
                    "owners": owner_ids,
                    "today": today,
                    "first": first,
                    "last": min(count, first + BATCH - 1),
                },
            )
