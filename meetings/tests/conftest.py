"""Fixtures for the meetings tests: a weekly MDT chaired by the senior leader, with the staff member taking
minutes and the pupil's specialists invited; a TAC meeting about the pupil with a parent as a guest."""

import datetime

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import AgendaItem, Invitee, Meeting


@pytest.fixture(autouse=True)
def meetings_settings(settings, tmp_path):
    # These tests sign people in with force_login; the second factor is tested by the accounts app.
    settings.MFA_REQUIRED_ROLES = []
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    # No broker in most tests: enqueueing fails fast and the job stays pending (robust on_commit).
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def mdt(db, leader, staff, specialist, health_specialist, family_worker, today) -> Meeting:
    return services.meeting_create(
        by=leader,
        kind=Meeting.Kind.MDT,
        title="Thursday MDT",
        held_on=today,
        chair=leader,
        minute_taker=staff,
        recurrence=Meeting.Recurrence.WEEKLY,
        invite=[specialist, health_specialist, family_worker],
    )


@pytest.fixture
def item(mdt, pupil, leader) -> AgendaItem:
    return services.agenda_add_pupil(meeting=mdt, by=leader, pupil=pupil, note="Worried about attendance")


def mark_present(meeting: Meeting, *users) -> None:
    meeting.invitees.filter(user__in=users).update(attendance=Invitee.Attendance.PRESENT)


@pytest.fixture
def tac(db, dsl, pupil, family_worker, specialist, today) -> Meeting:
    meeting = services.meeting_create(
        by=dsl,
        kind=Meeting.Kind.TAC,
        title="Team Around the Child",
        held_on=today,
        chair=dsl,
        pupil=pupil,
        invite=[family_worker, specialist],
    )
    services.invitee_add(meeting=meeting, by=dsl, name="Sam Parent", is_family=True)
    meeting.invitees.update(attendance=Invitee.Attendance.PRESENT)
    return meeting
