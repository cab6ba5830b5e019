"""What referrals adds to the home page (registered in `ReferralsConfig.ready()`): for whoever triages, the queue's
counts and its urgent referrals; for specialists and family workers, their caseload."""

from django.db.models import Count, Q
from django.http import HttpRequest

from pru_cases.access import Action, can
from pupils.home import HomeSection
from referrals.models import Intervention, Referral
from referrals.selectors import HANDS_ON_ROLES, interventions_visible_to, referrals_visible_to, triage_counts

URGENT_SHOWN = 5


def triage(request: HttpRequest) -> dict | None:
    user = request.user
    if not can(user, Action.TRIAGE_REFERRAL):
        return None
    scoped = referrals_visible_to(user)
    urgent = list(
        scoped.filter(status=Referral.Status.SUBMITTED, urgency=Referral.Urgency.URGENT)
        .select_related(None)
        .select_related("pupil")
        .only("pk", "specialism", "raised_at", "pupil__first_name", "pupil__preferred_name", "pupil__last_name")
        .order_by("raised_at", "pk")[:URGENT_SHOWN]
    )
    counts = triage_counts(scoped)
    waiting = [(label, n) for value, label, n in counts["states"] if n]
    return {"waiting": waiting, "urgent": urgent, "pupil_ids": [referral.pupil_id for referral in urgent]}


def caseload(request: HttpRequest) -> dict | None:
    user = request.user
    if user.role not in HANDS_ON_ROLES:
        return None
    figures = interventions_visible_to(user).filter(specialist_id=user.pk).aggregate(
        open=Count("pk", filter=Q(status=Intervention.Status.OPEN)),
    ) | referrals_visible_to(user).filter(allocated_to_id=user.pk).aggregate(
        to_start=Count("pk", filter=Q(status=Referral.Status.ALLOCATED)),
    )
    return figures


SECTIONS = (
    HomeSection(name="triage", template="referrals/_home_triage.html", build=triage, order=30),
    HomeSection(name="caseload", template="referrals/_home_caseload.html", build=caseload, order=60),
)
