"""Event alerts: the right people hear at once when something happens, once each, naming the pupil in the app only."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import notification_emails_send, notify
from accounts.tests.conftest import with_email
from concerns.services import concern_log
from conftest import make_user
from meetings import services as meetings
from meetings.models import Action, Meeting
from pupils.models import Allocation, Pupil
from referrals import services as referrals

NAME = "Jordan Example"


def _alerts(kind, **filters):
    return Notification.objects.filter(kind=kind, **filters)


def test_a_safeguarding_concern_tells_every_active_dsl_once_and_nobody_else(staff, dsl, leader, pupil, pru_agency):
    second_dsl = make_user("dsl2", "dsl", agency=pru_agency)
    retired = make_user("dsl3", "dsl", agency=pru_agency, is_active=False)
    concern = concern_log(pupil=pupil, by=staff, category="safeguarding", seen="Said they were hit at home.")
    alerts = _alerts(Notification.Kind.SAFEGUARDING_CONCERN)
    assert sorted(alerts.values_list("recipient_id", flat=True)) == sorted([dsl.pk, second_dsl.pk])
    assert retired.pk not in alerts.values_list("recipient_id", flat=True)
    alert = alerts.get(recipient=dsl)
    assert alert.path == reverse("concerns:review", args=[concern.pk]) and alert.pupil_ref == pupil.pk
    # A retried service, or the same event recorded twice, tells nobody twice.
    notify(
        kind=alert.kind, recipients=[dsl], object_id=concern.pk, occasion="logged", path=alert.path, pupil_id=pupil.pk
    )
    assert alerts.count() == 2
    # Other categories are for the log, not an alert.
    concern_log(pupil=pupil, by=staff, category="punctuality", seen="Late again.")
    assert alerts.count() == 2


def test_the_dsl_who_logs_a_concern_is_not_told_of_their_own(dsl, pupil):
    concern_log(pupil=pupil, by=dsl, category="safeguarding", seen="Disclosure in the corridor.")
    assert not _alerts(Notification.Kind.SAFEGUARDING_CONCERN).exists()


def test_the_pattern_of_concerns_tells_the_dsl_when_it_is_reached(staff, dsl, pupil, settings):
    settings.CONCERN_PATTERN_COUNT = 3
    for text in ("Late.", "Upset.", "Withdrawn."):
        concern_log(pupil=pupil, by=staff, category="wellbeing", seen=text)
    alert = _alerts(Notification.Kind.CONCERN_PATTERN).get()
    assert alert.recipient == dsl and alert.pupil_ref == pupil.pk
    assert alert.path == reverse("pupils:detail", args=[pupil.pk])
    concern_log(pupil=pupil, by=staff, category="wellbeing", seen="Again.")
    assert _alerts(Notification.Kind.CONCERN_PATTERN).count() == 1


@pytest.fixture
def referral(staff, pupil):
    return referrals.referral_create(
        pupil=pupil, by=staff, specialism="youth_justice", reasons="Police contact twice this month."
    )


@pytest.mark.parametrize(
    "outcome, extra, words",
    [
        ("declined", {"reason": "Already open to the youth justice service."}, "Already open to the youth justice"),
        ("signposted", {"offer": "Lunchtime mentoring"}, "Lunchtime mentoring"),
        ("escalated", {"escalation": "early_help_assessment"}, "Escalated: Early help assessment"),
    ],
)
def test_the_referrer_hears_the_triage_outcome_and_why(client, referral, dsl, staff, specialist, outcome, extra, words):
    referrals.referral_triage(referral=referral, by=dsl, outcome=outcome, **extra)
    alert = _alerts(Notification.Kind.REFERRAL_TRIAGED).get()
    assert alert.recipient == staff and alert.occasion == outcome
    assert words in alert.detail
    assert NAME not in alert.title  # the title is what an email says
    assert not _alerts(Notification.Kind.REFERRAL_ALLOCATED).exists()
    client.force_login(staff)
    page = client.get(reverse("notifications")).content.decode()
    assert NAME in page and words in page


def test_an_allocated_specialist_is_told_and_the_referrer_hears_who(referral, dsl, staff, specialist):
    referrals.referral_triage(referral=referral, by=dsl, outcome="allocated", specialist=specialist)
    allocated = _alerts(Notification.Kind.REFERRAL_ALLOCATED).get()
    assert allocated.recipient == specialist
    assert allocated.path == reverse("referrals:detail", args=[referral.pk])
    assert str(specialist) in _alerts(Notification.Kind.REFERRAL_TRIAGED).get(recipient=staff).detail


def test_the_asker_hears_that_an_information_request_was_answered(staff, dsl, pupil, yjs_agency):
    asked = referrals.information_request_create(pupil=pupil, by=staff, agency=yjs_agency, question="Any history?")
    referrals.information_request_answer(
        request=asked, by=dsl, answered_on=timezone.localdate(), answer="Known since 2024."
    )
    alert = _alerts(Notification.Kind.INFORMATION_ANSWERED).get()
    assert alert.recipient == staff and alert.pupil_ref == pupil.pk
    assert "Known since 2024" not in alert.detail  # the answer stays on the record, behind its field group


def test_an_action_given_to_someone_else_tells_them(leader, staff, pupil):
    meeting = meetings.meeting_create(
        by=leader, kind=Meeting.Kind.MDT, title="MDT", held_on=timezone.localdate(), chair=leader
    )
    item = meetings.agenda_add_pupil(meeting=meeting, by=leader, pupil=pupil)
    action = meetings.action_add(
        item=item,
        by=leader,
        description="Phone home about attendance",
        owner_kind=Action.Owner.STAFF,
        owner_user=staff,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        success_criteria="A call logged",
    )
    alert = _alerts(Notification.Kind.ACTION_ASSIGNED).get()
    assert alert.recipient == staff and alert.path == reverse("meetings:action", args=[action.pk])
    meetings.action_add(
        item=item,
        by=leader,
        description="The chair's own action",
        owner_kind=Action.Owner.STAFF,
        owner_user=leader,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        success_criteria="Done",
    )
    assert _alerts(Notification.Kind.ACTION_ASSIGNED).count() == 1


def test_the_app_names_the_pupil_and_the_email_does_not(client, staff, dsl, pupil, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with_email(dsl)
    concern_log(pupil=pupil, by=staff, category="safeguarding", seen="Bruise on the arm.")
    client.force_login(dsl)
    page = client.get(reverse("notifications")).content.decode()
    assert f"A safeguarding concern was logged: {NAME}" in page
    assert notification_emails_send() == 1
    body = mail.outbox[0].body + str(mail.outbox[0].alternatives)
    assert NAME not in body and "Jordan" not in mail.outbox[0].subject and "Bruise" not in body
    # Open goes to the exact record, which opens for the DSL.
    alert = _alerts(Notification.Kind.SAFEGUARDING_CONCERN).get()
    response = client.post(reverse("notification_open", args=[alert.pk]))
    assert response.status_code == 302 and response.url == alert.path
    assert client.get(alert.path).status_code == 200


def test_someone_who_lost_the_pupil_sees_the_alert_without_the_name(client, referral, dsl, specialist, pupil):
    referrals.referral_triage(referral=referral, by=dsl, outcome="allocated", specialist=specialist)
    Allocation.objects.filter(user=specialist).update(ended_on=timezone.localdate())
    Pupil.objects.filter(pk=pupil.pk).update(key_worker=None)
    client.force_login(specialist)
    page = client.get(reverse("notifications")).content.decode()
    assert "A referral was allocated to you" in page
    assert NAME not in page and "You no longer work with this pupil" in page
    alert = _alerts(Notification.Kind.REFERRAL_ALLOCATED).get()
    assert client.get(alert.path).status_code == 404


def test_the_list_groups_alerts_by_pupil(client, staff, dsl, pupil, other_pupil):
    for target in (pupil, other_pupil, pupil):
        concern_log(pupil=target, by=dsl if target == other_pupil else staff, category="safeguarding", seen="Seen.")
    client.force_login(dsl)
    page = client.get(reverse("notifications")).content.decode()
    assert page.count('<h2 class="h6 mb-1" id="notification-group-') == 1  # the DSL logged the other one
    assert page.count(f": {NAME}") == 2


def test_a_referrer_outside_health_hears_a_health_referrals_outcome_without_its_detail(client, staff, dsl, pupil):
    health = referrals.referral_create(pupil=pupil, by=staff, specialism="camhs", reasons="Low mood for weeks.")
    referrals.referral_triage(referral=health, by=dsl, outcome="declined", reason="Open to the eating disorder team.")
    alert = _alerts(Notification.Kind.REFERRAL_TRIAGED).get()
    assert alert.recipient == staff and alert.occasion == "declined"
    assert alert.detail == ""
    assert alert.path == reverse("pupils:detail", args=[pupil.pk])  # the referral itself is closed to them
    client.force_login(staff)
    page = client.get(reverse("notifications")).content.decode()
    assert NAME in page and "eating disorder" not in page


def test_the_admin_list_of_notifications_shows_no_pupil_or_detail(client, leader, staff, dsl, pupil):
    referral = referrals.referral_create(pupil=pupil, by=staff, specialism="youth_justice", reasons="Out late.")
    referrals.referral_triage(referral=referral, by=dsl, outcome="declined", reason="Already open to the YOT.")
    alert = _alerts(Notification.Kind.REFERRAL_TRIAGED).get()
    client.force_login(leader)
    page = client.get(reverse("admin:accounts_notification_change", args=[alert.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Already open to the YOT" not in body
    assert reverse("referrals:detail", args=[referral.pk]) not in body
