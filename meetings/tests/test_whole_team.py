"""Meetings with the whole team in the room: the MDT sharing basis, TACs about their child, closing with carry-over,
the chair present, the pupil picker, attendance in one form and meeting dates within the records."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from concerns.models import Concern
from meetings import services
from meetings.documents import minutes_context
from meetings.models import AgendaItem, Invitee, Meeting, SharingBasis
from meetings.selectors import meetings_visible_to, room_for, shareable_pupil_ids
from meetings.tests.conftest import mark_present
from pru_cases.access import FieldGroup, can_read_field_group
from pru_cases.models import AccessEvent
from pru_cases.tests.cast import CAST
from pupils.models import Allocation
from pupils.selectors import pupils_visible_to

HEALTH_SENTINEL = "Sentinel-asthma-7731"
CONCERN_SENTINEL = "Sentinel-bruise-on-the-left-arm"


@pytest.fixture
def basis(dsl, yjs_agency, today):
    return services.sharing_basis_save(
        by=dsl,
        site=None,
        agreement="MDT information-sharing agreement v2, kept by the DSL",
        agreed_on=today - datetime.timedelta(days=30),
        lawful_basis="UK GDPR Art. 6(1)(e) and 9(2)(g); Children Act 2004 s.10.",
        agencies=[yjs_agency],
    )


@pytest.fixture
def agenda(mdt, leader, pupil, other_pupil, health_record, outsider, dsl):
    health_record.conditions = HEALTH_SENTINEL
    health_record.save()
    Concern.objects.create(
        pupil=pupil, category="safeguarding", seen=CONCERN_SENTINEL, logged_by=dsl, status=Concern.Status.OPEN
    )
    services.invitee_add(meeting=mdt, by=leader, user=outsider)
    first = services.agenda_add_pupil(meeting=mdt, by=leader, pupil=pupil)
    second = services.agenda_add_pupil(meeting=mdt, by=leader, pupil=other_pupil)
    return first, second


def _screen(client, user, item):
    client.force_login(user)
    return client.get(reverse("meetings:screen", args=[item.meeting_id]) + f"?item={item.pk}")


def test_a_core_member_present_sees_every_cases_summary_but_no_health_or_concern_detail(
    client, mdt, agenda, basis, leader, outsider
):
    mark_present(mdt, leader, outsider)  # the outsider works with neither pupil but is a core member (YJS)
    for item in agenda:
        page = _screen(client, leader, item).content.decode()
        assert item.pupil.full_name in page
        assert "Held back" not in page.split('id="case"')[1]
        assert HEALTH_SENTINEL not in page
        assert CONCERN_SENTINEL not in page
        assert "Summary only" in page
    shared = AccessEvent.objects.filter(user=outsider, outcome=AccessEvent.Outcome.SHARED)
    assert set(shared.values_list("pupil_id", flat=True)) == {item.pupil_id for item in agenda}
    assert all(f"meeting {mdt.pk}" in reason for reason in shared.values_list("reason", flat=True))


def test_without_the_basis_the_same_room_holds_the_cases_back_and_names_who(client, mdt, agenda, leader, outsider):
    mark_present(mdt, leader, outsider)
    page = _screen(client, leader, agenda[0]).content.decode()
    assert agenda[0].pupil.full_name not in page.split('id="case"')[1]
    assert "Held back because of" in page and str(outsider) in page
    assert not AccessEvent.objects.filter(outcome=AccessEvent.Outcome.SHARED).exists()


def test_someone_outside_the_basis_holds_back_only_the_cases_they_do_not_work_with(
    mdt, agenda, basis, leader, outsider, other_staff
):
    services.invitee_add(meeting=mdt, by=leader, user=other_staff)  # PRU staff at the other pupil's centre
    mark_present(mdt, leader, outsider, other_staff)
    room = room_for(mdt, leader, {item.pupil_id for item in agenda})
    first, second = agenda
    assert not room.shows(first) and room.shows(second)
    assert room.held_back_by[first.pupil_id] == [f"{other_staff} ({other_staff.agency})"]
    assert not room.shows_detail(second)  # the outsider sees it only under the basis


def test_the_minutes_follow_the_basis_for_whoever_downloads_them(mdt, agenda, basis, leader, outsider, staff):
    mark_present(mdt, leader, outsider)
    for item in agenda:
        services.discussion_record(item=item, by=leader, text="Discussed.")
    named = {entry["item"].pupil_id for entry in minutes_context(mdt, outsider)["items"] if entry["shown"]}
    assert named == {item.pupil_id for item in agenda}
    # The minute-taker (PRU staff at the first pupil's centre) is no core member: the other centre's case is held.
    held = [entry for entry in minutes_context(mdt, staff)["items"] if not entry["shown"]]
    assert [entry["item"].pupil_id for entry in held] == [agenda[1].pupil_id]


def test_only_the_dsl_records_the_sharing_basis(client, leader, dsl, yjs_agency, today):
    with pytest.raises(PermissionDenied):
        services.sharing_basis_save(
            by=leader, site=None, agreement="x", agreed_on=today, lawful_basis="y", agencies=[yjs_agency]
        )
    client.force_login(leader)
    assert client.get(reverse("meetings:sharing_basis")).status_code == 200
    assert client.get(reverse("meetings:sharing_basis_edit")).status_code == 403
    client.force_login(dsl)
    response = client.post(
        reverse("meetings:sharing_basis_edit"),
        {
            "agreement": "Agreement v3",
            "agreed_on": today.isoformat(),
            "lawful_basis": "Public task.",
            "agencies": [yjs_agency.pk],
        },
    )
    assert response.status_code == 302
    basis = SharingBasis.objects.get()
    assert list(basis.agencies.all()) == [yjs_agency]
    response = client.post(
        reverse("meetings:sharing_basis_edit"),
        {"agreement": "Agreement v3", "agreed_on": "2999-01-01", "lawful_basis": "Public task.", "version": "1"},
    )
    assert response.status_code == 400
    assert b"cannot be dated in the future" in response.content


# TAC meetings are about their child -----------------------------------------------------------------------------


def test_a_tac_agenda_is_never_built_from_the_whole_pru(client, tac, dsl, other_pupil):
    with pytest.raises(ValidationError):
        services.agenda_build(meeting=tac, by=dsl)
    client.force_login(dsl)
    response = client.post(reverse("meetings:agenda_build", args=[tac.pk]))
    assert response.status_code == 400
    assert list(tac.items.values_list("pupil_id", flat=True)) == [tac.pupil_id]


def test_a_colleague_invited_to_a_tac_is_the_team_around_the_child_for_it(tac, dsl, other_staff):
    services.invitee_add(meeting=tac, by=dsl, user=other_staff)
    mark_present(tac, other_staff)
    room = room_for(tac, dsl, {tac.pupil_id})
    assert room.summary_pupil_ids == {tac.pupil_id}
    assert room.shares_only(other_staff, tac.pupil_id)


def test_inviting_to_a_tac_can_allocate_the_colleague_to_the_child(client, tac, dsl, outsider):
    client.force_login(dsl)
    response = client.post(reverse("meetings:invitee_add", args=[tac.pk]), {"people": [outsider.pk], "allocate": "on"})
    assert response.status_code == 302
    assert Allocation.objects.filter(pupil=tac.pupil, user=outsider, ended_on__isnull=True).exists()
    assert tac.invitees.filter(user=outsider).exists()


# Closing ---------------------------------------------------------------------------------------------------------


def test_closing_asks_first_and_carries_what_was_not_reached_over(client, mdt, leader, pupil, other_pupil):
    reached = services.agenda_add_pupil(meeting=mdt, by=leader, pupil=pupil)
    missed = services.agenda_add_pupil(meeting=mdt, by=leader, pupil=other_pupil)
    services.discussion_record(item=reached, by=leader, text="Going well.")
    client.force_login(leader)
    page = client.get(reverse("meetings:close", args=[mdt.pk]))
    assert page.status_code == 200
    assert b"Not reached (1)" in page.content and other_pupil.full_name.encode() in page.content
    mdt.refresh_from_db()
    assert mdt.is_open  # asking changes nothing
    response = client.post(
        reverse("meetings:close", args=[mdt.pk]), {"version": mdt.version, "carry_over": "on", "summary": ""}
    )
    assert response.status_code == 302
    missed.refresh_from_db()
    assert missed.status == AgendaItem.Status.CARRIED_OVER
    following = services.meeting_schedule_next(meeting=Meeting.objects.get(pk=mdt.pk), by=leader)
    carried = following.items.get()
    assert carried.pupil_id == other_pupil.pk and carried.carried_from_id == missed.pk
    assert AgendaItem.Reason.CARRIED_OVER in carried.reason_kinds
    minutes = minutes_context(Meeting.objects.get(pk=mdt.pk), leader)
    assert [entry["item"].pk for entry in minutes["items"]] == [reached.pk]
    assert [entry["item"].pk for entry in minutes["carried"]] == [missed.pk]


def test_items_carried_from_a_closed_meeting_join_the_next_agenda_built(leader, pupil, today):
    first = services.meeting_create(
        by=leader, kind=Meeting.Kind.MDT, title="MDT", held_on=today - datetime.timedelta(days=7), chair=leader
    )
    services.agenda_add_pupil(meeting=first, by=leader, pupil=pupil)
    services.meeting_close(meeting=first, by=leader)
    second = services.meeting_create(by=leader, kind=Meeting.Kind.MDT, title="MDT", held_on=today, chair=leader)
    services.agenda_build(meeting=second, by=leader)
    item = second.items.get(pupil=pupil)
    assert AgendaItem.Reason.CARRIED_OVER in item.reason_kinds
    services.agenda_build(meeting=second, by=leader)  # built again: carried once only
    assert second.items.filter(pupil=pupil).count() == 1


def test_the_chair_and_whoever_records_are_present(mdt, leader, dsl, item):
    services.discussion_record(item=item, by=dsl, text="The DSL stepped in.")
    assert mdt.invitees.get(user=dsl).attendance == Invitee.Attendance.PRESENT
    services.meeting_close(meeting=mdt, by=dsl)
    assert mdt.invitees.get(user=leader).attendance == Invitee.Attendance.PRESENT
    assert leader in [invitee.user for invitee in minutes_context(mdt, dsl)["present"]]


# The picker, attendance and dates ----------------------------------------------------------------------------------


def test_a_pupil_is_added_by_the_picker_and_a_wrong_one_is_an_error_on_the_form(client, mdt, leader, staff, pupil):
    client.force_login(leader)
    unknown = client.post(reverse("meetings:agenda_add", args=[mdt.pk]), {"pupil": "999999", "note": "Worried"})
    assert unknown.status_code == 400
    assert b"type part of their name and pick them" in unknown.content
    assert b"Worried" in unknown.content  # what was typed is kept
    added = client.post(reverse("meetings:agenda_add", args=[mdt.pk]), {"pupil": pupil.pk, "note": "Worried"})
    assert added.status_code == 302
    assert mdt.items.filter(pupil=pupil).exists()
    page = client.get(reverse("meetings:detail", args=[mdt.pk])).content.decode()
    assert reverse("concerns:pupil_search") in page and "Pupil number" not in page


def test_attendance_for_everyone_is_one_form(client, mdt, leader, specialist, family_worker):
    client.force_login(leader)
    invitees = {invitee.user_id: invitee.pk for invitee in mdt.invitees.all()}
    data = {f"attendance-{pk}": "present" for pk in invitees.values()}
    data[f"attendance-{invitees[family_worker.pk]}"] = "apologies"
    response = client.post(reverse("meetings:attendance", args=[mdt.pk]), data)
    assert response.status_code == 302
    assert mdt.invitees.get(user=specialist).attendance == "present"
    assert mdt.invitees.get(user=family_worker).attendance == "apologies"
    data[f"attendance-{invitees[specialist.pk]}"] = "asleep"
    refused = client.post(reverse("meetings:attendance", args=[mdt.pk]), data)
    assert refused.status_code == 400
    assert mdt.invitees.get(user=specialist).attendance == "present"


@pytest.mark.parametrize("held_on", ["1999-01-01", "2200-06-01"])
def test_a_meeting_date_outside_the_records_is_refused_on_the_form(client, leader, pupil, held_on):
    client.force_login(leader)
    response = client.post(
        reverse("meetings:new"),
        {
            "kind": "mdt",
            "title": "MDT",
            "held_on": held_on,
            "starts_at": "09:30",
            "recurrence": "none",
            "chair": leader.pk,
        },
    )
    assert response.status_code == 400
    assert not Meeting.objects.exists()
    assert b"check the year" in response.content or b"more than a year ahead" in response.content


# Every new surface, walked as every role of the cast ---------------------------------------------------------------


@pytest.mark.parametrize("role", CAST)
def test_no_meeting_surface_names_a_pupil_or_health_detail_its_reader_may_not_see(
    request, client, mdt, agenda, basis, leader, outsider, other_staff, role
):
    services.invitee_add(meeting=mdt, by=leader, user=other_staff)
    mark_present(mdt, leader, outsider)
    user = request.getfixturevalue(role)
    client.force_login(user)
    pupil_ids = {item.pupil_id for item in agenda}
    own = set(pupils_visible_to(user).filter(pk__in=pupil_ids).values_list("pk", flat=True))
    allowed = own | shareable_pupil_ids(mdt, user, pupil_ids)
    urls = [
        reverse("meetings:detail", args=[mdt.pk]),
        reverse("meetings:screen", args=[mdt.pk]),
        reverse("meetings:close", args=[mdt.pk]),
        reverse("meetings:sharing_basis"),
        reverse("meetings:sharing_basis_edit"),
        *(reverse("meetings:case", args=[mdt.pk, item.pk]) for item in agenda),
    ]
    opened = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        if response.status_code != 200:
            continue
        opened += 1
        page = response.content.decode()
        for item in agenda:
            if item.pupil_id not in allowed:
                assert item.pupil.last_name not in page, (url, item.pupil)
        if not can_read_field_group(user, FieldGroup.HEALTH) or user == leader:
            assert HEALTH_SENTINEL not in page, url
        assert CONCERN_SENTINEL not in page, url  # the outsider is in the room: concern detail stays off screen
    # Not vacuous: everyone reads the sharing basis, and whoever may see the meeting opens its pages.
    assert opened >= (4 if meetings_visible_to(user).filter(pk=mdt.pk).exists() else 1)
