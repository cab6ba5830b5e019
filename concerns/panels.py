"""What the concerns app adds to the pupil page: escalations outside the PRU and statutory meetings, shown only to
the roles that may see child-protection detail (the DSL and senior leaders). Nothing on the pupil list."""

from django.db.models import QuerySet
from django.http import HttpRequest

from concerns.selectors import escalations_visible_to, statutory_meetings_visible_to
from pru_cases.access import Action, can, can_for_pupil
from pupils.models import Pupil

TEMPLATE = "concerns/_pupil_panel.html"  # drawn on the pupil page with pupil_panel's context
RECENT_MEETINGS = 5


def pupil_related(user) -> tuple[str, ...]:
    """What the pupil page fetches with the pupil for this panel: nothing (its rows are lists)."""
    return ()


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict:
    """Context for templates/concerns/_pupil_panel.html (pupil already access-checked). For anyone else no query runs
    and the panel is not drawn, so that the page does not say whether there are any."""
    user = request.user
    if not (can(user, Action.MANAGE_ESCALATION) or can(user, Action.RECORD_STATUTORY_MEETING)):
        return {"cp_shown": False}
    escalations = list(escalations_visible_to(user).filter(pupil=pupil).select_related(None).select_related("owner"))
    meetings = list(statutory_meetings_visible_to(user).filter(pupil=pupil).select_related(None)[:RECENT_MEETINGS])
    return {
        "cp_shown": True,
        "cp_escalations": escalations,
        "cp_meetings": meetings,
        "cp_can_escalate": can_for_pupil(user, Action.MANAGE_ESCALATION, pupil),
        "cp_can_record_meeting": can_for_pupil(user, Action.RECORD_STATUTORY_MEETING, pupil),
    }


def annotate_pupil_list(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    return pupils


def pupil_list_badges(pupil: Pupil) -> list[dict]:
    return []
