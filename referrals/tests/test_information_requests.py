import datetime

from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.models import InformationRequest
from referrals.selectors import agency_response_medians


def test_it_records_a_request_due_in_two_weeks_by_default(client, staff, pupil, police):
    client.force_login(staff)
    today = timezone.localdate()
    response = client.post(
        reverse("referrals:information_request_new", args=[pupil.pk]),
        {
            "agency": police.pk,
            "contact": "Neighbourhood team",
            "question": "Any missing episodes?",
            "asked_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    request = InformationRequest.objects.get()
    assert request.due_by == today + datetime.timedelta(days=14)
    assert request.asked_by == staff and request.contact == "Neighbourhood team"


def test_it_refuses_a_due_date_before_asking(client, staff, pupil, police):
    client.force_login(staff)
    today = timezone.localdate()
    response = client.post(
        reverse("referrals:information_request_new", args=[pupil.pk]),
        {
            "agency": police.pk,
            "question": "Typed question",
            "asked_on": today.isoformat(),
            "due_by": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert b"cannot be due before" in response.content
    assert b"Typed question" in response.content


def test_it_lists_overdue_requests_with_days_waiting(client, staff, pupil, police):
    today = timezone.localdate()
    old = services.information_request_create(
        pupil=pupil, by=staff, agency=police, question="Overdue one", asked_on=today - datetime.timedelta(days=20)
    )
    services.information_request_create(pupil=pupil, by=staff, agency=police, question="Recent one")
    client.force_login(staff)
    response = client.get(reverse("referrals:information_requests"), {"overdue": "on"})
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert rows == [old]
    assert old.is_overdue and old.days_waiting == 20
    assert b"overdue" in response.content
    assert b"How quickly agencies answer" in response.content


def test_it_records_an_answer_once(client, staff, info_request):
    client.force_login(staff)
    url = reverse("referrals:information_request_answer", args=[info_request.pk])
    today = timezone.localdate().isoformat()
    assert client.post(url, {"answered_on": today, "answer": "Nothing known."}).status_code == 302
    info_request.refresh_from_db()
    assert info_request.status == "answered" and info_request.recorded_by == staff
    again = client.post(url, {"answered_on": today, "answer": "Again"})
    assert again.status_code == 409
    assert b"already been answered" in again.content


def test_the_median_response_time_is_per_agency(staff, pupil, police):
    today = timezone.localdate()
    for days in (2, 10, 30):
        request = services.information_request_create(
            pupil=pupil, by=staff, agency=police, question="Q", asked_on=today - datetime.timedelta(days=40)
        )
        services.information_request_answer(
            request=request, by=staff, answered_on=request.asked_on + datetime.timedelta(days=days), answer=""
        )
    services.information_request_create(pupil=pupil, by=staff, agency=police, question="Waiting")
    [row] = agency_response_medians(InformationRequest.objects.all())
    assert row["agency__name"] == "Test Police"
    assert row["median_days"] == 10
    assert (row["answered"], row["waiting"]) == (3, 1)


def test_the_agencies_page_shows_each_agencys_median_response_time_in_scope(client, staff, other_staff, pupil, police):
    today = timezone.localdate()
    for days in (4, 6, 20):
        request = services.information_request_create(
            pupil=pupil, by=staff, agency=police, question="Q", asked_on=today - datetime.timedelta(days=30)
        )
        services.information_request_answer(
            request=request, by=staff, answered_on=request.asked_on + datetime.timedelta(days=days), answer=""
        )
    client.force_login(staff)
    response = client.get("/account/agencies/")
    assert response.status_code == 200
    [row] = response.context["medians"]
    assert (row["agency__name"], row["median_days"], row["answered"]) == ("Test Police", 6, 3)
    assert "How quickly agencies answer" in response.content.decode()
    client.force_login(other_staff)  # the pupil is at another centre: their requests are not counted
    assert client.get("/account/agencies/").context["medians"] == []


ANSWER_FROM_CAMHS = "Diagnosed with anxiety in March; on sertraline 50mg."


def test_it_keeps_an_answer_from_camhs_for_health_staff_and_the_dsl(
    client, staff, other_staff, dsl, leader, pupil, health_agency, police
):
    """The teacher who asked records what CAMHS said (they hold it already); from then on it is health detail."""
    camhs = services.information_request_create(pupil=pupil, by=staff, agency=health_agency, question="Known to you?")
    police_request = services.information_request_create(
        pupil=pupil, by=staff, agency=police, question="Any incidents?"
    )
    services.information_request_answer(
        request=police_request, by=staff, answered_on=timezone.localdate(), answer="No incidents known."
    )
    client.force_login(staff)
    response = client.post(
        reverse("referrals:information_request_answer", args=[camhs.pk]),
        {"answered_on": timezone.localdate().isoformat(), "answer": ANSWER_FROM_CAMHS},
    )
    assert response.status_code == 302
    camhs.refresh_from_db()
    assert camhs.answer == ANSWER_FROM_CAMHS and camhs.recorded_by == staff
    for user, sees in ((staff, False), (leader, False), (dsl, True)):
        client.force_login(user)
        body = client.get(reverse("referrals:information_requests") + "?status=answered").content.decode()
        assert (ANSWER_FROM_CAMHS in body) is sees, user
        assert "No incidents known." in body  # an answer from the police is not health detail
        assert ("health detail: seen by health staff and the DSL" in body) is not sees
    client.force_login(leader)
    camhs_page = client.get(reverse("admin:referrals_informationrequest_change", args=[camhs.pk])).content.decode()
    police_page = client.get(
        reverse("admin:referrals_informationrequest_change", args=[police_request.pk])
    ).content.decode()
    assert ANSWER_FROM_CAMHS not in camhs_page and "Known to you?" in camhs_page
    assert "No incidents known." in police_page
    # and filtering on the answer, which would read it a letter at a time, is refused
    assert (
        client.get(
            reverse("admin:referrals_informationrequest_changelist") + "?answer__icontains=sertraline"
        ).status_code
        == 400
    )
