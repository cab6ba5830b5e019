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
        # Counted when the person was loaded for this request (accounts.auth_backends); otherwise one COUNT on the
        # partial unread index, run only if the page shows the badge.
        "unread_notifications": user.unread_at_load
        if getattr(user, "unread_at_load", None) is not None
        else SimpleLazyObject(lambda: unread_count(user)),
    }
