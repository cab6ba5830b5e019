import pytest
from django.db import ProgrammingError, connection, transaction

from pupils.models import Allocation, Pupil


def test_archiving_keeps_the_record_and_can_be_undone(client, dsl, pupil):
    client.force_login(dsl)
    assert client.post(f"/pupils/{pupil.pk}/archive/", {"reason": ""}).status_code == 400
    response = client.post(f"/pupils/{pupil.pk}/archive/", {"reason": "Moved out of the area."})
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert (pupil.status, pupil.archive_reason) == (Pupil.Status.ARCHIVED, "Moved out of the area.")
    assert client.get(f"/pupils/{pupil.pk}/").status_code == 200
    assert client.post(f"/pupils/{pupil.pk}/restore/").status_code == 302
    pupil.refresh_from_db()
    assert pupil.status == Pupil.Status.ACTIVE


def test_a_pupil_cannot_be_deleted_even_by_sql(other_pupil):
    with pytest.raises(ProgrammingError, match="Cannot delete"), transaction.atomic():
        Pupil.objects.filter(pk=other_pupil.pk).delete()
    with pytest.raises(ProgrammingError, match="Cannot delete"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM pupils_pupil WHERE id = %s", [other_pupil.pk])
    assert Pupil.objects.filter(pk=other_pupil.pk).exists()


def test_the_admin_offers_no_delete_and_archives_instead(client, leader, pupil):
    client.force_login(leader)
    assert client.get(f"/admin/pupils/pupil/{pupil.pk}/delete/").status_code == 403
    response = client.post("/admin/pupils/pupil/", {"action": "archive_selected", "_selected_action": [pupil.pk]})
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.status == Pupil.Status.ARCHIVED
    assert "delete_selected" not in client.get("/admin/pupils/pupil/").content.decode()


def test_admin_changelists_follow_the_access_policy(client, leader, admin_user, pupil, other_pupil):
    client.force_login(leader)
    assert client.get("/admin/pupils/pupil/").context["cl"].result_count == 2
    client.force_login(admin_user)  # administrators manage accounts: no page of case records is open to them
    assert client.get("/admin/pupils/pupil/").status_code == 403
    assert client.get(f"/admin/pupils/pupil/{pupil.pk}/change/").status_code == 403


def test_history_is_captured_for_admin_writes_with_user_and_url(client, leader, pupil, site):
    client.force_login(leader)
    url = f"/admin/pupils/pupil/{pupil.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {
        "first_name": "Changed-In-Admin",
        "site": site.pk,
        "date_of_birth": "2012-03-04",
        "entry_date": "2026-01-05",
        "allocations-TOTAL_FORMS": "3",
        "allocations-INITIAL_FORMS": "3",
        "allocations-MIN_NUM_FORMS": "0",
        "allocations-MAX_NUM_FORMS": "1000",
    }
    for index, allocation in enumerate(pupil.allocations.order_by("-started_on", "-pk")):
        data |= {
            f"allocations-{index}-id": allocation.pk,
            f"allocations-{index}-pupil": pupil.pk,
            f"allocations-{index}-user": allocation.user_id,
            f"allocations-{index}-reason": "",
            f"allocations-{index}-started_on": allocation.started_on.isoformat(),
        }
    data = {key: value for key, value in data.items() if key not in ("key_worker", "referring_school")}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    pupil.refresh_from_db()
    assert pupil.first_name == "Changed-In-Admin"
    event = pupil.events.filter(pgh_label="update").latest("pgh_id")
    assert event.pgh_context.metadata == {"user": leader.pk, "url": url}


def test_the_dsl_reads_the_history_of_every_record_about_the_pupil(client, dsl, staff, pupil, health_record):
    client.force_login(staff)
    client.post(f"/pupils/{pupil.pk}/need-level/", {"level": 3, "reason": "Escalated at the MDT."})
    client.force_login(dsl)
    response = client.get(f"/pupils/{pupil.pk}/history/")
    assert response.status_code == 200
    rows = response.context["rows"]
    kinds = {row["what"] for row in rows}
    assert {"Pupil", "NeedLevelChange", "Allocation", "HealthRecord"} <= kinds
    update = next(row for row in rows if row["what"] == "Pupil" and row["event"].pgh_label == "update")
    assert update["who"] == str(staff)
    assert update["diff"]["level_of_need"] == [2, 3]


def test_ending_an_allocation_removes_the_specialists_access(client, dsl, specialist, pupil):
    allocation = Allocation.objects.get(pupil=pupil, user=specialist)
    client.force_login(dsl)
    assert client.post(f"/pupils/{pupil.pk}/allocations/{allocation.pk}/end/").status_code == 302
    allocation.refresh_from_db()
    assert allocation.ended_on is not None
    client.force_login(specialist)
    assert client.get(f"/pupils/{pupil.pk}/").status_code == 404


def test_allocating_gives_a_specialist_access(client, dsl, outsider, pupil):
    client.force_login(outsider)
    assert client.get(f"/pupils/{pupil.pk}/").status_code == 404
    client.force_login(dsl)
    assert (
        client.post(f"/pupils/{pupil.pk}/allocations/", {"user": outsider.pk, "reason": "YOT order"}).status_code == 302
    )
    again = client.post(f"/pupils/{pupil.pk}/allocations/", {"user": outsider.pk})
    assert again.status_code == 400
    assert "already allocated" in again.content.decode()
    client.force_login(outsider)
    assert client.get(f"/pupils/{pupil.pk}/").status_code == 200
