"""Repeat views of the busiest pages served from Redis, and never a page older than the data.

Every cached page is filed under the current *data version*: the code's build, the Redis server's run id and a
random token in Redis. Any statement that writes to the database through Django (from a request, a Celery task or a
management command) replaces the token after its transaction commits, so a page rendered before the change is not
served after it:

- VersionMiddleware reads the version before the request reads anything from the database (even the session and
  the signed-in user); the view renders and the page is stored under that version;
- a writer commits, then raises the version. A reader that read the old version may have seen either state, but its
  page is filed under a version nobody asks for again; a reader that read the new one started after the commit.

What is left is the moment between a commit and its raise. Writes inside an open transaction also raise the version
at once (a transaction that never commits, as in a test, then still never shows an old page), and once more after
the commit, which is the raise that matters. A raise that fails is owed: that process uses no cached page until it
has made it, and makes it after each Celery task and at exit if it has not written again. Until then other processes
may still serve pages from before that write, for PAGE_CACHE_SECONDS at most: the one case in which a page can be
older than the data, and only while Redis takes reads but not that raise. If Redis refuses the new token (out of
memory) the token is deleted instead, and nobody uses a cached page until one can be stored again. A restarted
Redis has a new run id, so pages it reloads from disk are never used.

Reading leaves records of its own (the access log of who saw which pupil, the session's activity stamp); those are
not changes to any page. A cached view still enters in the access log every pupil record the page shows, exactly as
the render that made it did.

Pages hold pupil data, so Redis only ever holds them encrypted (AES-GCM) with a key made from SECRET_KEY and the
session's own key, which Redis never sees: a copy of Redis's memory or disk reads as noise.

A page is kept per session (the user, the session's contents such as a private search), per URL, htmx target and
CSRF cookie, for PAGE_CACHE_SECONDS at most, cut short when anyone's break-glass access ends, and keyed on the
clock's PAGE_CACHE_SECONDS bucket so labels that depend on the time of day (overdue, age bands) are never older than
that. Pages with a message waiting are not cached. If Redis cannot be reached the page is simply rendered: the cache
only ever saves work.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable

import redis
from celery.signals import task_postrun
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from pru_cases.security import SESSION_LAST_ACTIVITY

log = logging.getLogger(__name__)

VERSION_KEY = "pru:page-cache:version"
PAGE_PREFIX = "pru:page-cache:page:"
# After Redis fails, leave it alone for this long rather than slow every request down with timeouts.
BACK_OFF_SECONDS = 5.0
# Headers a view sets that belong with the page (middleware adds the rest on every response).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Vary",
    *("HX-Trigger", "HX-Trigger-After-Settle", "HX-Trigger-After-Swap", "HX-Retarget", "HX-Reswap", "HX-Reselect"),
    *("HX-Push-Url", "HX-Replace-Url", "HX-Location", "HX-Redirect", "HX-Refresh"),
)
# htmx headers that change what a view answers.
HTMX_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Boosted", "HX-History-Restore-Request")

# First words of statements that read; anything else counts as a write. A WITH query counts as a write only if it
# holds a data-modifying statement.
_READS = frozenset({"SELECT", "SHOW", "EXPLAIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "SET", "FETCH", "CLOSE"})
_FIRST_WORD = re.compile(r"\s*\(*\s*([A-Za-z]+)")
_MODIFYING = re.compile(r"(?<!FOR\s)\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
# Records kept *about* reading, not shown on any cached page: the session (its contents are part of each page's key,
# and its activity stamp changes as people work), the access log and the sign-in log. Writing them changes no page.
SIDE_RECORDS = ("django_session", "pru_cases_accessevent", "axes_accesslog")
_SIDE_RECORD_WRITE = re.compile(
    r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"(?:' + "|".join(SIDE_RECORDS) + r')"\s', re.IGNORECASE
)


class _State:
    """Per process: the Redis client, when Redis last failed, and whether a raise of the version is still owed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.client: redis.Redis | None = None
        self.url: str | None = None
        self.failed_at = 0.0
        self.raise_failed_at = 0.0
        self.failures = 0  # raises that failed, ever: a success only settles what was owed before it started
        self.owed = False
        self.read_since_raise = True


_state = _State()


def _build_id() -> str:
    """Changes with the code: pages rendered by an earlier deployment are never served by this one. A deployment
    may name its build in BUILD_ID; otherwise it is made from the project's code and templates (size and time of
    each file) and the pinned requirements."""
    if os.environ.get("BUILD_ID"):
        return os.environ["BUILD_ID"]
    base = str(settings.BASE_DIR)
    roots = [os.path.join(base, "templates")]
    roots += sorted(config.path for config in apps.get_app_configs() if config.path.startswith(base + os.sep))
    digest = hashlib.sha256()
    try:
        with open(os.path.join(base, "requirements.txt"), "rb") as requirements:
            digest.update(requirements.read())
    except OSError:
        pass
    for top in roots:
        for root, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            for name in sorted(files):
                if not name.endswith((".py", ".html", ".txt")):
                    continue
                path = os.path.join(root, name)
                try:
                    stat = os.stat(path)
                except OSError:  # gone since the walk listed it, or a dangling link
                    continue
                digest.update(f"{os.path.relpath(path, base)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


@functools.cache
def build_id() -> str:
    return _build_id()


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def _client(*, even_when_failing: bool = False) -> redis.Redis | None:
    if not even_when_failing and time.monotonic() - _state.failed_at < BACK_OFF_SECONDS:
        return None
    url = settings.PAGE_CACHE_URL
    with _state.lock:
        if _state.client is None or _state.url != url:
            try:
                _state.client = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
            except ValueError as error:  # not a Redis URL: no cache, and raises stay owed
                _state.client = None
                _failed(error)
                return None
            _state.url = url
        return _state.client


def _failed(error: Exception) -> None:
    _state.failed_at = time.monotonic()
    log.warning("Page cache unavailable, pages are rendered afresh: %s", error)


def raise_version() -> None:
    """Make every cached page stale: a new random version. Called after each write, even if reading from Redis has
    been failing. If Redis refuses to store it (out of memory) the version is deleted instead, which it allows,
    and readers then find none and render afresh. If Redis cannot be reached the raise is owed: this process uses
    no cached page until it has been made, and while Redis keeps failing it tries again at most every
    BACK_OFF_SECONDS instead of making every write wait. Nothing here ever fails the write itself."""
    with _state.lock:
        if _state.owed and time.monotonic() - _state.raise_failed_at < BACK_OFF_SECONDS:
            return
        _state.owed = True
        failures = _state.failures
    try:
        client = _client(even_when_failing=True)
        if client is None:
            raise redis.ConnectionError("no usable PAGE_CACHE_URL")
        try:
            client.set(VERSION_KEY, os.urandom(16).hex())
        except redis.ResponseError:
            client.delete(VERSION_KEY)
    except Exception as error:  # noqa: BLE001 (a cache must never turn a saved change into an error page)
        with _state.lock:
            _state.failures += 1
            _state.owed = True
            _state.raise_failed_at = time.monotonic()
        _failed(error)
        return
    with _state.lock:
        if _state.failures == failures:
            _state.owed = False
    _state.read_since_raise = False


def settle() -> None:
    """Make a raise this process still owes, before it stops or between tasks (a worker may not write again soon)."""
    if _state.owed:
        with _state.lock:
            _state.raise_failed_at = 0.0
        raise_version()


def current_version() -> str | None:
    """The data version, or None when no cached page may be used just now. It names the code, the Redis server's
    run (a restarted Redis, even one that reloaded old pages from disk, starts a new one) and the latest raise."""
    if _state.owed:
        raise_version()
        if _state.owed:
            return None
    client = _client()
    if client is None:
        return None
    try:
        pipe = client.pipeline(transaction=False)
        pipe.get(VERSION_KEY)
        pipe.info("server")
        token, server = pipe.execute()
        if token is None:  # never set, or evicted: start a new one (refused when Redis is out of memory)
            client.set(VERSION_KEY, os.urandom(16).hex(), nx=True)
            token = client.get(VERSION_KEY)
        if token is None:
            return None
        version = f"{build_id()}:{server.get('run_id', '')}:{token.decode() if isinstance(token, bytes) else token}"
    except Exception as error:  # noqa: BLE001 (Redis down, a proxy that answers differently: render afresh)
        _failed(error)
        return None
    _state.read_since_raise = True
    return version


def is_write(sql: str | bytes) -> bool:
    """True if the SQL may change data. Several statements in one string (as a history context prepends) are each
    looked at; a semicolon inside a literal can only make a read look like a write, never the other way round."""
    text = sql.decode() if isinstance(sql, bytes) else sql
    return any(_is_write_statement(part) for part in text.split(";") if part.strip())


def _is_write_statement(sql: str) -> bool:
    match = _FIRST_WORD.match(sql)
    if match is None:
        return True
    word = match.group(1).upper()
    if word == "WITH":
        return bool(_MODIFYING.search(sql))
    if word in _READS:
        return False
    return _SIDE_RECORD_WRITE.match(sql) is None


def _track_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    # A write that touched no row (an UPDATE matching nothing, an INSERT ... ON CONFLICT DO NOTHING) changed nothing.
    # Tracked even while the cache is off, so pages kept from before it was switched off cannot come back stale.
    if is_write(sql) and (many or context["cursor"].rowcount != 0):
        connection = context["connection"]
        if connection.in_atomic_block:
            if _state.read_since_raise and not _state.owed:
                raise_version()  # for a transaction that never commits; the raise after commit is the one that counts
            if not any(func is raise_version for _ids, func, _robust in connection.run_on_commit):
                transaction.on_commit(raise_version, using=connection.alias)
        else:
            raise_version()  # autocommit: the statement has committed
    return result


def _install(sender, connection, **kwargs) -> None:
    if _track_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _track_writes)  # outermost: it sees each statement as it was written


def _settle_after_task(**kwargs) -> None:
    settle()


def install() -> None:
    """Track writes on every database connection, those already open included (called from AppConfig.ready), and
    make any raise still owed after each Celery task and when the process exits."""
    connection_created.connect(_install, dispatch_uid="pru_cases.page_cache")
    for connection in connections.all(initialized_only=True):
        _install(None, connection)
    task_postrun.connect(_settle_after_task, dispatch_uid="pru_cases.page_cache")
    atexit.register(settle)


def _session_fingerprint(request: HttpRequest) -> str:
    data = {key: value for key, value in request.session.items() if key != SESSION_LAST_ACTIVITY}
    return json.dumps(data, sort_keys=True, default=str)


def _key(request: HttpRequest, view: Callable, version: str) -> str:
    parts = [
        version,
        f"{view.__module__}.{view.__qualname__}",
        request.get_full_path(),
        str(request.user.pk),
        request.session.session_key or "",
        _session_fingerprint(request),
        *(request.headers.get(name, "") for name in HTMX_HEADERS),
        str(timezone.localdate()),  # labels such as "overdue" change at midnight whatever the bucket
        str(int(time.time()) // settings.PAGE_CACHE_SECONDS),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return PAGE_PREFIX + digest


def _has_messages(request: HttpRequest) -> bool:
    return len(get_messages(request)) > 0


def _lifetime(request: HttpRequest) -> int:
    """PAGE_CACHE_SECONDS, or less if anyone's break-glass access to a pupil ends sooner: a page can depend on other
    people's access too (the meeting screen shows a case only if everyone present may see it)."""
    from pru_cases.models import BreakGlass

    now = timezone.now()
    started = getattr(request, "page_cache_started", now)
    ends = (
        BreakGlass.objects.filter(expires_at__gt=started)
        .order_by("expires_at")
        .values_list("expires_at", flat=True)
        .first()
    )
    seconds = settings.PAGE_CACHE_SECONDS
    if ends is not None:  # a grant that ended while the page was rendered: the page is not kept at all
        seconds = min(seconds, int((ends - now).total_seconds()))
    return seconds


def _cacheable(request: HttpRequest) -> bool:
    """A version is only read for a GET of a cached page while the cache is on (VersionMiddleware)."""
    return (
        getattr(request, "page_cache_version", None) is not None
        and request.user.is_authenticated
        and request.session.session_key is not None
        and not _has_messages(request)
    )


def _cipher(request: HttpRequest) -> AESGCM:
    secret = hmac.new(settings.SECRET_KEY.encode(), b"page-cache\x1f" + request.session.session_key.encode(), "sha256")
    return AESGCM(secret.digest())


def _seal(request: HttpRequest, key: str, plain: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + _cipher(request).encrypt(nonce, plain, key.encode())


def _open(request: HttpRequest, key: str, sealed: bytes) -> bytes | None:
    try:
        return _cipher(request).decrypt(sealed[:12], sealed[12:], key.encode())
    except (InvalidTag, ValueError):
        return None


def _pack(request: HttpRequest, response: HttpResponse) -> bytes:
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    # The page's forms carry tokens made from this CSRF secret; the page is only good with the same cookie.
    csrf = request.META.get("CSRF_COOKIE")
    head = json.dumps({"headers": headers, "accesses": request.page_cache_accesses, "csrf": csrf}).encode()
    return len(head).to_bytes(4, "big") + head + response.content


def _unpack(request: HttpRequest, blob: bytes) -> HttpResponse | None:
    """The stored page, or None if its forms were made for another CSRF cookie. The pupil records the page shows are
    entered in the access log again, as a fresh render would."""
    from pru_cases.access import record_access

    try:
        size = int.from_bytes(blob[:4], "big")
        head = json.loads(blob[4 : 4 + size])
        headers, accesses = dict(head["headers"]), [dict(access) for access in head["accesses"]]
    except (KeyError, TypeError, ValueError):
        return None  # not a page this code can read: render afresh
    if head.get("csrf") is not None and head["csrf"] != request.META.get("CSRF_COOKIE"):
        return None
    for access in accesses:
        record_access(request, **access | {"field_groups": frozenset(access["field_groups"])})
    response = HttpResponse(blob[4 + size :])
    for name, value in headers.items():
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response


class VersionMiddleware:
    """Reads the data version for each GET before anything else reads the database (the session, the signed-in
    user): whatever the request goes on to read is then at least as new as the version its page is filed under."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.page_cache_version = None
        if request.method == "GET" and enabled() and _is_cached_view(request.path_info):
            request.page_cache_started = timezone.now()
            request.page_cache_version = current_version()
        return self.get_response(request)


def _is_cached_view(path: str) -> bool:
    """Only requests for a cached page pay for reading the version."""
    try:
        return getattr(resolve(path).func, "page_cache", False)
    except Resolver404:
        return False


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a GET page from the cache while nothing has been written since it was rendered for this session."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request, view, request.page_cache_version)
        client = _client()
        try:
            blob = client.get(key) if client is not None else None
        except redis.RedisError as error:
            _failed(error)
            blob = None
        plain = _open(request, key, blob) if blob is not None else None
        cached = _unpack(request, plain) if plain is not None else None
        if cached is not None:
            return cached
        request.page_cache_accesses = []
        response = view(request, *args, **kwargs)
        storable = (
            response.status_code == 200
            and not response.streaming
            and not _has_messages(request)
            and getattr(response, "is_rendered", True)
        )
        lifetime = _lifetime(request) if storable else 0
        client = _client()
        if lifetime > 0 and client is not None:
            try:
                client.set(key, _seal(request, key, _pack(request, response)), ex=lifetime)
            except redis.RedisError as error:
                _failed(error)
        return response

    wrapper.page_cache = True
    return wrapper
