"""What the concern log adds to the home page (registered in `ConcernsConfig.ready()`): for the DSL, the open
safeguarding concerns with their age, escalations without an outcome, and the pupils at the pattern of concerns."""

import datetime

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.utils import timezone

from concerns.selectors import open_escalations, pattern_counts, safeguarding_queue
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
    # The count comes with the page of rows, in one query; of each row, only what the section shows.
    rows = list(
        queue.annotate(total=CountOf(queue.order_by().values("pk")))
        .select_related(None)
        .select_related("pupil")
        .only("pupil_id", "logged_at", "pupil__first_name", "pupil__preferred_name", "pupil__last_name")[:SHOWN]
    )
    stale_before = timezone.now() - STALE_AFTER
    for row in rows:
        row.stale = row.logged_at < stale_before
    return {"concerns": rows, "total": rows[0].total if rows else 0, "pupil_ids": [row.pupil_id for row in rows]}


def at_the_pattern(request: HttpRequest) -> dict | None:
    """The pupils with the most concerns in the pattern window, the most recent first among equals. The counts are
    ranked from the concerns alone and only the top of the ranking is looked up (widened if archived or unseen
    pupils leave it short), so the page never reads the whole roll, however many pupils are at the pattern."""
    user = request.user
    if not can(user, Action.REVIEW_SAFEGUARDING):
        return None
    order = [F("n").desc(), F("latest").desc(), F("pupil_id")]
    ranked = pattern_counts().annotate(place=Window(RowNumber(), order_by=order))
    depth = SHOWN
    while True:
        top = {
            row["pupil_id"]: row for row in ranked.filter(place__lte=depth).values("pupil_id", "n", "latest", "place")
        }
        pupils = list(
            pupils_visible_to(user)
            .filter(pk__in=list(top), status=Pupil.Status.ACTIVE)
            .only("first_name", "preferred_name", "last_name")
        )
        if len(pupils) >= SHOWN or len(top) < depth:  # enough, or every pupil at the pattern is in `top`
            break
        depth *= 4
    for pupil in pupils:
        pupil.recent = top[pupil.pk]["n"]
    pupils = sorted(pupils, key=lambda pupil: top[pupil.pk]["place"])[:SHOWN]
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
