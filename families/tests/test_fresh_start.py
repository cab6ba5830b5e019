import datetime

from families import services
from families.models import FreshStartInterview


def _form(staff, member, held_on, **extra):
    return {
        "held_on": held_on.isoformat(),
        "location": "At home",
        "school_staff": staff.pk,
        "agency_member": member.pk,
        "positives": "Liked PE.",
        "negatives": "Lots of time in isolation.",
        "goals": "GCSE maths; college.",
        "needs": "A key adult each morning.",
        **extra,
    }


def test_it_records_the_interview_and_queues_it_for_the_mdt(client, staff, family_worker, pupil, today):
    client.force_login(staff)
    assert client.get(f"/families/pupil/{pupil.pk}/fresh-start/").status_code == 200
    response = client.post(f"/families/pupil/{pupil.pk}/fresh-start/", _form(staff, family_worker, today))
    assert response.status_code == 302
    interview = FreshStartInterview.objects.get(pupil=pupil)
    assert interview.recorded_by == staff and interview.awaiting_mdt
    assert list(services.fresh_starts_awaiting_mdt()) == [interview]
    page = client.get(f"/pupils/{pupil.pk}/").content.decode()  # the pupil page panel
    assert "GCSE maths; college." in page and "For the next MDT" in page


def test_it_needs_a_school_staff_member_and_a_different_agency_member(
    client, staff, specialist, family_worker, pupil, today
):
    client.force_login(staff)
    url = f"/families/pupil/{pupil.pk}/fresh-start/"
    wrong_role = client.post(url, _form(specialist, family_worker, today, goals="TYPED-GOAL"))
    assert wrong_role.status_code == 400
    assert "TYPED-GOAL" in wrong_role.content.decode()
    same = services.SCHOOL_STAFF_ROLES  # staff cannot also be the multi-agency member
    assert staff.role in same
    response = client.post(url, _form(staff, staff, today))
    assert response.status_code == 400
    future = client.post(url, _form(staff, family_worker, today + datetime.timedelta(days=1)))
    assert future.status_code == 400
    assert not FreshStartInterview.objects.exists()


def test_it_edits_the_interview_and_detects_a_concurrent_edit(client, staff, family_worker, pupil, today):
    client.force_login(staff)
    url = f"/families/pupil/{pupil.pk}/fresh-start/"
    client.post(url, _form(staff, family_worker, today))
    assert (
        client.post(url, _form(staff, family_worker, today, goals="Back to mainstream.", version=1)).status_code == 302
    )
    stale = client.post(url, _form(staff, family_worker, today, goals="STALE-GOAL", version=1))
    assert stale.status_code == 409 and "STALE-GOAL" in stale.content.decode()
    assert FreshStartInterview.objects.get().goals == "Back to mainstream."


def test_it_marks_the_interview_discussed_at_the_mdt(client, leader, staff, family_worker, pupil, today):
    interview = services.fresh_start_record(
        pupil=pupil,
        by=staff,
        data={
            "held_on": today,
            "school_staff": staff,
            "agency_member": family_worker,
            "positives": "a",
            "negatives": "b",
            "goals": "c",
            "needs": "d",
        },
    )
    client.force_login(leader)
    response = client.post(
        f"/families/pupil/{pupil.pk}/fresh-start/discussed/",
        {"mdt-discussed_on": today.isoformat(), "mdt-note": "Fed back."},
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.discussed_at_mdt_on == today and not interview.awaiting_mdt
    assert not services.fresh_starts_awaiting_mdt().exists()
    again = client.post(f"/families/pupil/{pupil.pk}/fresh-start/discussed/", {"mdt-discussed_on": today.isoformat()})
    assert again.status_code == 400


def test_it_lists_interviews_awaiting_the_mdt_in_the_users_scope(
    client, staff, other_staff, family_worker, pupil, today
):
    services.fresh_start_record(
        pupil=pupil,
        by=staff,
        data={
            "held_on": today,
            "school_staff": staff,
            "agency_member": family_worker,
            "positives": "a",
            "negatives": "b",
            "goals": "VISIBLE-GOAL",
            "needs": "d",
        },
    )
    client.force_login(staff)
    assert "VISIBLE-GOAL" in client.get("/families/fresh-start/awaiting-mdt/").content.decode()
    client.force_login(other_staff)
    assert "VISIBLE-GOAL" not in client.get("/families/fresh-start/awaiting-mdt/").content.decode()
