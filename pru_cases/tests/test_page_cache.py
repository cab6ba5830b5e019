"""The page cache: repeat views come from Redis, and no page is ever older than the data or shown to anyone else."""

import datetime
import threading

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import make_pupil
from pru_cases import page_cache
from pru_cases.models import AccessEvent, BreakGlass
from pupils.models import Pupil


@pytest.fixture(autouse=True)
def cache_on_private_redis(settings, private_redis, monkeypatch):
    """Each test has a Redis of its own, so the version and the pages start empty."""
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_URL = private_redis.url
    monkeypatch.setattr(page_cache, "_state", page_cache._State())
    return private_redis


def view(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response


def is_hit(response) -> bool:
    return response.get("X-Page-Cache") == "hit"


def cached_pupil_page(client, person, pupil) -> str:
    """Sign in, view the pupil's page twice, and check the second view came from the cache; its URL."""
    client.force_login(person)
    url = reverse("pupils:detail", args=[pupil.pk])
    view(client, url)
    assert is_hit(view(client, url))
    return url


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('SELECT "pupils_pupil"."id" FROM "pupils_pupil"', False),
        ('SELECT "pupils_pupil"."id" FROM "pupils_pupil" WHERE "id" = 1 FOR UPDATE', False),
        ("  (SELECT 1) UNION (SELECT 2)", False),
        ("SAVEPOINT s1", False),
        ("SELECT set_config('pghistory.context_id', '1', true)", False),
        ("WITH recent AS (SELECT id FROM pupils_concern) SELECT count(*) FROM recent", False),
        ("WITH locked AS (SELECT id FROM t FOR UPDATE) SELECT * FROM locked", False),
        ('INSERT INTO "pupils_concern" ("pupil_id") VALUES (1)', True),
        ('UPDATE "pupils_pupil" SET "first_name" = %s', True),
        ('DELETE FROM "accounts_notification" WHERE "id" = 1', True),
        ("WITH moved AS (UPDATE pupils_pupil SET site_id = 2 RETURNING id) SELECT count(*) FROM moved", True),
        ("TRUNCATE pupils_pupil CASCADE", True),
        ("CREATE INDEX x ON pupils_pupil (id)", True),
        ("COPY pupils_concern FROM STDIN", True),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('INSERT INTO "django_session" ("session_key") VALUES (%s)', False),
        ('INSERT INTO "pru_cases_accessevent" ("at", "user_id") VALUES (%s, %s)', False),
        ('INSERT INTO "pru_cases_accessevent_archive" ("at") VALUES (%s)', True),
        ('SELECT set_config(\'pghistory.context_id\', %s, true); UPDATE "pupils_pupil" SET "site_id" = 2', True),
        (b"SELECT 1; SELECT 2", False),
    ],
)
def test_statements_that_change_data_are_told_from_those_that_read(sql, writes):
    assert page_cache.is_write(sql) is writes


@pytest.mark.django_db
def test_a_repeat_view_comes_from_the_cache_and_a_change_shows_at_once(client, dsl, pupil):
    client.force_login(dsl)
    url = reverse("pupils:detail", args=[pupil.pk])
    first = view(client, url)
    assert not is_hit(first)
    with CaptureQueriesContext(connection) as captured:
        second = view(client, url)
    assert is_hit(second)
    assert second.content == first.content
    # The session and the user, as for any signed-in page, and the access log's entry for this view.
    assert len(captured) == 3
    assert 'INSERT INTO "pru_cases_accessevent"' in captured[2]["sql"]

    Pupil.objects.filter(pk=pupil.pk).update(preferred_name="Jojo-Changed")
    third = view(client, url)
    assert not is_hit(third)
    assert b"Jojo-Changed" in third.content


@pytest.mark.django_db
def test_a_cached_view_of_a_pupil_is_in_the_access_log_like_any_other(client, health_specialist, pupil, health_record):
    url = cached_pupil_page(client, health_specialist, pupil)
    events = list(AccessEvent.objects.filter(user=health_specialist, pupil=pupil).order_by("pk"))
    assert len(events) == 2
    assert {event.outcome for event in events} == {AccessEvent.Outcome.ALLOWED}
    assert events[0].field_groups == events[1].field_groups != ""
    assert events[1].path == url


@pytest.mark.django_db
def test_a_save_through_the_app_shows_on_the_next_view(client, dsl, pupil):
    url = cached_pupil_page(client, dsl, pupil)
    response = client.post(reverse("pupils:need_level", args=[pupil.pk]), {"level": "4", "reason": "Escalating"})
    assert response.status_code == 302
    after = view(client, url)
    assert not is_hit(after)
    assert "Level of need set to 4" in after.content.decode()  # the message is shown once...
    again = view(client, url)
    assert "Level of need set to 4" not in again.content.decode()  # ...and not kept in a cached page


@pytest.mark.django_db(transaction=True)
def test_a_commit_on_another_connection_raises_the_version_after_it_commits(client, dsl, pupil):
    """The raise that makes the cache safe comes after the commit, so no reader can file an old page under it."""
    url = cached_pupil_page(client, dsl, pupil)
    seen = {}

    def edit_elsewhere() -> None:
        try:
            with transaction.atomic():
                Pupil.objects.filter(pk=pupil.pk).update(preferred_name="Renamed-Elsewhere")
                seen["inside"] = page_cache.current_version()
            seen["after"] = page_cache.current_version()
        finally:
            connections.close_all()

    thread = threading.Thread(target=edit_elsewhere)
    thread.start()
    thread.join()
    assert seen["after"] != seen["inside"]
    fresh = view(client, url)
    assert not is_hit(fresh)
    assert b"Renamed-Elsewhere" in fresh.content


@pytest.mark.django_db
def test_a_write_that_touches_no_row_keeps_the_cached_pages(client, dsl, pupil):
    client.force_login(dsl)
    url = reverse("pupils:detail", args=[pupil.pk])
    view(client, url)
    Pupil.objects.filter(pk=-1).update(preferred_name="Nobody")
    assert is_hit(view(client, url))
    Pupil.objects.filter(pk=pupil.pk).update(preferred_name="Somebody")
    assert not is_hit(view(client, url))


@pytest.mark.django_db(transaction=True)
def test_every_new_connection_tracks_writes():
    found = {}

    def check() -> None:
        try:
            connection.ensure_connection()
            found["tracked"] = page_cache._track_writes in connection.execute_wrappers
        finally:
            connections.close_all()

    thread = threading.Thread(target=check)
    thread.start()
    thread.join()
    assert found["tracked"]


@pytest.mark.django_db
def test_a_rolled_back_write_still_leaves_no_old_page(client, dsl, pupil):
    client.force_login(dsl)
    url = reverse("pupils:detail", args=[pupil.pk])
    view(client, url)
    before = page_cache.current_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Pupil.objects.filter(pk=pupil.pk).update(preferred_name="Never-Saved")
        raise RuntimeError
    assert page_cache.current_version() != before  # raised at the write: a spare miss, never a stale page
    assert b"Never-Saved" not in view(client, url).content


@pytest.mark.django_db
def test_redis_holds_the_pages_encrypted(client, dsl, pupil, health_record, cache_on_private_redis):
    client.force_login(dsl)
    url = reverse("pupils:detail", args=[pupil.pk])
    page = view(client, url).content
    assert b"SENTINEL-HEALTH-CONDITION-7Q2" in page and pupil.first_name.encode() in page
    stored = [
        cache_on_private_redis.client.get(key)
        for key in cache_on_private_redis.client.keys(page_cache.PAGE_PREFIX + "*")
    ]
    assert len(stored) == 1 and len(stored[0]) > len(page) // 2
    for secret in (
        b"SENTINEL-HEALTH",
        pupil.first_name.encode(),
        pupil.last_name.encode(),
        client.session.session_key.encode(),
    ):
        assert secret not in stored[0]

    # Tampered with, or read by another session, it is not a page: the view renders afresh.
    (key,) = cache_on_private_redis.client.keys(page_cache.PAGE_PREFIX + "*")
    cache_on_private_redis.client.set(key, stored[0][:-1] + bytes([stored[0][-1] ^ 1]))
    again = view(client, url)
    assert not is_hit(again) and b"SENTINEL-HEALTH-CONDITION-7Q2" in again.content


@pytest.mark.django_db
def test_pages_are_never_shared_between_people_or_sessions(client, dsl, outsider, pupil, site):
    make_pupil(site, first_name="Morgan", last_name="Sample")
    url = cached_pupil_page(client, dsl, pupil)

    client.force_login(outsider)  # no allocation to this pupil: the page stays a 404 for them
    assert client.get(url).status_code == 404

    list_url = reverse("pupils:list")
    client.force_login(dsl)
    client.post(list_url, {"q": "Morgan"})
    morgan = view(client, list_url).content.decode()
    client.post(list_url, {"q": "Jordan"})
    jordan = view(client, list_url).content.decode()
    assert "Sample" in morgan and "Sample" not in jordan
    assert "Example" in jordan and "Example" not in morgan


@pytest.mark.django_db
def test_a_page_is_kept_no_longer_than_anyones_break_glass_access(rf, dsl, staff, other_pupil):
    """The meeting screen shows a case only if everyone present may see it, so another person's grant counts too."""
    request = rf.get("/")
    request.user = dsl
    assert page_cache._lifetime(request) == 300
    now = timezone.now()
    BreakGlass.objects.create(
        user=staff,
        pupil=other_pupil,
        reason="Urgent call",
        granted_at=now,
        expires_at=now + datetime.timedelta(seconds=40),
    )
    assert 30 <= page_cache._lifetime(request) <= 40


class RefusingRedis:
    """Stands in for Redis as one process sees it when it cannot reach it."""

    def __getattr__(self, name):
        def refuse(*args, **kwargs):
            raise redis.ConnectionError("unreachable")

        return refuse


@pytest.mark.django_db
def test_a_process_whose_raise_failed_uses_no_cached_page_until_it_is_made(client, dsl, pupil, monkeypatch):
    url = cached_pupil_page(client, dsl, pupil)

    reachable = page_cache._client
    monkeypatch.setattr(page_cache, "_client", lambda **kwargs: RefusingRedis())
    Pupil.objects.filter(pk=pupil.pk).update(preferred_name="Changed-Unraised")
    assert page_cache._state.owed
    during = view(client, url)
    assert not is_hit(during) and b"Changed-Unraised" in during.content

    monkeypatch.setattr(page_cache, "_client", reachable)
    monkeypatch.setattr(page_cache, "BACK_OFF_SECONDS", 0)
    after = view(client, url)  # the owed raise is made first
    assert not page_cache._state.owed
    assert not is_hit(after) and b"Changed-Unraised" in after.content
    assert is_hit(view(client, url))


@pytest.mark.django_db
def test_a_redis_out_of_memory_serves_no_old_page(client, dsl, pupil, cache_on_private_redis, monkeypatch):
    monkeypatch.setattr(page_cache, "BACK_OFF_SECONDS", 0)
    url = cached_pupil_page(client, dsl, pupil)
    server = cache_on_private_redis.client
    server.config_set("maxmemory-policy", "noeviction")
    server.config_set("maxmemory", "1")  # every write refused, reads still answered
    try:
        Pupil.objects.filter(pk=pupil.pk).update(preferred_name="Changed-When-Full")
        assert server.get(page_cache.VERSION_KEY) is None  # the new token was refused, so the old one was deleted
        full = view(client, url)
        assert not is_hit(full) and b"Changed-When-Full" in full.content
    finally:
        server.config_set("maxmemory", "0")
    view(client, url)
    assert is_hit(view(client, url))


@pytest.mark.django_db
def test_a_restarted_or_emptied_redis_starts_a_new_version(client, dsl, pupil, cache_on_private_redis, monkeypatch):
    monkeypatch.setattr(page_cache, "BACK_OFF_SECONDS", 0)
    client.force_login(dsl)
    url = reverse("pupils:detail", args=[pupil.pk])
    view(client, url)
    first = page_cache.current_version()
    cache_on_private_redis.client.delete(page_cache.VERSION_KEY)  # as an eviction would
    assert not is_hit(view(client, url))
    evicted = page_cache.current_version()
    assert evicted != first

    cache_on_private_redis.stop()
    assert client.get(url).status_code == 200  # rendered while Redis is down
    cache_on_private_redis.start()
    cache_on_private_redis.client.set(page_cache.VERSION_KEY, evicted.rsplit(":", 1)[1])  # even the same token
    assert page_cache.current_version() != evicted  # a new run of the server
    assert not is_hit(view(client, url))


@pytest.mark.django_db
def test_the_version_is_read_before_the_request_reads_the_signed_in_user(client, staff, site, other_site, monkeypatch):
    """A change to the user between reading the version and rendering cannot leave a page under the new version."""
    make_pupil(site, first_name="Here", last_name="AtSiteA")
    make_pupil(other_site, first_name="There", last_name="AtSiteB")
    client.force_login(staff)
    url = reverse("pupils:list")
    read = page_cache.current_version

    def read_then_move() -> str | None:
        version = read()
        User.objects.filter(pk=staff.pk).update(site=other_site)  # an administrator moves them, just then
        return version

    monkeypatch.setattr(page_cache, "current_version", read_then_move)
    view(client, url)
    monkeypatch.setattr(page_cache, "current_version", read)
    page = view(client, url).content.decode()
    assert "AtSiteB" in page and "AtSiteA" not in page
    names = [name.rsplit(".", 1)[1] for name in django_settings.MIDDLEWARE]
    assert names.index("VersionMiddleware") < names.index("SessionMiddleware")


@pytest.mark.django_db
def test_only_requests_for_a_cached_page_read_the_version(client, dsl, monkeypatch):
    calls = []
    read = page_cache.current_version
    monkeypatch.setattr(page_cache, "current_version", lambda: calls.append(1) or read())
    client.force_login(dsl)
    for url in ("/ping/", "/", reverse("pupils:concern_list"), "/no-such-page/"):
        client.get(url)
    assert calls == []
    view(client, reverse("pupils:list"))
    assert calls == [1]


def test_a_page_this_code_cannot_read_is_a_miss(rf):
    request = rf.get("/")
    assert page_cache._unpack(request, len(b"{}").to_bytes(4, "big") + b"{}") is None
    assert page_cache._unpack(request, b"\x00\x00\x00\x09not json!") is None


def test_the_build_id_changes_with_the_code(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("BUILD_ID", raising=False)
    settings.BASE_DIR = tmp_path
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>one</p>")
    before = page_cache._build_id()
    (tmp_path / "templates" / "page.html").write_text("<p>one, two</p>")
    changed = page_cache._build_id()
    assert changed != before
    (tmp_path / "requirements.txt").write_text("Django==6.1.3\n")
    assert page_cache._build_id() != changed


@pytest.mark.django_db
def test_switched_off_every_view_renders(client, dsl, pupil, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.force_login(dsl)
    url = reverse("pupils:detail", args=[pupil.pk])
    view(client, url)
    assert not is_hit(view(client, url))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["pupils:list", "referrals:triage", "oversight:dashboard"])
def test_the_busiest_lists_are_cached(client, leader, name):
    client.force_login(leader)
    url = reverse(name)
    view(client, url)
    assert is_hit(view(client, url))


class CountingRefusals(RefusingRedis):
    def __init__(self):
        self.calls = 0

    def __getattr__(self, name):
        self.calls += 1
        return super().__getattr__(name)


@pytest.mark.django_db(transaction=True)
def test_while_redis_keeps_failing_writes_do_not_each_wait_for_it(dsl, pupil, monkeypatch):
    refusing = CountingRefusals()
    monkeypatch.setattr(page_cache, "_client", lambda **kwargs: refusing)
    for n in range(5):
        Pupil.objects.filter(pk=pupil.pk).update(preferred_name=f"Edit {n}")
    assert refusing.calls == 1  # one attempt; the rest wait for the back-off, the raise stays owed
    assert page_cache._state.owed


@pytest.mark.django_db
def test_a_broken_cache_setting_never_fails_a_save_or_a_page(client, dsl, pupil, settings):
    settings.PAGE_CACHE_URL = "not a redis url"
    client.force_login(dsl)
    Pupil.objects.filter(pk=pupil.pk).update(preferred_name="Saved-Anyway")
    assert Pupil.objects.get(pk=pupil.pk).preferred_name == "Saved-Anyway"
    response = client.get(reverse("pupils:detail", args=[pupil.pk]))
    assert response.status_code == 200 and b"Saved-Anyway" in response.content


@pytest.mark.django_db(transaction=True)
def test_an_owed_raise_is_settled_after_a_task_or_at_exit(pupil, monkeypatch, cache_on_private_redis):
    reachable = page_cache._client
    monkeypatch.setattr(page_cache, "_client", lambda **kwargs: RefusingRedis())
    Pupil.objects.filter(pk=pupil.pk).update(preferred_name="Changed-By-A-Task")
    assert page_cache._state.owed
    monkeypatch.setattr(page_cache, "_client", reachable)
    before = cache_on_private_redis.client.get(page_cache.VERSION_KEY)
    page_cache._settle_after_task(task=None)  # as Celery's task_postrun calls it, within the back-off
    assert not page_cache._state.owed
    assert cache_on_private_redis.client.get(page_cache.VERSION_KEY) != before


@pytest.mark.django_db
def test_a_break_glass_that_ends_during_the_render_keeps_the_page_out_of_the_cache(rf, dsl, staff, other_pupil):
    now = timezone.now()
    BreakGlass.objects.create(
        user=staff,
        pupil=other_pupil,
        reason="Urgent call",
        granted_at=now - datetime.timedelta(hours=4),
        expires_at=now - datetime.timedelta(seconds=1),
    )
    request = rf.get("/")
    request.user = dsl
    request.page_cache_started = now - datetime.timedelta(seconds=2)
    assert page_cache._lifetime(request) <= 0
    request.page_cache_started = now
    assert page_cache._lifetime(request) == 300


def test_a_build_id_can_be_given_and_a_vanishing_file_is_passed_over(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("BUILD_ID", raising=False)
    settings.BASE_DIR = tmp_path
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "gone.html").symlink_to(tmp_path / "nowhere.html")
    (tmp_path / "templates" / "page.html").write_text("<p>one</p>")
    assert len(page_cache._build_id()) == 16
    monkeypatch.setenv("BUILD_ID", "release-2026-11-23")
    assert page_cache._build_id() == "release-2026-11-23"
