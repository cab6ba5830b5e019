"""Scheduling meetings: the weekly MDT and a TAC meeting arranged from the pupil's page."""

from django.urls import reverse

from meetings.models import AgendaItem, Invitee, Meeting
from pru_cases.models import AccessEvent


def _data(chair, **extra):
    return {
        "kind": "mdt",
        "title": "Thursday MDT",
        "held_on": "2026-12-03",
        "starts_at": "09:30",
        "recurrence": "weekly",
        "chair": chair.pk,
        **extra,
    }


def test_it_schedules_a_weekly_mdt(client, leader, staff, specialist):
    client.force_login(leader)
    response = client.post(reverse("meetings:new"), _data(leader, minute_taker=staff.pk, invite=[specialist.pk]))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.recurrence == "weekly" and meeting.minute_taker == staff
    assert set(meeting.invitees.values_list("user", flat=True)) == {leader.pk, staff.pk, specialist.pk}
    assert meeting.events.filter(pgh_label="insert").exists()


def test_it_arranges_a_tac_meeting_from_the_pupil_page(client, dsl, pupil, family_worker):
    client.force_login(dsl)
    url = f"{reverse('meetings:new')}?pupil={pupil.pk}"
    page = client.get(url)
    assert page.status_code == 200 and b"Jordan Example" in page.content
    response = client.post(url, _data(dsl, kind="tac", title="TAC", recurrence="none", invite=[family_worker.pk]))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.kind == "tac" and meeting.pupil == pupil
    assert AgendaItem.objects.get(meeting=meeting).pupil == pupil
    assert AccessEvent.objects.filter(user=dsl, pupil=pupil).exists()


def test_a_tac_meeting_needs_a_pupil_and_keeps_the_input(client, leader):
    client.force_login(leader)
    response = client.post(reverse("meetings:new"), _data(leader, kind="tac", title="Forgot the pupil"))
    assert response.status_code == 400
    assert b"Forgot the pupil" in response.content
    assert not Meeting.objects.exists()


def test_the_chair_must_be_able_to_run_the_meeting(client, leader, staff):
    client.force_login(leader)
    response = client.post(reverse("meetings:new"), _data(staff))
    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_staff_cannot_schedule_meetings(client, pupil, staff):
    client.force_login(staff)
    assert client.get(f"{reverse('meetings:new')}?pupil={pupil.pk}").status_code == 403
    assert client.post(reverse("meetings:new"), _data(staff)).status_code == 403
    assert not Meeting.objects.exists()


def test_the_chair_records_attendance(client, leader, mdt, staff):
    client.force_login(leader)
    invitee = mdt.invitees.get(user=staff)
    response = client.post(reverse("meetings:attendance", args=[mdt.pk]), {f"attendance-{invitee.pk}": "apologies"})
    assert response.status_code == 302
    invitee.refresh_from_db()
    assert invitee.attendance == Invitee.Attendance.APOLOGIES
    response = client.post(reverse("meetings:invitee_add", args=[mdt.pk]), {"name": "Sam Parent", "is_family": "on"})
    assert response.status_code == 302
    assert mdt.invitees.get(name="Sam Parent").is_family
