"""Scoped querysets for referrals, interventions and information requests (shared by views, panels and the admin).

Everything starts from `pupils_visible_to(user)`: a specialist sees referrals only for pupils on their caseload, and
within those, the referrals for their own specialism, the ones they raised and the ones allocated to them.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Aggregate,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
)
from django.utils import timezone

from accounts.models import User
from pru_cases.access import readable_rows, without_restricted_rows
from pupils.selectors import in_pupil_scope
from referrals.models import InformationRequest, Intervention, Referral, Specialism

HANDS_ON_ROLES = (User.Role.SPECIALIST, User.Role.FAMILY_WORKER)


def specialisms_for(user: User) -> frozenset[str]:
    """The specialisms whose referrals `user` takes: a specialist's own (set on their account by whoever manages
    it), family work for family workers, none for anyone else."""
    if user.role == User.Role.FAMILY_WORKER:
        return frozenset({Specialism.FAMILY_WORKER})
    if user.role == User.Role.SPECIALIST and user.specialism:
        return frozenset({user.specialism})
    return frozenset()


def specialists_for(specialism: str) -> QuerySet[User]:
    """People who may be allocated a referral for `specialism`."""
    people = User.objects.filter(is_active=True).select_related("agency")
    if specialism == Specialism.FAMILY_WORKER:
        return people.filter(role=User.Role.FAMILY_WORKER)
    return people.filter(role=User.Role.SPECIALIST, specialism=specialism)


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    referrals = Referral.objects.filter(in_pupil_scope(user)).select_related(
        "pupil", "pupil__site", "raised_by", "allocated_to"
    )
    if user.is_authenticated and user.role in HANDS_ON_ROLES:
        referrals = referrals.filter(
            Q(specialism__in=specialisms_for(user)) | Q(raised_by_id=user.pk) | Q(allocated_to_id=user.pk)
        )
    # A referral to a health specialism is health detail, down to its existence (pru_cases.access.ROW_FIELD_GROUPS).
    return without_restricted_rows(user, referrals)


def interventions_visible_to(user: User) -> QuerySet[Intervention]:
    interventions = Intervention.objects.filter(in_pupil_scope(user)).select_related(
        "pupil", "pupil__site", "specialist", "specialist__agency", "referral"
    )
    if user.is_authenticated and user.role in HANDS_ON_ROLES:
        interventions = interventions.filter(Q(specialist_id=user.pk) | Q(specialism__in=specialisms_for(user)))
    return without_restricted_rows(user, interventions)


def information_requests_visible_to(user: User) -> QuerySet[InformationRequest]:
    """Every request about a visible pupil; `answer_readable` is False where the answer is health detail (a
    health or CAMHS agency's) and `user` may not read it. Templates show `answer` only where it is True."""
    return (
        InformationRequest.objects.filter(in_pupil_scope(user))
        .select_related("pupil", "agency", "asked_by")
        .annotate(answer_readable=readable_rows(user, "referrals.InformationRequest"))
    )


class Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _days_to_answer() -> Func:
    # date - date in Postgres is a whole number of days
    return Func(
        F("answered_on"), F("asked_on"), template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField()
    )


def agency_response_medians(requests: QuerySet[InformationRequest]) -> list[dict]:
    """Per agency: median days to answer, answered and waiting counts (one grouped query)."""
    rows = (
        requests.order_by()
        .values("agency_id", "agency__name")
        .annotate(
            median_days=Median(_days_to_answer()),  # unanswered rows have no answered_on: NULL, ignored
            answered=Count("pk", filter=Q(status=InformationRequest.Status.ANSWERED)),
            waiting=Count("pk", filter=Q(status=InformationRequest.Status.OPEN)),
            overdue=Count("pk", filter=Q(status=InformationRequest.Status.OPEN, due_by__lt=timezone.localdate())),
        )
        .order_by("agency__name")
    )
    return list(rows)


AGE_BANDS = ((0, 7, "Up to a week"), (8, 14, "1-2 weeks"), (15, 28, "2-4 weeks"), (29, None, "Over 4 weeks"))


def triage_counts(referrals: QuerySet[Referral]) -> dict:
    """Referrals waiting on someone, by state, and open referrals by age band: one grouped query.

    Only the states in `Referral.WAITING` are counted. The settled states (signposted, declined, closed) hold nine
    in ten referrals and grow for ever, and nobody triages them; the page links to them without a count (their
    lists count them). The query groups by `status` and counts `raised_at` in each age band, both columns of the
    `(status, raised_at)` index, within those few status values: for someone who sees every referral PostgreSQL
    answers from about a tenth of that index alone (an index-only scan) without reading the table. The age bands
    of the open states are added up here. (A `FILTER` per state instead of `GROUP BY` took six times as long: a
    text comparison per state for each of 10,000 rows.)
    """
    now = timezone.now()
    band_counts = {}
    for index, (low, high, _label) in enumerate(AGE_BANDS):
        condition = Q(raised_at__lte=now - datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(raised_at__gt=now - datetime.timedelta(days=high + 1))
        band_counts[f"band{index}"] = Count("raised_at", filter=condition)
    rows = (
        referrals.filter(status__in=Referral.WAITING)
        .order_by()
        .values("status")
        .annotate(n=Count("status"), **band_counts)
    )
    by_state = {row["status"]: row for row in rows}

    def count(value: str) -> int | None:
        if value not in Referral.WAITING:
            return None  # settled: not counted
        return by_state[value]["n"] if value in by_state else 0

    states = [(value, label, count(value)) for value, label in Referral.Status.choices]
    open_rows = [row for value, row in by_state.items() if value in Referral.OPEN]
    ages = [(label, sum(row[f"band{i}"] for row in open_rows)) for i, (_l, _h, label) in enumerate(AGE_BANDS)]
    return {"states": states, "ages": ages}
