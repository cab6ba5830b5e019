"""The in-app side: one's own notifications only, marked read by POST, a badge in the header, and the settings page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import EmailPreference, Notification, User

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def notify(user: User, *, path: str = "/meetings/actions/1/", object_id: int = 1, **extra) -> Notification:
    return Notification.objects.create(
        recipient=user, kind=Kind.ACTION_OVERDUE, object_id=object_id, occasion="2026-12-01", path=path, **extra
    )


def test_pages_need_a_login(client):
    for url in ("/account/notifications/", "/account/settings/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_list_shows_only_ones_own_notifications(client, staff, specialist):
    mine = notify(staff)
    theirs = notify(specialist, object_id=2)
    client.force_login(staff)
    response = client.get("/account/notifications/")
    assert response.status_code == 200
    assert list(response.context["page"]) == [mine]
    assert f"/account/notifications/{theirs.pk}/open/" not in response.text


def test_another_persons_notification_is_a_404_and_stays_unread(client, staff, specialist):
    theirs = notify(specialist)
    client.force_login(staff)
    assert client.post(f"/account/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_marks_read_and_goes_to_the_page(client, staff):
    notification = notify(staff, path="/meetings/actions/7/")
    client.force_login(staff)
    assert client.get(f"/account/notifications/{notification.pk}/open/").status_code == 405  # a GET never writes
    response = client.post(f"/account/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/meetings/actions/7/"
    notification.refresh_from_db()
    assert notification.is_read


def test_the_linked_page_checks_access_again(client, staff, other_staff, pupil, dsl):
    """A notification is only a link: someone without access to the pupil gets the page's 404."""
    from accounts.tests.conftest import make_action, make_plan

    action = make_action(make_plan(pupil, dsl), other_staff, pupil.entry_date)
    notification = notify(other_staff, path=f"/meetings/actions/{action.pk}/", object_id=action.pk)
    client.force_login(other_staff)
    response = client.post(f"/account/notifications/{notification.pk}/open/", follow=True)
    assert response.status_code == 404


def test_mark_one_and_mark_all_as_read(client, staff):
    first = notify(staff, object_id=1)
    notify(staff, object_id=2)
    notify(staff, object_id=3)
    client.force_login(staff)
    response = client.post(f"/account/notifications/{first.pk}/open/", {"stay": "1"})
    assert response["Location"] == "/account/notifications/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    client.post("/account/notifications/read-all/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_header_shows_the_unread_count(client, staff, specialist):
    client.force_login(staff)
    assert 'id="nav-unread"' not in client.get("/account/notifications/").text
    for n in range(3):
        notify(staff, object_id=n)
    notify(specialist, object_id=9)
    Notification.objects.filter(pk=notify(staff, object_id=10).pk).update(read_at="2026-12-01T08:00Z")
    page = client.get("/account/agencies/").text
    assert 'id="nav-unread">3<' in page


def test_the_badge_is_counted_with_the_reader_and_costs_no_query_of_its_own(client, staff):
    client.force_login(staff)
    client.get("/account/agencies/")  # warm the session

    with CaptureQueriesContext(connection) as queries:
        client.get("/account/agencies/")
    for n in range(5):
        notify(staff, object_id=n)
    with CaptureQueriesContext(connection) as more:
        client.get("/account/agencies/")
    assert len(more) == len(queries)
    counted = [q["sql"] for q in more.captured_queries if "accounts_notification" in q["sql"]]
    assert len(counted) == 1 and counted[0].startswith('SELECT "accounts_user"."id"')


def test_people_choose_immediate_or_daily_emails(client, staff):
    client.force_login(staff)
    response = client.get("/account/settings/")
    assert response.status_code == 200 and "One email a day" in response.text
    response = client.post("/account/settings/", {"email_preference": EmailPreference.DAILY})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.email_preference == EmailPreference.DAILY


def test_a_bad_preference_is_a_400_not_a_change(client, staff):
    client.force_login(staff)
    response = client.post("/account/settings/", {"email_preference": "hourly"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    staff.refresh_from_db()
    assert staff.email_preference == EmailPreference.IMMEDIATE


def test_leaders_can_look_notifications_up_in_the_admin(client, leader, staff):
    notify(staff)
    client.force_login(leader)
    response = client.get("/admin/accounts/notification/")
    assert response.status_code == 200 and "Teacher Tester" in response.text
    client.force_login(staff)
    assert client.get("/admin/accounts/notification/").status_code == 302


def test_the_beat_schedule_runs_every_reminder_kind_and_the_email_tasks():
    from pru_cases.celery import app

    schedule = app.conf.beat_schedule.values()
    tasks = {entry["task"] for entry in schedule}
    kinds = {kind for entry in schedule for kind in entry.get("kwargs", {}).get("kinds", [])}
    assert kinds == set(Notification.Kind.values) - Notification.EVENT_KINDS
    assert {
        "accounts.tasks.reminders_run",
        "accounts.tasks.notification_digests_send",
        "accounts.tasks.notification_emails_sweep",
        "meetings.tasks.pdf_jobs_sweep",
    } <= tasks
    app.loader.import_default_modules()
    assert tasks <= set(app.tasks)
