"""What the meetings app adds to the pupil pages: the action plan panel and an overdue-actions badge."""

from django.db.models import IntegerField, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from meetings.models import Action, ActionPlan
from meetings.selectors import meetings_visible_to
from pru_cases.access import Action as Perm
from pru_cases.access import can
from pupils.models import Pupil
from pupils.panels import row_sql

RECENT = 5
ACTION_FIELDS = (
    "description",
    "status",
    "due_on",
    "owner_kind",
    "owner_name",
    "owner_user__first_name",
    "owner_user__last_name",
    "owner_user__username",
    "owner_agency__name",
)


TEMPLATE = "meetings/_pupil_panel.html"  # drawn on the pupil page with pupil_panel's context


def pupil_related(user) -> tuple[str, ...]:
    """What the pupil page fetches with the pupil for this panel: nothing (its rows are lists)."""
    return ()


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict:
    """Context for templates/meetings/_pupil_panel.html on the pupil page (pupil already access-checked)."""
    # Of each action and meeting, only what the panel shows (an owner is named by `Action.owner_label`).
    actions = list(
        Action.objects.filter(plan__pupil=pupil, status=Action.Status.OPEN)
        .select_related("owner_user", "owner_agency")
        .only(*ACTION_FIELDS)
    )
    meetings = meetings_visible_to(request.user).filter(pupil=pupil).select_related(None)
    return {
        "mt_actions": actions,
        "mt_overdue": sum(1 for action in actions if action.is_overdue),
        "mt_meetings": list(meetings.only("held_on", "status")[:RECENT]),
        "mt_can_schedule": can(request.user, Perm.SCHEDULE_MEETING),
    }


def annotate_pupil_list(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """`overdue_action_count` for `pupil_list_badges`: one subquery for the page."""
    overdue = row_sql(
        "SELECT count(*) FROM {action} a JOIN {plan} p ON p.id = a.plan_id"
        " WHERE p.pupil_id = {pupil_id} AND a.status = %s AND a.due_on < %s",
        (Action.Status.OPEN, timezone.localdate()),
        tables={"action": Action, "plan": ActionPlan},
        output_field=IntegerField(),
    )
    return pupils.annotate(overdue_action_count=overdue)


def pupil_list_badges(pupil: Pupil) -> list[dict]:
    """The badges on the pupil's row of the list, from `annotate_pupil_list`'s annotations."""
    count = pupil.overdue_action_count
    if not count:
        return []
    text = f"{count} overdue action{'' if count == 1 else 's'}"
    return [{"colour": "danger", "title": "Overdue actions", "text": text}]
