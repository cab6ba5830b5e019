"""Health detail is a restricted field group: health/CAMHS staff and the DSL only, everywhere."""

import pytest

from pru_cases.models import AccessEvent

SENTINELS = ("SENTINEL-HEALTH-CONDITION-7Q2", "SENTINEL-HEALTH-NOTE-3X9")


@pytest.mark.parametrize("role", ["staff", "specialist", "family_worker", "leader"])
def test_other_roles_never_see_health_detail(client, request, health_record, pupil, role):
    client.force_login(request.getfixturevalue(role))
    responses = [client.get(f"/pupils/{pupil.pk}/"), client.get("/pupils/")]
    responses.append(client.post("/pupils/", {"q": pupil.last_name}, follow=True))
    for response in responses:
        body = response.content.decode()
        assert not any(sentinel in body for sentinel in SENTINELS), response.request["PATH_INFO"]
    assert client.get(f"/pupils/{pupil.pk}/health/").status_code == 403


@pytest.mark.parametrize("role", ["dsl", "health_specialist"])
def test_health_staff_and_the_dsl_see_and_edit_it(client, request, health_record, pupil, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    body = client.get(f"/pupils/{pupil.pk}/").content.decode()
    assert all(sentinel in body for sentinel in SENTINELS)
    assert AccessEvent.objects.filter(user=user, field_groups="health").exists()
    response = client.post(
        f"/pupils/{pupil.pk}/health/",
        {"conditions": "Asthma", "medication": "", "allergies": "", "notes": "", "version": health_record.version},
    )
    assert response.status_code == 302
    health_record.refresh_from_db()
    assert (health_record.conditions, health_record.updated_by, health_record.version) == ("Asthma", user, 2)


def test_a_stale_health_edit_is_refused(client, dsl, health_record, pupil):
    client.force_login(dsl)
    data = {"conditions": "New", "medication": "", "allergies": "", "notes": "", "version": health_record.version - 1}
    response = client.post(f"/pupils/{pupil.pk}/health/", data)
    assert response.status_code == 409
    health_record.refresh_from_db()
    assert health_record.conditions == SENTINELS[0]


def test_the_admin_hides_health_records_from_leaders(client, leader, health_record, pupil):
    client.force_login(leader)
    assert client.get("/admin/pupils/healthrecord/").status_code == 403
    body = client.get(f"/admin/pupils/pupil/{pupil.pk}/change/").content.decode()
    assert not any(sentinel in body for sentinel in SENTINELS)
    assert "healthrecord" not in client.get("/admin/").content.decode()


def _health_form(**values) -> dict:
    return {"conditions": "", "medication": "", "allergies": "", "notes": ""} | values


@pytest.mark.parametrize("role", ["dsl", "health_specialist"])
def test_it_saves_the_first_health_detail_for_a_pupil_without_a_record(client, request, pupil, role):
    from pupils.models import HealthRecord

    user = request.getfixturevalue(role)
    client.force_login(user)
    form = client.get(f"/pupils/{pupil.pk}/health/")
    assert form.status_code == 200
    version = form.context["form"]["version"].value()
    response = client.post(f"/pupils/{pupil.pk}/health/", _health_form(conditions="Asthma", version=version))
    assert response.status_code == 302
    record = HealthRecord.objects.get(pupil=pupil)
    assert (record.conditions, record.updated_by, record.version) == ("Asthma", user, 1)
    assert record.events.filter(pgh_label="insert", conditions="Asthma").exists()
    # and the next edit, from a fresh form, goes on top of it
    version = client.get(f"/pupils/{pupil.pk}/health/").context["form"]["version"].value()
    assert (
        client.post(
            f"/pupils/{pupil.pk}/health/", _health_form(conditions="Asthma, eczema", version=version)
        ).status_code
        == 302
    )
    record.refresh_from_db()
    assert (record.conditions, record.version) == ("Asthma, eczema", 2)


def test_it_gives_the_second_of_two_first_saves_a_conflict_and_keeps_their_typing(
    client, dsl, health_specialist, pupil
):
    from django.test import Client

    from pupils.models import HealthRecord

    other = Client()
    client.force_login(dsl)
    other.force_login(health_specialist)
    first = client.get(f"/pupils/{pupil.pk}/health/").context["form"]["version"].value()
    second = other.get(f"/pupils/{pupil.pk}/health/").context["form"]["version"].value()
    assert (
        client.post(f"/pupils/{pupil.pk}/health/", _health_form(conditions="From the DSL", version=first)).status_code
        == 302
    )
    response = other.post(f"/pupils/{pupil.pk}/health/", _health_form(conditions="From CAMHS", version=second))
    assert response.status_code == 409
    body = response.content.decode()
    assert "From CAMHS" in body and "From the DSL" in body  # their typing, beside the latest version
    assert HealthRecord.objects.get(pupil=pupil).conditions == "From the DSL"
    # saving the conflict form again applies the second edit on top of the first
    again = response.context["form"].data.dict()
    assert other.post(f"/pupils/{pupil.pk}/health/", again).status_code == 302
    assert HealthRecord.objects.get(pupil=pupil).conditions == "From CAMHS"


@pytest.mark.django_db(transaction=True)
def test_it_refuses_the_second_of_two_simultaneous_first_saves_as_a_conflict(dsl, health_specialist, pupil):
    """Both see no record; the first insert holds its transaction open while the second tries: one record, one
    conflict, no 500 and nothing overwritten."""
    import threading

    from django.db import connection, transaction

    from pupils.models import HealthRecord
    from pupils.services import NO_HEALTH_RECORD, EditConflict, health_record_update

    inserted, outcome = threading.Event(), {}

    def first() -> None:
        try:
            with transaction.atomic():
                health_record_update(pupil=pupil, by=dsl, data={"conditions": "First"}, version=NO_HEALTH_RECORD)
                inserted.set()
                second_thread.join(timeout=1)  # the second is now blocked on our uncommitted row
        finally:
            connection.close()

    def second() -> None:
        inserted.wait(timeout=10)
        try:
            health_record_update(
                pupil=pupil, by=health_specialist, data={"conditions": "Second"}, version=NO_HEALTH_RECORD
            )
        except EditConflict:
            outcome["second"] = "conflict"
        else:
            outcome["second"] = "saved"
        finally:
            connection.close()

    first_thread, second_thread = threading.Thread(target=first), threading.Thread(target=second)
    second_thread.start()
    first_thread.start()
    first_thread.join(timeout=20)
    second_thread.join(timeout=20)
    assert outcome == {"second": "conflict"}
    assert list(HealthRecord.objects.filter(pupil=pupil).values_list("conditions", "version")) == [("First", 1)]
