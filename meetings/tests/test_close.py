"""Closing a meeting freezes its minutes and queues its PDFs."""

import datetime

import pytest
from django.urls import reverse

from families.models import FreshStartInterview
from meetings import services
from meetings.models import Action, AgendaItem, Decision, Discussion, Meeting, PdfJob
from meetings.tests.conftest import mark_present

HX = {"HTTP_HX_REQUEST": "true"}


def _close(client, meeting, **extra):
    return client.post(
        reverse("meetings:close", args=[meeting.pk]), {"summary": "A busy week.", "version": meeting.version, **extra}
    )


def test_it_closes_the_meeting_and_queues_the_minutes(client, leader, mdt, item, django_capture_on_commit_callbacks):
    client.force_login(leader)
    with django_capture_on_commit_callbacks() as callbacks:
        response = _close(client, mdt)
    assert response.status_code == 302
    mdt.refresh_from_db()
    assert mdt.status == Meeting.Status.CLOSED and mdt.closed_by == leader and mdt.summary == "A busy week."
    job = PdfJob.objects.get(meeting=mdt)
    assert job.kind == PdfJob.Kind.MINUTES and job.status == PdfJob.Status.PENDING
    assert len(callbacks) == 1  # enqueued after commit, never inside the transaction
    assert mdt.events.filter(pgh_label="update").exists()


def test_a_tac_meeting_queues_the_plan_and_the_family_letter(client, dsl, tac):
    client.force_login(dsl)
    assert _close(client, tac).status_code == 302
    assert set(PdfJob.objects.filter(meeting=tac).values_list("kind", flat=True)) == {
        "minutes",
        "action_plan",
        "family_letter",
    }


@pytest.mark.parametrize(
    "name,data",
    [
        ("discussion", {"text": "Late addition"}),
        ("decision", {"text": "Late decision"}),
        (
            "action_add",
            {
                "description": "x",
                "owner_kind": "family",
                "owner_name": "Sam",
                "due_on": "2030-01-01",
                "success_criteria": "y",
            },
        ),
    ],
)
def test_it_refuses_edits_to_frozen_minutes(client, leader, mdt, item, name, data):
    client.force_login(leader)
    services.discussion_record(item=item, by=leader, text="Before closing")
    assert _close(client, mdt).status_code == 302
    response = client.post(reverse(f"meetings:{name}", args=[mdt.pk, item.pk]), data, **HX)
    assert response.status_code == 409
    assert b"minutes are final" in response.content
    assert Discussion.objects.count() == 1
    assert not Decision.objects.exists() and not Action.objects.exists()


@pytest.mark.parametrize(
    "name,data",
    [
        ("agenda_build", {}),
        ("agenda_add", {"pupil": 0}),
        ("invitee_add", {"name": "Late guest"}),
        ("close", {"version": 2}),
    ],
)
def test_it_refuses_agenda_and_attendance_changes_once_closed(client, leader, mdt, item, name, data):
    client.force_login(leader)
    assert _close(client, mdt).status_code == 302
    if name == "agenda_add":
        data = {"pupil": item.pupil_id}
    response = client.post(reverse(f"meetings:{name}", args=[mdt.pk]), data)
    assert response.status_code == 409


def test_the_database_refuses_changes_to_recorded_minutes(leader, item):
    from django.db import ProgrammingError, transaction

    discussion = services.discussion_record(item=item, by=leader, text="Said once")
    with pytest.raises(ProgrammingError), transaction.atomic():
        Discussion.objects.filter(pk=discussion.pk).update(text="Rewritten")


def test_it_detects_a_stale_close(client, leader, mdt):
    client.force_login(leader)
    response = _close(client, mdt, version=mdt.version + 5)
    assert response.status_code == 409
    mdt.refresh_from_db()
    assert mdt.status == Meeting.Status.PLANNED


def test_closing_feeds_back_discussed_fresh_start_interviews(client, leader, mdt, pupil, staff, family_worker, today):
    interview = FreshStartInterview.objects.create(
        pupil=pupil,
        held_on=today - datetime.timedelta(days=2),
        school_staff=staff,
        agency_member=family_worker,
        positives="Art",
        negatives="Noise",
        goals="College",
        needs="Quiet space",
        recorded_by=staff,
    )
    services.agenda_build(meeting=mdt, by=leader)
    item = mdt.items.get(pupil=pupil)
    assert AgendaItem.Reason.FRESH_START in item.reason_kinds
    services.discussion_record(item=item, by=leader, text="Interview fed back.")
    client.force_login(leader)
    assert _close(client, mdt).status_code == 302
    interview.refresh_from_db()
    assert interview.discussed_at_mdt_on == today


def test_a_member_who_is_not_the_chair_cannot_close(client, staff, mdt):
    client.force_login(staff)
    assert _close(client, mdt).status_code == 403
    mark_present(mdt, staff)
    mdt.refresh_from_db()
    assert mdt.status == Meeting.Status.PLANNED
