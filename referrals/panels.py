"""What the referrals app adds to the pupil pages: a panel on the pupil page and badges on the pupil list."""

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from concerns.models import Concern
from concerns.selectors import annotate_recent_concern_count, is_pattern, recent_concerns
from pru_cases.access import Action, can, can_for_pupil, restricted_rows
from pupils.models import Pupil
from referrals.models import InformationRequest, Intervention, Referral
from referrals.selectors import information_requests_visible_to, interventions_visible_to, referrals_visible_to

RECENT = 5
HISTORY = 10  # settled referrals and answered requests shown, latest first; the rest are counted


TEMPLATE = "referrals/_pupil_panel.html"  # drawn on the pupil page with pupil_panel's context


def pupil_related(user) -> tuple[str, ...]:
    """What the pupil page fetches with the pupil for this panel: nothing (its rows are lists)."""
    return ()


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict:
    """Context for templates/referrals/_pupil_panel.html on the pupil page (pupil already access-checked)."""
    user = request.user
    # The five latest concerns, each carrying the count in the pattern window (one query for both).
    in_window = recent_concerns(pupil.pk).order_by().values("pupil_id").annotate(n=Count("pk")).values("n")
    concerns = list(
        Concern.objects.filter(pupil=pupil)
        .select_related("logged_by")
        .annotate(_recent_count=Coalesce(Subquery(in_window, output_field=IntegerField()), 0))[:RECENT]
    )
    recent_count = concerns[0]._recent_count if concerns else 0
    # Someone who may not read health detail learns only that a health service has been asked to help.
    held_back = Q(pk__in=[])
    for rule in restricted_rows(user, "referrals.Referral"):
        held_back |= rule.rows
    health_referrals = Referral.objects.filter(held_back, pupil=pupil).aggregate(
        open=Count("pk", filter=Q(status__in=Referral.OPEN)), earlier=Count("pk", filter=~Q(status__in=Referral.OPEN))
    )
    # The pupil is known: only the people the panel names are fetched with each row.
    referrals, earlier_referrals = _latest_of_each(
        referrals_visible_to(user).filter(pupil=pupil).select_related(None).select_related("allocated_to"),
        waiting=Q(status__in=Referral.OPEN),
        order=("-raised_at", "-pk"),
    )
    requests: list[InformationRequest] = []
    earlier_requests = 0
    if can(user, Action.REQUEST_INFORMATION):  # the roles that have the information request list
        requests, earlier_requests = _latest_of_each(
            information_requests_visible_to(user)
            .filter(pupil=pupil, status__in=(InformationRequest.Status.OPEN, InformationRequest.Status.ANSWERED))
            .select_related(None)
            .select_related("agency"),
            waiting=Q(status=InformationRequest.Status.OPEN),
            order=("-asked_on", "-pk"),
        )
    return {
        "ref_concerns": concerns,
        "ref_recent_count": recent_count,
        "ref_pattern": is_pattern(recent_count),
        "ref_pattern_days": settings.CONCERN_PATTERN_DAYS,
        "ref_open_referrals": [row for row in referrals if row.waiting],
        "ref_past_referrals": [row for row in referrals if not row.waiting],
        "ref_past_referrals_earlier": earlier_referrals,
        "ref_requests_shown": can(user, Action.REQUEST_INFORMATION),
        "ref_open_requests": [row for row in requests if row.waiting],
        "ref_answered_requests": [row for row in requests if not row.waiting],
        "ref_answered_requests_earlier": earlier_requests,
        "ref_interventions": list(
            interventions_visible_to(user)
            .filter(pupil=pupil, status=Intervention.Status.OPEN)
            .select_related(None)
            .select_related("specialist")
        ),
        "ref_health_referrals_held_back": health_referrals["open"],
        "ref_health_referrals_earlier_held_back": health_referrals["earlier"],
        "ref_can_log": can(user, Action.LOG_CONCERN),
        "ref_can_refer": can_for_pupil(user, Action.RAISE_REFERRAL, pupil),
        "ref_can_request": can_for_pupil(user, Action.REQUEST_INFORMATION, pupil),
    }


FETCHED = 40  # rows asked for at once: every waiting row and the latest HISTORY settled ones, in all but odd cases


def _latest_of_each(rows: QuerySet, *, waiting: Q, order: tuple[str, ...]) -> tuple[list, int]:
    """Every waiting row, then the latest HISTORY of the rest; and how many of the rest were left out.

    One plain query for nearly every pupil (the busiest pupil of the 20,000-pupil demo has 9 referrals): the rows come
    waiting first, FETCHED at a time, and a shorter answer holds them all. Only a longer history asks again: for
    every row when more than FETCHED are waiting, or else for the number of settled ones. Each row carries
    `waiting`."""
    kind = Case(When(waiting, then=Value(True)), default=Value(False), output_field=BooleanField())
    annotated = rows.annotate(waiting=kind).order_by("-waiting", *order)
    fetched = list(annotated[:FETCHED])
    complete = len(fetched) < FETCHED
    if not complete and fetched[-1].waiting:
        fetched, complete = list(annotated), True
    settled = [row for row in fetched if not row.waiting]
    settled_total = len(settled) if complete else rows.exclude(waiting).count()
    shown = settled[:HISTORY]
    return [row for row in fetched if row.waiting] + shown, settled_total - len(shown)


def annotate_pupil_list(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """`recent_concern_count` for `pupil_list_badges`: one subquery for the page."""
    return annotate_recent_concern_count(pupils)


def pupil_list_badges(pupil: Pupil) -> list[dict]:
    """The badges on the pupil's row of the list, from `annotate_pupil_list`'s annotations."""
    if not is_pattern(pupil.recent_concern_count):
        return []
    return [{"colour": "warning", "text": f"Pattern: {pupil.recent_concern_count} concerns"}]
