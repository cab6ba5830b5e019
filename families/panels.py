"""What the families app adds to the pupil pages: a panel on the pupil page and badges on the pupil list."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import BooleanField, CharField, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from families.consent import decide, problem_message
from families.models import (
    AGENCY_KIND_CHOICES,
    ANY_AGENCY,
    Consent,
    FreshStartInterview,
    HouseholdPupil,
    ReintegrationPlan,
)
from families.selectors import fresh_start_days_overdue
from pru_cases.access import Action, can_for_pupil
from pupils.models import Pupil
from pupils.panels import row_sql

# Badge colours for the plan's state on the pupil list.
PLAN_BADGE = {
    ReintegrationPlan.Status.CONSIDERING: "secondary",
    ReintegrationPlan.Status.NOT_READY: "secondary",
    ReintegrationPlan.Status.PREFERENCES: "info",
    ReintegrationPlan.Status.SHORTLIST: "info",
    ReintegrationPlan.Status.PREFERENCE_SENT: "primary",
    ReintegrationPlan.Status.ALLOCATED: "success",
}


TEMPLATE = "families/_pupil_panel.html"  # drawn on the pupil page with pupil_panel's context


def pupil_related(user) -> tuple[str, ...]:
    """What the pupil page fetches with the pupil for this panel (one join each instead of one query each)."""
    return ("household_link__household", "fresh_start")


def _one(pupil: Pupil, name: str):
    """The pupil's one related row `name` (fetched with the pupil when the page asked for it), or None."""
    try:
        return getattr(pupil, name)
    except ObjectDoesNotExist:
        return None


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict:
    """Context for templates/families/_pupil_panel.html on the pupil page (pupil already access-checked)."""
    link: HouseholdPupil | None = _one(pupil, "household_link")
    household = link.household if link else None
    carers = list(household.carers.filter(is_active=True)) if household else []
    consents = list(Consent.objects.filter(pupil=pupil))
    # One line per agency kind with a decision on record: the decision in force for it.
    labels = dict(AGENCY_KIND_CHOICES)
    today = timezone.localdate()
    consent_lines = []
    for kind in sorted({row.agency_kind for row in consents}, key=lambda k: (k != ANY_AGENCY, str(labels.get(k, k)))):
        if kind == ANY_AGENCY:
            rows = [row for row in consents if row.agency_kind == ANY_AGENCY]
        else:
            rows = consents
        row = decide(rows, kind=kind, today=today)
        if row is not None:
            consent_lines.append({"label": labels.get(kind, kind), "row": row})
    # Staff of an outside agency see at once when the family has said no to sharing with their agency.
    agency = request.user.agency
    own_agency_problem = None
    if agency is not None and agency.kind != agency.Kind.PRU:
        own_agency_problem = problem_message(decide(consents, kind=agency.kind, today=today), agency.kind)
    plan = (
        ReintegrationPlan.objects.select_related("allocated_school")
        .filter(pupil=pupil)
        .order_by("-started_on", "-pk")
        .first()
    )
    interview = _one(pupil, "fresh_start")
    return {
        "families_household": household,
        "families_carers": carers,
        "families_consents": consent_lines,
        "families_interview": interview,
        "families_interview_days_overdue": fresh_start_days_overdue(pupil, interview, on=today),
        "families_interview_flag_days": settings.FRESH_START_FLAG_DAYS,
        "families_plan": plan,
        "families_can_edit": can_for_pupil(request.user, Action.EDIT_FAMILY, pupil),
        "families_own_agency_problem": own_agency_problem,
    }


def annotate_pupil_list(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """Annotations read by `pupil_list_badges`, one subquery each for the page: when the pupil's Fresh Start
    interview was held (if it was; `fresh_start_missing` says what that means for the badge) and the status of the
    latest open reintegration plan (its label and colour are worked out from the status)."""
    today = timezone.localdate()
    return pupils.annotate(
        fresh_start_held=row_sql(
            "SELECT EXISTS (SELECT 1 FROM {interview} i WHERE i.pupil_id = {pupil_id} AND i.held_on <= %s)",
            (today,),
            tables={"interview": FreshStartInterview},
            output_field=BooleanField(),
        ),
        reintegration_status=row_sql(
            "SELECT r.status FROM {plan} r WHERE r.pupil_id = {pupil_id} AND r.status = ANY(%s)"
            " ORDER BY r.started_on DESC, r.id DESC LIMIT 1",
            ([str(status) for status in ReintegrationPlan.OPEN_STATUSES],),
            tables={"plan": ReintegrationPlan},
            output_field=CharField(),
        ),
    )


def pupil_list_badges(pupil: Pupil) -> list[dict]:
    """The badges on the pupil's row of the list, from `annotate_pupil_list`'s annotations."""
    badges = []
    if not pupil.fresh_start_held and fresh_start_days_overdue(pupil, None, on=timezone.localdate()) is not None:
        days = settings.FRESH_START_FLAG_DAYS
        title = f"No Fresh Start interview held within {days} days of entry"
        badges.append({"colour": "warning", "title": title, "text": "No Fresh Start interview"})
    if pupil.reintegration_status:
        label = ReintegrationPlan.Status(pupil.reintegration_status).label
        colour = PLAN_BADGE.get(pupil.reintegration_status, "secondary")
        badges.append({"colour": colour, "title": "Reintegration plan", "text": f"Reintegration: {label.lower()}"})
    return badges
