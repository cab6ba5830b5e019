"""What referrals adds to the home page (registered in `ReferralsConfig.ready()`): for whoever triages, the queue's
counts and its urgent referrals; for specialists and family workers, their caseload."""

from django.http import HttpRequest

from accounts.models import User
from pru_cases.access import Action, can
from pru_cases.lib.queries import CountOf
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
    open_interventions = interventions_visible_to(user).filter(specialist_id=user.pk, status=Intervention.Status.OPEN)
    to_start = referrals_visible_to(user).filter(allocated_to_id=user.pk, status=Referral.Status.ALLOCATED)
    # Both counts in one query, each worked out once by the database.
    return (
        User.objects.filter(pk=user.pk)
        .annotate(
            open=CountOf(open_interventions.order_by().values("pk")),
            to_start=CountOf(to_start.order_by().values("pk")),
        )
        .values("open", "to_start")
        .get()
    )


SECTIONS = (
    HomeSection(name="triage", template="referrals/_home_triage.html", build=triage, order=30),
    HomeSection(name="caseload", template="referrals/_home_caseload.html", build=caseload, order=60),
)
