"""Each reminder kind fires once, on the right day and not before; repeated and overlapping passes add nothing."""

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from accounts import notifications
from accounts.models import EmailPreference, Notification
from accounts.tests.conftest import (
    DAY,
    PUPIL_NAME,
    make_action,
    make_follow_up,
    make_information_request,
    make_intervention,
    make_meeting,
    make_plan,
)
from concerns.models import Escalation, EscalationRoute
from outcomes.models import SDQResponse
from outcomes.models.measures import Occasion

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
LONDON = zoneinfo.ZoneInfo("Europe/London")


def on(day: datetime.date, hour: int = 7):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON), tick=False)


def run(day: datetime.date, kind: str) -> int:
    with on(day):
        return notifications.reminders_run(kinds=[kind])[kind]


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# Each case: set the scene, then (who hears, the link, a day too early, the first day it fires).
def action_due_soon(pupil, people, health_agency):
    action = make_action(make_plan(pupil, people["dsl"]), people["staff"], DAY)
    return people["staff"], f"/meetings/actions/{action.pk}/", DAY - days(4), DAY - days(3)


def action_overdue(pupil, people, health_agency):
    action = make_action(make_plan(pupil, people["dsl"]), people["staff"], DAY)
    return people["staff"], f"/meetings/actions/{action.pk}/", DAY, DAY + days(1)


def overdue_actions_digest(pupil, people, health_agency):
    make_action(make_plan(pupil, people["dsl"]), people["staff"], DAY - days(1))
    make_meeting(people["leader"], DAY + days(2))
    # The day before, that action is not overdue yet: nothing to summarise.
    return people["leader"], "/meetings/actions/?overdue=on", DAY - days(1), DAY


def intervention_review(pupil, people, health_agency):
    intervention = make_intervention(pupil, people["health_specialist"], people["dsl"], DAY)
    return people["health_specialist"], f"/referrals/{intervention.referral_id}/", DAY - days(8), DAY - days(7)


def plan_review(pupil, people, health_agency):
    pupil.key_worker = people["staff"]
    pupil.save(update_fields=["key_worker"])
    make_plan(pupil, people["dsl"], review_on=DAY)
    return people["staff"], f"/pupils/{pupil.pk}/", DAY - days(8), DAY - days(7)


def information_overdue(pupil, people, health_agency):
    make_information_request(pupil, health_agency, people["family_worker"], DAY)
    return people["family_worker"], "/referrals/information-requests/", DAY, DAY + days(1)


def follow_up_due(pupil, people, health_agency):
    make_follow_up(pupil, people["family_worker"], DAY)
    return people["family_worker"], f"/families/pupil/{pupil.pk}/reintegration/", DAY - days(4), DAY - days(3)


def meeting_agenda(pupil, people, health_agency):
    meeting = make_meeting(people["leader"], DAY, invite=[people["specialist"]])
    return people["specialist"], f"/meetings/{meeting.pk}/", DAY - days(2), DAY - days(1)


def escalation_due(pupil, people, health_agency):
    escalation = Escalation.objects.create(
        pupil=pupil,
        route=EscalationRoute.MASH,
        owner=people["leader"],
        opened_by=people["dsl"],
        due_on=DAY,
        outside_reference="SENTINEL-REF",
        summary="SENTINEL summary",
    )
    return people["leader"], f"/pupils/concerns/escalations/{escalation.pk}/", DAY - days(1), DAY


CASES = {
    Kind.ACTION_DUE_SOON: action_due_soon,
    Kind.ACTION_OVERDUE: action_overdue,
    Kind.OVERDUE_ACTIONS_DIGEST: overdue_actions_digest,
    Kind.INTERVENTION_REVIEW: intervention_review,
    Kind.PLAN_REVIEW: plan_review,
    Kind.INFORMATION_OVERDUE: information_overdue,
    Kind.FOLLOW_UP_DUE: follow_up_due,
    Kind.MEETING_AGENDA: meeting_agenda,
    Kind.ESCALATION_DUE: escalation_due,
}


def test_every_kind_has_a_case_here():
    reminders = set(Kind.values) - Notification.EVENT_KINDS
    assert set(CASES) | {Kind.SDQ_ENDLINE} == reminders == set(notifications.reminder_kinds())


@pytest.mark.parametrize("kind", list(CASES))
def test_each_kind_fires_once_on_its_day_and_not_before(kind, pupil, people, health_agency):
    recipient, path, too_early, first_day = CASES[kind](pupil, people, health_agency)

    assert run(too_early, kind) == 0
    assert not Notification.objects.exists()

    assert run(first_day, kind) == 1
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.path) == (recipient, kind, path)
    assert not notification.is_read and notification.emailed_at is None

    # The next pass, the same day or the day after, finds the same reminder and adds nothing.
    assert run(first_day, kind) == 0
    assert run(first_day + days(1), kind) == 0
    assert Notification.objects.count() == 1

    with on(first_day):
        assert notifications.notification_emails_send() == 1
        assert notifications.notification_emails_send() == 0
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [recipient.email]
    assert f"https://pru.example.org{path}" in email.body
    assert f"https://pru.example.org{path}".replace("&", "&amp;") in email.alternatives[0].content
    for text in (email.subject, email.body, email.alternatives[0].content):
        for secret in (*PUPIL_NAME, "SENTINEL"):
            assert secret not in text


def test_the_exit_sdq_is_due_once_an_exit_date_is_set_until_one_is_recorded(pupil, people, site):
    pupil.key_worker = people["staff"]
    pupil.save(update_fields=["key_worker"])
    assert run(DAY, Kind.SDQ_ENDLINE) == 0  # no exit date yet

    pupil.exit_date = DAY + days(20)
    pupil.save(update_fields=["exit_date"])
    assert run(DAY, Kind.SDQ_ENDLINE) == 1
    assert run(DAY + days(1), Kind.SDQ_ENDLINE) == 0
    notification = Notification.objects.get()
    assert (notification.recipient, notification.path, notification.due_on) == (
        people["staff"],
        f"/pupils/{pupil.pk}/outcomes/",
        DAY + days(20),
    )

    # A moved exit date is a new occasion; a recorded endline SDQ ends the reminders.
    pupil.exit_date = DAY + days(27)
    pupil.save(update_fields=["exit_date"])
    SDQResponse.objects.create(
        pupil=pupil, informant="self", occasion=Occasion.ENDLINE, completed_on=DAY, recorded_by=people["staff"]
    )
    assert run(DAY + days(2), Kind.SDQ_ENDLINE) == 0


def test_a_changed_due_date_is_a_new_reminder(pupil, people):
    action = make_action(make_plan(pupil, people["dsl"]), people["staff"], DAY)
    assert run(DAY - days(1), Kind.ACTION_DUE_SOON) == 1
    action.due_on = DAY + days(5)
    action.save(update_fields=["due_on"])
    assert run(DAY - days(1), Kind.ACTION_DUE_SOON) == 0  # now six days away
    assert run(DAY + days(2), Kind.ACTION_DUE_SOON) == 1


def test_done_dropped_and_non_staff_actions_are_left_alone(pupil, people, health_agency):
    plan = make_plan(pupil, people["dsl"])
    make_action(plan, people["staff"], DAY, status="done", done_on=DAY)
    make_action(plan, people["staff"], DAY, status="dropped", dropped_reason="No longer needed")
    from meetings.models import Action

    make_action(plan, None, DAY, owner_kind=Action.Owner.AGENCY, owner_agency=health_agency)
    assert run(DAY + days(1), Kind.ACTION_OVERDUE) == 0
    assert run(DAY - days(1), Kind.ACTION_DUE_SOON) == 0


def test_the_chair_digest_comes_once_a_week(pupil, people):
    make_action(make_plan(pupil, people["dsl"]), people["staff"], DAY - days(10))
    make_meeting(people["leader"], DAY + days(2))
    make_meeting(people["leader"], DAY + days(9))  # chairing two MDTs still means one summary
    assert run(DAY, Kind.OVERDUE_ACTIONS_DIGEST) == 1
    assert run(DAY + days(4), Kind.OVERDUE_ACTIONS_DIGEST) == 0  # same ISO week
    assert run(DAY + days(6), Kind.OVERDUE_ACTIONS_DIGEST) == 1  # the next Monday
    assert [n.count for n in Notification.objects.order_by("pk")] == [1, 1]
    assert Notification.objects.first().title == "Open actions past their due date this week: 1"


def test_inactive_people_get_no_reminders(pupil, people):
    make_action(make_plan(pupil, people["dsl"]), people["staff"], DAY)
    people["staff"].is_active = False
    people["staff"].save(update_fields=["is_active"])
    assert run(DAY + days(1), Kind.ACTION_OVERDUE) == 0


def test_a_replayed_task_adds_nothing(pupil, people):
    from accounts.tasks import reminders_run

    make_action(make_plan(pupil, people["dsl"]), people["staff"], DAY)
    with on(DAY + days(1)):
        first = reminders_run.apply(kwargs={"kinds": None}).get()
        second = reminders_run.apply(kwargs={"kinds": None}).get()
    assert first[Kind.ACTION_OVERDUE] == 1
    assert sum(second.values()) == 0


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown reminder kinds"):
        notifications.reminders_run(kinds=["birthday"])


# --- email preferences ---------------------------------------------------------------------------------------


def test_the_daily_digest_is_one_email_listing_the_waiting_reminders(pupil, people, health_agency):
    staff = people["staff"]
    staff.email_preference = EmailPreference.DAILY
    staff.save(update_fields=["email_preference"])
    plan = make_plan(pupil, people["dsl"])
    first = make_action(plan, staff, DAY)
    second = make_action(plan, staff, DAY + days(1))
    with on(DAY):
        notifications.reminders_run()
        assert Notification.objects.filter(recipient=staff).count() == 2
        assert notifications.notification_emails_send() == 0  # not an immediate person
        assert notifications.notification_digests_send() == 1
        assert notifications.notification_digests_send() == 0
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [staff.email]
    assert f"/meetings/actions/{first.pk}/" in email.body and f"/meetings/actions/{second.pk}/" in email.body
    assert "Jordan" not in email.body and "SENTINEL" not in email.body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_no_email_for_people_who_chose_none_or_have_no_address_or_have_read_it(pupil, people):
    plan = make_plan(pupil, people["dsl"])
    people["staff"].email_preference = EmailPreference.NONE
    people["staff"].save(update_fields=["email_preference"])
    people["specialist"].email = ""
    people["specialist"].save(update_fields=["email"])
    make_action(plan, people["staff"], DAY)
    make_action(plan, people["specialist"], DAY)
    make_action(plan, people["family_worker"], DAY)
    with on(DAY):
        notifications.reminders_run()
        notifications.notification_mark_read(
            notification=Notification.objects.get(recipient=people["family_worker"]), by=people["family_worker"]
        )
        assert notifications.notification_emails_send() == 0
        assert notifications.notification_digests_send() == 0
    assert Notification.objects.count() == 3
    assert mail.outbox == []


def test_a_mail_server_outage_loses_nothing(pupil, people, settings):
    from pru_cases.testing import free_port

    make_action(make_plan(pupil, people["dsl"]), people["staff"], DAY)
    with on(DAY):
        notifications.reminders_run()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2, "use_tls": False},
        }
    }
    assert notifications.notification_emails_send() == 0
    waiting = Notification.objects.get()
    assert waiting.emailed_at is None and waiting.email_claimed_at is None  # released for the next run
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert notifications.notification_emails_send() == 1
    assert len(mail.outbox) == 1


def test_the_sweeper_releases_a_dead_workers_claim(pupil, people):
    make_action(make_plan(pupil, people["dsl"]), people["staff"], DAY)
    with on(DAY):
        notifications.reminders_run()
    Notification.objects.update(email_claimed_at=datetime.datetime(2026, 12, 1, 7, tzinfo=LONDON))
    with on(DAY, hour=7):
        notifications.notification_emails_sweep()
        assert Notification.objects.get().email_claimed_at is not None  # a fresh claim: its worker may be busy
    with on(DAY, hour=8):
        notifications.notification_emails_sweep()  # the broker is down here: nothing is enqueued, nothing lost
        assert Notification.objects.get().email_claimed_at is None
        assert notifications.notification_emails_send() == 1


# --- overlapping runs ----------------------------------------------------------------------------------------


def _together(count: int, work) -> list:
    """Run `work` in `count` threads released at the same moment, each on its own database connection."""
    barrier = threading.Barrier(count)
    results: list = []
    errors: list = []

    def target() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as error:  # noqa: BLE001 (reported below, in the test's own thread)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_overlapping_passes_and_senders_send_each_reminder_once(pupil, people, settings):
    plan = make_plan(pupil, people["dsl"])
    for n in range(30):
        make_action(plan, people["staff"] if n % 2 else people["specialist"], DAY - days(n % 5))
    with on(DAY + days(1)):
        created = _together(4, lambda: notifications.reminders_run(kinds=[Kind.ACTION_OVERDUE]))
        sent = _together(4, notifications.notification_emails_send)
    assert sum(result[Kind.ACTION_OVERDUE] for result in created) == 30
    assert Notification.objects.count() == 30
    assert sum(sent) == 30
    assert len(mail.outbox) == 30
    assert len({(m.to[0], m.body) for m in mail.outbox}) == 30


def _two_waiting_emails(pupil, people) -> list[Notification]:
    plan = make_plan(pupil, people["dsl"])
    make_action(plan, people["staff"], DAY)
    make_action(plan, people["family_worker"], DAY)
    with on(DAY):
        notifications.reminders_run()
    return list(Notification.objects.order_by("pk"))


def test_an_email_the_backend_refuses_holds_back_no_one_else(pupil, people, monkeypatch):
    first, second = _two_waiting_emails(pupil, people)
    real = notifications._message

    def refuse_the_first(user, *args, **kwargs):
        if user.pk == first.recipient_id:
            raise ValueError("header contains a newline")
        return real(user, *args, **kwargs)

    monkeypatch.setattr(notifications, "_message", refuse_the_first)
    assert notifications.notification_emails_send() == 1
    assert [message.to for message in mail.outbox] == [[second.recipient.email]]
    first.refresh_from_db()
    assert first.emailed_at is None and first.email_claimed_at is None  # still waiting, tried again next run
    monkeypatch.setattr(notifications, "_message", real)
    assert notifications.notification_emails_send() == 1
    assert len(mail.outbox) == 2


def test_an_email_another_worker_took_over_is_not_sent_twice(pupil, people, monkeypatch):
    first, second = _two_waiting_emails(pupil, people)
    real = notifications._message
    elsewhere = datetime.datetime(2026, 1, 1, tzinfo=LONDON)

    def slow_mail_server(user, *args, **kwargs):
        # While this worker sends the first email, the sweeper frees the second and another worker claims it.
        Notification.objects.filter(pk=second.pk).update(email_claimed_at=elsewhere)
        return real(user, *args, **kwargs)

    monkeypatch.setattr(notifications, "_message", slow_mail_server)
    assert notifications.notification_emails_send() == 1
    assert [message.to for message in mail.outbox] == [[first.recipient.email]]
    second.refresh_from_db()
    assert second.emailed_at is None and second.email_claimed_at == elsewhere  # left to the worker holding it


def test_it_sends_subjects_and_plain_text_unescaped(pupil, people):
    """An apostrophe arrives as an apostrophe, not as &#x27;: subjects and text bodies are not HTML."""
    people["specialist"].first_name = "Siobhán O'Neill"
    people["specialist"].save(update_fields=["first_name"])
    _recipient, _path, _too_early, first_day = meeting_agenda(pupil, people, None)
    assert run(first_day, Kind.MEETING_AGENDA) == 1
    with on(first_day):
        assert notifications.notification_emails_send() == 1
    email = mail.outbox[0]
    assert email.subject == "pru_cases: Agenda for tomorrow's meeting"
    assert "Hello Siobhán O'Neill," in email.body
    assert "O&#x27;Neill" in email.alternatives[0].content  # the HTML part is still escaped
    for text in (email.subject, email.body):
        assert "&#" not in text and "&amp;" not in text
