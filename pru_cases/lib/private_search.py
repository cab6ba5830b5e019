"""Search boxes that may hold a child's name or UPN: the term travels in a POST body, never in a URL.

A list page's filter form is POSTed (so it is CSRF-protected). `search_redirect` keeps the private
terms in the session, under the page's URL name, and redirects with a 303, so Back never re-posts,
to the list with only the harmless filters (statuses, dates, ids) in the query string. The list
reads its filters with `search_data`. A private term that arrives in a query string anyway is
ignored, so it is never echoed into pagination links or logged by a proxy twice. Signing out
flushes the session, and the terms with it.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.views.decorators.http import require_http_methods

PRIVATE_TERMS = ("q",)
SESSION_KEY = "private_search"
MAX_TERM = 80
MAX_PUBLIC_VALUE = 200
_NOT_FILTERS = ("csrfmiddlewaretoken", "page", "clear")


def _key(request: HttpRequest) -> str:
    return request.resolver_match.view_name if request.resolver_match else request.path


def search_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """Keep the POSTed private terms in the session and send the browser to the list's clean URL."""
    saved = dict(request.session.get(SESSION_KEY, {}))
    key = _key(request)
    public = QueryDict(mutable=True)
    terms = {name: request.POST.get(name, "").strip()[:MAX_TERM] for name in PRIVATE_TERMS}
    terms = {name: term for name, term in terms.items() if term}
    if terms and "clear" not in request.POST:
        saved[key] = terms
    else:
        saved.pop(key, None)
    if "clear" not in request.POST:
        for name, values in request.POST.lists():
            if name in PRIVATE_TERMS or name in _NOT_FILTERS:
                continue
            kept = [value[:MAX_PUBLIC_VALUE] for value in values if value.strip()]
            if kept:
                public.setlist(name[:MAX_PUBLIC_VALUE], kept)
    request.session[SESSION_KEY] = saved
    return HttpResponseRedirect(request.path + (f"?{public.urlencode()}" if public else ""), status=303)


def search_data(request: HttpRequest) -> QueryDict:
    """The list's filters: the query string without private terms, plus the terms kept in the session."""
    data = request.GET.copy()
    for name in PRIVATE_TERMS:
        data.pop(name, None)
    for name, term in request.session.get(SESSION_KEY, {}).get(_key(request), {}).items():
        data[name] = term
    return data


def public_query(data: QueryDict) -> str:
    """The filters to repeat in pagination links: never a private term, never the page."""
    query = data.copy()
    for name in (*PRIVATE_TERMS, "page"):
        query.pop(name, None)
    return query.urlencode()


def private_search(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A list view whose filter form is POSTed: the POST only stores the search and redirects (PRG)."""

    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            return search_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper
