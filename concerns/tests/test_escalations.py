"""Escalations outside the PRU: opened from a concern, the pupil page or a triage, tracked with an owner, a due date
and an outside reference, reminded when due, and closed only with an outcome."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import notifications
from accounts.models import Notification
from concerns import services
from concerns.models import Concern, Escalation, EscalationRoute, escalation_due_on
from pru_cases.lib.dates import add_working_days
from pru_cases.tests.cast import CAST
from referrals.models import Referral
from referrals.services import referral_triage

pytestmark = pytest.mark.django_db

SUMMARY = "Disclosed an adult at home hits them; MASH duty social worker told by phone."


def _open(pupil, by, **extra) -> Escalation:
    values = {"route": EscalationRoute.MASH, "summary": SUMMARY}
    values.update(extra)
    return services.escalation_open(pupil=pupil, by=by, **values)


def _edit_data(escalation, **extra) -> dict:
    data = {
        "version": escalation.version,
        "route": escalation.route,
        "owner": escalation.owner_id,
        "due_on": escalation.due_on.isoformat(),
        "outside_reference": escalation.outside_reference,
        "summary": escalation.summary,
    }
    data.update(extra)
    return data


def test_due_dates_count_working_days():
    friday = datetime.date(2026, 12, 4)
    assert add_working_days(friday, 1) == datetime.date(2026, 12, 7)
    assert add_working_days(friday, 3) == datetime.date(2026, 12, 9)


def test_it_opens_an_escalation_from_a_concern(client, dsl, staff, pupil):
    concern = Concern.objects.create(pupil=pupil, category="safeguarding", seen="Bruise on arm.", logged_by=staff)
    client.force_login(dsl)
    url = reverse("concerns:escalation_new", args=[pupil.pk])
    page = client.get(f"{url}?concern={concern.pk}")
    assert page.status_code == 200
    assert b"Bruise on arm." in page.content
    response = client.post(
        url,
        {
            "concern": concern.pk,
            "route": "mash",
            "owner": dsl.pk,
            "due_on": escalation_due_on().isoformat(),
            "outside_reference": "MASH-2026-0412",
            "summary": SUMMARY,
        },
    )
    escalation = Escalation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("concerns:escalation", args=[escalation.pk])
    assert (escalation.pupil, escalation.concern, escalation.owner, escalation.opened_by) == (pupil, concern, dsl, dsl)
    assert (escalation.status, escalation.outside_reference) == ("open", "MASH-2026-0412")
    assert escalation.events.filter(pgh_label="insert").exists()
    # the concern page offers the escalation to the DSL
    assert url.encode() in client.get(reverse("concerns:review", args=[concern.pk])).content


def test_it_keeps_the_form_when_the_input_is_refused(client, dsl, pupil):
    client.force_login(dsl)
    url = reverse("concerns:escalation_new", args=[pupil.pk])
    too_late = timezone.localdate() + datetime.timedelta(days=400)
    response = client.post(url, {"route": "mash", "owner": dsl.pk, "due_on": too_late.isoformat(), "summary": SUMMARY})
    assert response.status_code == 400
    assert b"six months" in response.content
    assert SUMMARY.encode() in response.content
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(url, {"route": "mash", "owner": dsl.pk, "due_on": yesterday.isoformat(), "summary": SUMMARY})
    assert response.status_code == 400
    assert not Escalation.objects.exists()


def test_the_owner_must_be_a_dsl_or_leader(dsl, staff, pupil):
    with pytest.raises(Exception, match="owner"):
        _open(pupil, dsl, owner=staff)


def test_it_tells_the_owner_when_someone_else_opens_it(dsl, leader, pupil):
    escalation = _open(pupil, dsl, owner=leader)
    alert = Notification.objects.get(recipient=leader, kind=Notification.Kind.ESCALATION_OWNED)
    assert alert.object_id == escalation.pk
    assert alert.pupil_ref == pupil.pk
    assert alert.path == reverse("concerns:escalation", args=[escalation.pk])
    _open(pupil, dsl)  # owned by the opener: nobody is told
    assert not Notification.objects.filter(recipient=dsl).exists()


def test_it_runs_the_lifecycle_open_update_close(client, dsl, leader, pupil):
    escalation = _open(pupil, dsl)
    client.force_login(dsl)
    page = client.get(reverse("concerns:escalation", args=[escalation.pk]))
    assert page.status_code == 200
    assert SUMMARY.encode() in page.content
    later = escalation.due_on + datetime.timedelta(days=2)
    response = client.post(
        reverse("concerns:escalation_edit", args=[escalation.pk]),
        _edit_data(escalation, owner=leader.pk, due_on=later.isoformat(), outside_reference="Log 123 of 01/12"),
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert (escalation.owner, escalation.due_on, escalation.outside_reference) == (leader, later, "Log 123 of 01/12")
    assert escalation.version == 2
    assert Notification.objects.filter(recipient=leader, kind=Notification.Kind.ESCALATION_OWNED).exists()

    close = reverse("concerns:escalation_close", args=[escalation.pk])
    response = client.post(close, {"version": escalation.version, "outcome": "", "outcome_note": "Waiting"})
    assert response.status_code == 400  # the outcome is required
    escalation.refresh_from_db()
    assert escalation.status == "open"
    response = client.post(
        close, {"version": escalation.version, "outcome": "section_47", "outcome_note": "Strategy discussion held."}
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert (escalation.status, escalation.outcome, escalation.closed_by) == ("closed", "section_47", dsl)
    assert escalation.closed_at is not None
    assert list(escalation.events.order_by("pgh_id").values_list("pgh_label", flat=True)) == [
        "insert",
        "update",
        "update",
    ]
    # closed: no more changes
    response = client.post(reverse("concerns:escalation_edit", args=[escalation.pk]), _edit_data(escalation))
    assert response.status_code == 400
    assert b"closed" in response.content


def test_it_refuses_a_stale_edit_with_409_and_keeps_it(client, dsl, pupil):
    escalation = _open(pupil, dsl)
    services.escalation_update(
        escalation=escalation,
        by=dsl,
        version=1,
        route=escalation.route,
        owner=dsl,
        due_on=escalation.due_on,
        outside_reference="MASH-1",
        summary=escalation.summary,
    )
    client.force_login(dsl)
    response = client.post(
        reverse("concerns:escalation_edit", args=[escalation.pk]),
        _edit_data(escalation, version=1, outside_reference="MASH-2"),
    )
    assert response.status_code == 409
    assert b"MASH-2" in response.content
    escalation.refresh_from_db()
    assert escalation.outside_reference == "MASH-1"
    response = client.post(
        reverse("concerns:escalation_close", args=[escalation.pk]), {"version": 1, "outcome": "no_further_action"}
    )
    assert response.status_code == 409
    escalation.refresh_from_db()
    assert escalation.status == "open"


def test_an_escalated_triage_opens_the_escalation(dsl, staff, pupil):
    referral = Referral.objects.create(pupil=pupil, specialism="youth_justice", reasons="Out late.", raised_by=staff)
    referral_triage(referral=referral, by=dsl, outcome="escalated", escalation="police_safe_and_well", note="Call 101")
    referral.refresh_from_db()
    escalation = referral.escalation_record
    assert escalation is not None
    assert (escalation.route, escalation.owner, escalation.opened_by) == ("police_safe_and_well", dsl, dsl)
    # never the triage note: on a health referral it is health detail, and staff read it on the referral
    assert escalation.summary == f"Escalated when referral #{referral.pk} was triaged."
    assert escalation.due_on == escalation_due_on()
    assert Referral.Escalation is EscalationRoute


def test_the_owner_is_reminded_once_when_it_is_due(dsl, leader, pupil):
    escalation = _open(pupil, dsl, owner=leader)
    before = escalation.due_on - datetime.timedelta(days=1)
    assert notifications.reminders_run(kinds=["escalation_due"], today=before) == {"escalation_due": 0}
    assert notifications.reminders_run(kinds=["escalation_due"], today=escalation.due_on) == {"escalation_due": 1}
    later = escalation.due_on + datetime.timedelta(days=3)
    assert notifications.reminders_run(kinds=["escalation_due"], today=later) == {"escalation_due": 0}
    reminder = Notification.objects.get(kind=Notification.Kind.ESCALATION_DUE)
    assert (reminder.recipient, reminder.object_id, reminder.due_on) == (leader, escalation.pk, escalation.due_on)
    assert reminder.path == reverse("concerns:escalation", args=[escalation.pk])
    assert reminder.title.startswith("An escalation you own is due on")


def test_a_closed_escalation_is_not_reminded(dsl, pupil):
    escalation = _open(pupil, dsl)
    services.escalation_close(escalation=escalation, by=dsl, version=1, outcome="no_further_action")
    later = escalation.due_on + datetime.timedelta(days=3)
    assert notifications.reminders_run(kinds=["escalation_due"], today=later) == {"escalation_due": 0}


def test_the_queue_lists_open_escalations_with_overdue_marked(client, dsl, pupil):
    overdue = _open(pupil, dsl)
    Escalation.objects.filter(pk=overdue.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    closed = _open(pupil, dsl, route="early_help_assessment")
    services.escalation_close(escalation=closed, by=dsl, version=1, outcome="early_help_plan")
    client.force_login(dsl)
    page = client.get(reverse("concerns:escalations"))
    assert page.status_code == 200
    assert page.content.count(b"MASH referral") == 1
    assert b"Early help assessment" not in page.content
    assert b"overdue" in page.content
    home = client.get("/")
    assert b"Escalations without an outcome" in home.content


# Access: escalations are child-protection detail, for the DSL and senior leaders only ---------------------------

MANAGERS = ("dsl", "leader")
IN_SCOPE = ("dsl", "leader", "staff", "specialist", "health_specialist", "family_worker")


@pytest.mark.parametrize("role", CAST)
def test_only_leaders_and_the_dsl_reach_an_escalation(client, cast, role, pupil):
    escalation = _open(pupil, cast["dsl"], outside_reference="POLICE-LOG-77")
    client.force_login(cast[role])
    detail = client.get(reverse("concerns:escalation", args=[escalation.pk]))
    assert detail.status_code == (200 if role in MANAGERS else 404)
    edit = client.post(reverse("concerns:escalation_edit", args=[escalation.pk]), _edit_data(escalation))
    assert edit.status_code == (302 if role in MANAGERS else 404)
    new = client.get(reverse("concerns:escalation_new", args=[pupil.pk]))
    assert new.status_code == (200 if role in MANAGERS else 403 if role in IN_SCOPE else 404)
    queue = client.get(reverse("concerns:escalations"))
    assert queue.status_code == (200 if role in MANAGERS else 403)
    page = client.get(reverse("pupils:detail", args=[pupil.pk]))
    if role in IN_SCOPE:
        assert page.status_code == 200
        shown = b"POLICE-LOG-77" in page.content
        assert shown == (role in MANAGERS)
        assert (b"Escalations and statutory meetings" in page.content) == (role in MANAGERS)
    else:
        assert page.status_code == 404


def test_a_leader_does_not_get_a_link_to_a_health_referral_behind_an_escalation(client, dsl, leader, staff, pupil):
    referral = Referral.objects.create(pupil=pupil, specialism="camhs", reasons="Low mood, self-harm.", raised_by=staff)
    referral_triage(referral=referral, by=dsl, outcome="escalated", escalation="child_protection", note="Clinical")
    escalation = Escalation.objects.get()
    client.force_login(dsl)
    assert reverse("referrals:detail", args=[referral.pk]) in client.get(escalation_url(escalation)).content.decode()
    client.force_login(leader)
    page = client.get(escalation_url(escalation)).content.decode()
    assert reverse("referrals:detail", args=[referral.pk]) not in page
    assert "Clinical" not in page and "self-harm" not in page


def escalation_url(escalation) -> str:
    return reverse("concerns:escalation", args=[escalation.pk])


def test_another_pupils_concern_is_refused_not_dropped(client, dsl, staff, pupil, other_pupil):
    elsewhere = Concern.objects.create(pupil=other_pupil, category="safeguarding", seen="Elsewhere.", logged_by=staff)
    client.force_login(dsl)
    url = reverse("concerns:escalation_new", args=[pupil.pk])
    assert client.get(f"{url}?concern={elsewhere.pk}").status_code == 404
    response = client.post(url, {"concern": elsewhere.pk, "route": "mash", "summary": "Passed on."})
    assert response.status_code == 404
    assert not Escalation.objects.exists()


def test_a_leader_sees_the_escalations_they_own_on_their_home_page(client, dsl, leader, pupil, other_pupil):
    theirs = _open(pupil, dsl, owner=leader)
    _open(other_pupil, dsl)
    client.force_login(leader)
    page = client.get("/").content.decode()
    assert "Escalations without an outcome" in page
    assert escalation_url(theirs) in page
    assert other_pupil.last_name not in page
