from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.notifications import unread_count
from pru_cases.access import Action, can


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_admin": can(user, Action.USE_ADMIN),
        "nav_can_create_pupil": can(user, Action.CREATE_PUPIL),
        "nav_escalations": can(user, Action.MANAGE_ESCALATION),
        # One COUNT on the partial unread index, run only if the page shows the badge.
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
    }
