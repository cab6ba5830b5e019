from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control

from pru_cases import security
from pru_cases.lib.ids import is_storable_id
from pru_cases.lib.uploads import UPLOAD_REFUSED, size_text


class NoStoreMiddleware:
    """Pages shown to a signed-in user hold case data: never let a browser or proxy keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class PermissionsPolicyMiddleware:
    """Switches off every browser feature the app never uses (camera, microphone, location, payment...) on every
    response, so a script that slipped in could not reach them. Passkeys (WebAuthn) stay allowed for our own pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request body over REQUEST_MAX_BYTES from its Content-Length, before a byte of it is read, and
    reads a multipart form here, through the upload handlers, so that a file over FILE_UPLOAD_MAX_BYTES (stopped
    by SizeLimitUploadHandler while it streams in) gets a 413 that says so instead of a form missing its file."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            return self._too_large(request, f"The form sent was larger than {size_text(settings.REQUEST_MAX_BYTES)}.")
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018 (parsed here, so the upload limit is known before any view runs)
            except MultiPartParserError:
                return render(request, "400.html", status=400)
            if getattr(request, UPLOAD_REFUSED, False):
                return self._too_large(
                    request,
                    f"The file is larger than {size_text(settings.FILE_UPLOAD_MAX_BYTES)}: "
                    "split it into smaller files or ask for a smaller export.",
                )
        return self.get_response(request)

    @staticmethod
    def _too_large(request: HttpRequest, message: str) -> HttpResponse:
        return render(request, "413.html", {"message": message}, status=413)


class IdRangeMiddleware:
    """A whole number in the URL (`<int:pk>`, in our routes and third-party ones alike) beyond the bigint range
    names no record: 404 before the view runs, so nothing tries to look it up or write it to the access log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and not is_storable_id(value):
                raise Http404("No such record.")


class MethodNotAllowedPageMiddleware:
    """Django answers a GET to a form-only address with an empty 405; a person who follows such a link gets a page
    saying what happened instead (same status, same Allow header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.headers.get("HX-Request") == "true":
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page


def _to_login(request: HttpRequest, message: str) -> HttpResponse:
    login_url = reverse("login")
    if request.headers.get("HX-Request") == "true":
        # An htmx request would swap the login page into a fragment: ask htmx to load it as a page instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login_url
        return response
    messages.info(request, message)
    return redirect(login_url)


class SessionPolicyMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT without activity, or SESSION_ABSOLUTE_LIFETIME after sign-in.

    Background requests (the X-Background header, sent by polling elements) are checked but never count
    as activity, so a page left open on a shared computer still signs itself out. A disabled account
    (is_active=False) has no session at all: Django's backend no longer loads it, so the request is anonymous.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now()
            reason = security.session_expiry_reason(request.session, now)
            if reason is not None:
                logout(request)
                if reason == "idle":
                    message = "You were signed out after a period of inactivity. Please sign in again."
                else:
                    message = "Your session reached its maximum length. Please sign in again."
                return _to_login(request, message)
            if not security.is_background_request(request):
                security.session_touch(request.session, now)
        return self.get_response(request)


# Pages a person who must set up a second factor may still reach: the set-up pages themselves,
# re-entering the password they ask for, and signing out.
MFA_SETUP_ALLOWED = frozenset(
    {
        "logout",
        "account_logout",
        "account_reauthenticate",
        "mfa_reauthenticate",
    }
)


class MfaRequiredMiddleware:
    """Sends everyone (or, with MFA_REQUIRED_FOR_EVERYONE=False, only the MFA_REQUIRED_ROLES) to set up a second
    factor before any other page. Signing in with the factor is allauth's own login stage."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and security.mfa_required_for(user)
            and not security.had_second_factor_at_load(user)
            and not self._allowed(request)
        ):
            if request.headers.get("HX-Request") == "true":
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("mfa_index")
                return response
            messages.warning(
                request,
                "Your role needs two-factor authentication. Set it up to continue.",
            )
            return redirect("mfa_index")
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        name = match.url_name or ""
        return name in MFA_SETUP_ALLOWED or name.startswith("mfa_")
