from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import notifications, services
from accounts.forms import EmailPreferenceForm
from accounts.sessions import sessions_of
from pru_cases.access import record_reads

NOTIFICATIONS_PAGE_SIZE = 50


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """Everything one has been reminded of, unread first; each opens the page it is about."""
    unread_first = F("read_at").desc(nulls_first=True)
    mine = notifications.notifications_for(request.user).order_by(unread_first, "-created_at", "-pk")
    page = Paginator(mine, NOTIFICATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    # In the app an alert names its pupil, if the reader may still see them (the names are looked up now, through
    # the access policy: a lost allocation hides the name). The page groups the alerts by pupil.
    about = {row.pupil_ref for row in rows if row.pupil_ref}
    names = notifications.pupil_names(request.user, about)
    record_reads(request, pupil_ids=names)
    groups: dict[object, dict] = {}
    for row in rows:
        row.pupil_name = names.get(row.pupil_ref, "")
        row.access_lost = bool(row.pupil_ref) and not row.pupil_name
        if row.pupil_name:
            key, label = row.pupil_ref, row.pupil_name
        elif row.access_lost:
            key, label = "lost", "Pupils you no longer work with"
        else:
            key, label = "other", "Reminders and summaries"
        groups.setdefault(key, {"label": label, "rows": []})["rows"].append(row)
    return render(request, "accounts/notifications.html", {"page": page, "groups": list(groups.values())})


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go to its page, which checks access as usual (a lost allocation is a 404 there)."""
    notification = get_object_or_404(notifications.notifications_for(request.user), pk=pk)
    notifications.notification_mark_read(notification=notification, by=request.user)
    if request.POST.get("stay"):
        return redirect("notifications")
    if not url_has_allowed_host_and_scheme(notification.path, allowed_hosts=None):  # our paths only, never a host
        return redirect("notifications")
    return redirect(notification.path)


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications.notifications_mark_all_read(by=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications")


@require_http_methods(["GET", "POST"])
def my_settings(request: HttpRequest) -> HttpResponse:
    """Each person's own choices: for now, when reminder emails arrive."""
    if request.method == "GET":
        form = EmailPreferenceForm(initial={"email_preference": request.user.email_preference})
        return render(request, "accounts/my_settings.html", {"form": form})
    form = EmailPreferenceForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/my_settings.html", {"form": form}, status=400)
    notifications.email_preference_set(
        user=request.user, by=request.user, preference=form.cleaned_data["email_preference"]
    )
    messages.success(request, "Your settings are saved.")
    return redirect("my_settings")


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """Where one is signed in: each browser, its address, when it started and was last used."""
    sessions = sessions_of(request.user, current_key=request.session.session_key)
    return render(request, "accounts/sessions.html", {"sessions": sessions})


@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    """Sign out every other browser; this one stays signed in."""
    ended = services.user_sessions_end(user=request.user, keep=request.session.session_key)
    messages.success(request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("sessions")


@require_POST
def sessions_end_all(request: HttpRequest) -> HttpResponse:
    """Sign out everywhere, this browser included."""
    services.user_sessions_end(user=request.user)
    logout(request)
    messages.info(request, "You have been signed out everywhere.")
    return redirect("login")
