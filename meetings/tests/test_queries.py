"""Meeting pages keep the same number of queries however long the agenda or lists grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.models import Concern
from conftest import make_pupil
from meetings import services
from meetings.models import Action, Meeting
from meetings.tests.conftest import mark_present
from referrals.models import Referral


def _fill(meeting, leader, staff, site, count, today):
    for n in range(count):
        pupil = make_pupil(site, first_name=f"Pupil{n}", last_name=f"Q{meeting.items.count()}", upn="")
        Concern.objects.create(pupil=pupil, category="behaviour", seen="Shouting.", logged_by=staff)
        Referral.objects.create(pupil=pupil, specialism="careers", reasons="Advice.", raised_by=staff)
        item = services.agenda_add_pupil(meeting=meeting, by=leader, pupil=pupil)
        services.action_add(
            item=item,
            by=leader,
            description="Call",
            owner_kind="staff",
            owner_user=staff,
            due_on=today + datetime.timedelta(days=3),
            success_criteria="Called",
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_meeting_screen_is_constant_in_the_agenda_length(
    client, mdt, leader, staff, specialist, site, today, django_assert_max_num_queries
):
    mark_present(mdt, leader, staff, specialist)
    client.force_login(leader)
    url = reverse("meetings:screen", args=[mdt.pk])
    _fill(mdt, leader, staff, site, 3, today)
    small = _count(client, url)
    _fill(mdt, leader, staff, site, 30, today)
    assert _count(client, url) == small
    with django_assert_max_num_queries(40):
        client.get(url)


def test_one_case_is_constant_in_the_data_size(client, mdt, leader, staff, site, today):
    mark_present(mdt, leader, staff)
    client.force_login(leader)
    _fill(mdt, leader, staff, site, 2, today)
    first = mdt.items.first()
    url = reverse("meetings:case", args=[mdt.pk, first.pk])
    small = _count(client, url)
    for _ in range(10):
        Concern.objects.create(pupil=first.pupil, category="attendance", seen="Absent.", logged_by=staff)
        services.action_add(
            item=first,
            by=leader,
            description="More",
            owner_kind="agency",
            owner_agency=staff.agency,
            due_on=today,
            success_criteria="Done",
        )
    assert _count(client, url) == small


@pytest.mark.parametrize("page", ["meetings:list", "meetings:actions"])
def test_the_lists_are_constant_in_their_length(client, dsl, leader, staff, site, today, page):
    client.force_login(dsl)
    url = reverse(page)

    def grow(n):
        for k in range(n):
            meeting = services.meeting_create(
                by=leader, kind=Meeting.Kind.AD_HOC, title=f"Meeting {k}", held_on=today, chair=leader, invite=[staff]
            )
            _fill(meeting, leader, staff, site, 1, today)

    grow(2)
    small = _count(client, url)
    grow(12)
    assert _count(client, url) == small
    assert Action.objects.count() == 14


def test_the_agenda_builder_is_constant_in_the_number_of_pupils(
    mdt, leader, staff, site, today, django_assert_num_queries
):
    _fill(mdt, leader, staff, site, 0, today)
    for n in range(5):
        make_pupil(site, first_name=f"New{n}", last_name="Pupil", entry_date=today)
    with CaptureQueriesContext(connection) as small:
        services.agenda_build(meeting=mdt, by=leader)
    other = services.meeting_create(by=leader, kind=Meeting.Kind.MDT, title="Next", held_on=today, chair=leader)
    for n in range(25):
        make_pupil(site, first_name=f"Later{n}", last_name="Pupil", entry_date=today)
    with CaptureQueriesContext(connection) as large:
        services.agenda_build(meeting=other, by=leader)
    assert len(large) == len(small)
