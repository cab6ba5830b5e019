import pytest

from pupils.models import NeedLevelChange, Pupil

VALID = {
    "first_name": "Amara",
    "last_name": "Osei",
    "date_of_birth": "2012-05-06",
    "upn": "b123456789012",
    "year_group": "9",
    "home_local_authority": "Millbrook City Council",
    "school_local_authority": "Eastgate Borough Council",
    "entry_date": "2026-09-07",
    "entry_route": "iyfa",
    "send_status": "sen_support",
    "social_care_status": "cin",
}


@pytest.fixture
def valid(site):
    return VALID | {"site": site.pk}


def test_it_adds_a_pupil_with_its_level_of_need_history(client, staff, valid):
    client.force_login(staff)
    response = client.post("/pupils/new/", valid)
    assert response.status_code == 302
    pupil = Pupil.objects.get(last_name="Osei")
    assert response["Location"] == f"/pupils/{pupil.pk}/"
    assert pupil.upn == "B123456789012"
    assert pupil.version == 1
    assert NeedLevelChange.objects.get(pupil=pupil).level == pupil.level_of_need
    event = pupil.events.get(pgh_label="insert")
    assert event.pgh_context.metadata["user"] == staff.pk
    assert event.pgh_context.metadata["url"] == "/pupils/new/"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("upn", "12345", "A UPN is 13 characters"),
        ("date_of_birth", "2099-01-01", "must be in the past"),
        ("date_of_birth", "31/02/2012", "Enter a valid date"),
        ("year_group", "14", "less than or equal to 13"),
        ("entry_date", "2030-01-01", "more than a year away"),
        ("first_name", "", "This field is required"),
    ],
)
def test_it_refuses_bad_input_and_keeps_what_was_typed(client, staff, valid, field, value, message):
    client.force_login(staff)
    data = valid | {field: value, "last_name": "Keep-Me-Typed"}
    response = client.post("/pupils/new/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Keep-Me-Typed" in body
    assert not Pupil.objects.exists()


def test_it_refuses_an_exit_before_entry(client, dsl, pupil, site):
    client.force_login(dsl)
    data = VALID | {"site": site.pk, "entry_date": "2026-01-05", "exit_date": "2025-12-01", "version": pupil.version}
    response = client.post(f"/pupils/{pupil.pk}/edit/", data)
    assert response.status_code == 400
    assert "cannot be before the entry date" in response.content.decode()


def test_staff_cannot_add_a_pupil_to_another_centre(client, staff, valid, site, other_site):
    client.force_login(staff)
    response = client.post("/pupils/new/", valid | {"site": other_site.pk})
    # The centre is shown read-only to PRU staff: what is posted for it is ignored.
    assert response.status_code == 302
    assert Pupil.objects.get().site == site


def test_it_saves_an_edit_and_records_who_made_it(client, staff, pupil, site):
    client.force_login(staff)
    data = VALID | {"site": site.pk, "version": pupil.version}
    response = client.post(f"/pupils/{pupil.pk}/edit/", data)
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert (pupil.first_name, pupil.social_care_status, pupil.version) == ("Amara", "cin", 2)
    event = pupil.events.filter(pgh_label="update").latest("pgh_id")
    assert event.pgh_context.metadata["user"] == staff.pk
    assert event.first_name == "Amara"


def test_the_second_of_two_concurrent_edits_gets_a_conflict_and_overwrites_nothing(client, staff, dsl, pupil, site):
    read_version = pupil.version
    client.force_login(dsl)
    first = client.post(
        f"/pupils/{pupil.pk}/edit/", VALID | {"site": site.pk, "version": read_version, "first_name": "First"}
    )
    assert first.status_code == 302
    client.force_login(staff)
    second = client.post(
        f"/pupils/{pupil.pk}/edit/", VALID | {"site": site.pk, "version": read_version, "first_name": "Second"}
    )
    assert second.status_code == 409
    body = second.content.decode()
    assert "Someone else saved this record" in body
    assert 'value="Second"' in body  # the second person's edit is still in the form
    pupil.refresh_from_db()
    assert pupil.first_name == "First"
    # Saving again from the conflict page applies the edit on top of the latest version.
    third = client.post(
        f"/pupils/{pupil.pk}/edit/",
        VALID | {"site": site.pk, "version": second.context["form"].data["version"], "first_name": "Second"},
    )
    assert third.status_code == 302
    pupil.refresh_from_db()
    assert pupil.first_name == "Second"


def test_it_changes_the_level_of_need_with_a_reason(client, staff, pupil):
    client.force_login(staff)
    response = client.post(f"/pupils/{pupil.pk}/need-level/", {"level": 4, "reason": "CP plan started."})
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.level_of_need == 4
    change = pupil.need_level_changes.first()
    assert (change.level, change.previous_level, change.reason, change.changed_by) == (4, 2, "CP plan started.", staff)


def test_it_refuses_a_level_change_without_a_reason_or_to_the_same_level(client, staff, pupil):
    client.force_login(staff)
    assert client.post(f"/pupils/{pupil.pk}/need-level/", {"level": 3, "reason": ""}).status_code == 400
    response = client.post(f"/pupils/{pupil.pk}/need-level/", {"level": 2, "reason": "No change"})
    assert response.status_code == 400
    assert "already 2" in response.content.decode()
    assert client.post(f"/pupils/{pupil.pk}/need-level/", {"level": 7, "reason": "x"}).status_code == 400
    pupil.refresh_from_db()
    assert pupil.level_of_need == 2
