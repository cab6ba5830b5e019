"""Recording NGRT, PASS, exclusions, destination follow-ups and family feedback."""

import datetime

import pytest
from django.urls import reverse

from conftest import make_pupil
from outcomes.models import DestinationFollowUp, Exclusion, FamilyFeedback, PassSurvey, ReadingTest


def _url(pupil, kind: str) -> str:
    return reverse("outcomes:measure_new", args=[pupil.pk, kind])


@pytest.fixture
def leaver(site, specialist, dsl):
    from pupils.models import Allocation

    pupil = make_pupil(site, first_name="Lee", exit_date=datetime.date(2026, 7, 17))
    Allocation.objects.create(pupil=pupil, user=specialist, created_by=dsl)
    return pupil


def test_it_records_a_reading_test_in_years_and_months(client, staff, pupil):
    client.force_login(staff)
    data = {
        "occasion": "baseline",
        "tested_on": "2026-01-20",
        "reading_age_years": "10",
        "reading_age_extra_months": "4",
        "standard_age_score": "84",
    }
    response = client.post(_url(pupil, "reading"), data)
    assert response.status_code == 302
    test = ReadingTest.objects.get(pupil=pupil)
    assert (test.reading_age_months, test.reading_age_display, test.standard_age_score, test.recorded_by) == (
        124,
        "10:04",
        84,
        staff,
    )
    # Born 4 March 2012, tested 20 January 2026: 13 years 10 months = 166 months; 124 - 166 = -42.
    assert test.gap_months == -42
    assert test.events.filter(pgh_label="insert").exists()


def test_it_records_a_pass_survey(client, staff, pupil):
    client.force_login(staff)
    response = client.post(
        _url(pupil, "pass"),
        {"occasion": "baseline", "completed_on": "2026-01-20", "feelings_about_school": "23", "self_regard": "61"},
    )
    assert response.status_code == 302
    survey = PassSurvey.objects.get(pupil=pupil)
    assert (survey.feelings_about_school, survey.self_regard, survey.general_work_ethic) == (23, 61, None)


def test_it_rejects_a_pass_survey_with_no_factor_and_a_percentile_over_100(client, staff, pupil):
    client.force_login(staff)
    assert client.post(_url(pupil, "pass"), {"occasion": "baseline", "completed_on": "2026-01-20"}).status_code == 400
    response = client.post(
        _url(pupil, "pass"), {"occasion": "baseline", "completed_on": "2026-01-20", "self_regard": "140"}
    )
    assert response.status_code == 400
    assert 'value="140"' in response.content.decode()
    assert not PassSurvey.objects.exists()


def test_it_records_an_exclusion_from_the_referring_school(client, staff, pupil):
    from pupils.models import School

    school = School.objects.create(name="Millbrook Academy")
    client.force_login(staff)
    response = client.post(
        _url(pupil, "exclusion"),
        {"kind": "permanent", "school": school.pk, "start_date": "2025-12-01", "days": "0", "reason": "Assault"},
    )
    assert response.status_code == 302
    assert Exclusion.objects.get(pupil=pupil).school == school


def test_it_records_a_destination_and_detects_a_concurrent_change(client, staff, leaver):
    client.force_login(staff)
    url = _url(leaver, "destination")
    first = {
        "checkpoint": "3m",
        "status": "education",
        "detail": "Millbrook College",
        "checked_on": "2026-10-17",
        "version": "",
    }
    assert client.post(url, first).status_code == 302
    # A second person, who had the blank form open, records a different status: 409, nothing overwritten.
    second = first | {"status": "neet", "detail": ""}
    response = client.post(url, second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html
    assert 'name="version" value="1"' in html
    follow_up = DestinationFollowUp.objects.get(pupil=leaver)
    assert follow_up.status == "education"
    # Saving again with the version now shown replaces it on purpose.
    assert client.post(url, second | {"version": "1"}).status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.version) == ("neet", 2)
    assert follow_up.events.count() == 2


def test_it_refuses_a_destination_for_a_pupil_still_on_roll(client, staff, pupil):
    client.force_login(staff)
    response = client.post(
        _url(pupil, "destination"), {"checkpoint": "3m", "status": "education", "checked_on": "2026-10-17"}
    )
    assert response.status_code == 400
    assert "record the exit date first" in response.content.decode()


def test_it_records_family_feedback_from_the_family_worker(client, family_worker, pupil):
    client.force_login(family_worker)
    data = {
        "moment": "after_tac",
        "respondent": "parent",
        "given_on": "2026-02-01",
        "listened_to": "5",
        "child_happier": "4",
        "difference_made": "Mornings are calmer.",
    }
    assert client.post(_url(pupil, "feedback"), data).status_code == 302
    feedback = FamilyFeedback.objects.get(pupil=pupil)
    assert (feedback.listened_to, feedback.help_was_right, feedback.child_happier) == (5, None, 4)


@pytest.mark.parametrize(
    "role,kind,expected",
    [
        ("family_worker", "reading", 403),
        ("specialist", "feedback", 403),
        ("health_specialist", "pass", 200),
        ("other_staff", "reading", 404),
        ("outsider", "feedback", 404),
        ("dsl", "nothing", 404),
    ],
)
def test_it_applies_the_policy(client, request, pupil, role, kind, expected):
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/pupils/{pupil.pk}/outcomes/{kind}/new/").status_code == expected


def test_it_rejects_dates_in_the_future(client, staff, pupil):
    client.force_login(staff)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = client.post(
        _url(pupil, "reading"),
        {"occasion": "review", "tested_on": tomorrow, "reading_age_years": "9", "reading_age_extra_months": "0"},
    )
    assert response.status_code == 400
    assert "in the future" in response.content.decode()
