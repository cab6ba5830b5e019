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
        f"/pupils/{pupil.pk}/health/", {"conditions": "Asthma", "medication": "", "allergies": "", "notes": "", "version": health_record.version}
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
