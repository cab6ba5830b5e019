"""What the concern log adds to the home page (registered in `ConcernsConfig.ready()`): for the DSL, the open
safeguarding concerns with their age, escalations without an outcome, and the pupils at the pattern of concerns."""

import datetime

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

from concerns.models import Concern
from concerns.selectors import open_escalations, pattern_window_start, pupils_at_pattern, safeguarding_queue
from pru_cases.access import Action, can
from pru_cases.lib.queries import CountOf
from pupils.home import HomeSection
from pupils.models import Pupil
from pupils.selectors import pupils_visible_to

SHOWN = 10
# An open safeguarding concern older than this is marked on the DSL's home page.
STALE_AFTER = datetime.timedelta(hours=24)


def open_safeguarding(request: HttpRequest) -> dict | None:
    user = request.user
    if not can(user, Action.REVIEW_SAFEGUARDING):
        return None
    queue = safeguarding_queue(user).order_by("logged_at", "pk")
    # The count comes with the page of rows, in one query.
    rows = list(queue.annotate(total=CountOf(queue.order_by().values("pk")))[:SHOWN])
    stale_before = timezone.now() - STALE_AFTER
    for row in rows:
        row.stale = row.logged_at < stale_before
    return {"concerns": rows, "total": rows[0].total if rows else 0, "pupil_ids": [row.pupil_id for row in rows]}


def at_the_pattern(request: HttpRequest) -> dict | None:
    user = request.user
    if not can(user, Action.REVIEW_SAFEGUARDING):
        return None
    recent = (
        Concern.objects.filter(pupil_id=OuterRef("pk"), occurred_at__gte=pattern_window_start())
        .exclude(status=Concern.Status.WITHDRAWN)
        .order_by()
        .values("pupil_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pupils = list(
        pupils_visible_to(user)
        .filter(pk__in=pupils_at_pattern(), status=Pupil.Status.ACTIVE)
        .annotate(recent=Subquery(recent[:1], output_field=IntegerField()))
        .only("first_name", "preferred_name", "last_name")
        .order_by("-recent", "last_name", "pk")[:SHOWN]
    )
    return {
        "pupils": pupils,
        "days": settings.CONCERN_PATTERN_DAYS,
        "count": settings.CONCERN_PATTERN_COUNT,
        "pupil_ids": [pupil.pk for pupil in pupils],
    }


def escalations_without_outcome(request: HttpRequest) -> dict | None:
    """For the DSL: open escalations outside the PRU, the earliest due first (the count with the rows). A senior
    leader sees the ones they own."""
    user = request.user
    if not can(user, Action.MANAGE_ESCALATION):
        return None
    queue = open_escalations(user)
    if not can(user, Action.REVIEW_SAFEGUARDING):
        queue = queue.filter(owner=user)
    rows = list(queue.annotate(total=CountOf(queue.order_by().values("pk")))[:SHOWN])
    return {"escalations": rows, "total": rows[0].total if rows else 0, "pupil_ids": [row.pupil_id for row in rows]}


SECTIONS = (
    HomeSection(name="safeguarding", template="concerns/_home_safeguarding.html", build=open_safeguarding, order=10),
    HomeSection(name="pattern", template="concerns/_home_pattern.html", build=at_the_pattern, order=20),
    HomeSection(
        name="escalations", template="concerns/_home_escalations.html", build=escalations_without_outcome, order=15
    ),
)
