from django.http import HttpRequest

from pru_cases.access import Action, can


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_admin": user.is_leader,
        "nav_can_create_pupil": can(user, Action.CREATE_PUPIL),
    }
