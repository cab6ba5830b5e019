"""The pupil outcomes page: the pupil policy, baseline against latest, the chart, constant queries."""

import datetime
import re

import pytest
from django.urls import reverse

from conftest import make_pupil
from outcomes.models import DestinationFollowUp, Exclusion, PassSurvey, ReadingTest
from outcomes.tests.outcome_data import Occasion, make_feedback, make_follow_up, make_sdq, make_weeks
from pru_cases.models import AccessEvent

IN_SCOPE = ("dsl", "leader", "staff", "specialist", "health_specialist", "family_worker")
OUT_OF_SCOPE = ("other_staff", "outsider", "admin_user")


def _fill(pupil, by, *, weeks: int = 8):
    make_sdq(
        pupil,
        by,
        occasion=Occasion.BASELINE,
        day=pupil.entry_date,
        emotional=7,
        conduct=6,
        hyperactivity=8,
        peer=4,
        prosocial=3,
    )
    make_sdq(
        pupil,
        by,
        occasion=Occasion.ENDLINE,
        day=pupil.entry_date + datetime.timedelta(days=200),
        emotional=3,
        conduct=2,
        hyperactivity=5,
        peer=2,
        prosocial=7,
    )
    make_weeks(pupil, pupil.entry_date, [5] * 6 + [9] * (weeks - 6))
    ReadingTest.objects.create(
        pupil=pupil, occasion=Occasion.BASELINE, tested_on=pupil.entry_date, reading_age_months=120, recorded_by=by
    )
    ReadingTest.objects.create(
        pupil=pupil,
        occasion=Occasion.ENDLINE,
        tested_on=pupil.entry_date + datetime.timedelta(days=200),
        reading_age_months=134,
        recorded_by=by,
    )
    PassSurvey.objects.create(
        pupil=pupil, occasion=Occasion.BASELINE, completed_on=pupil.entry_date, feelings_about_school=22, recorded_by=by
    )
    Exclusion.objects.create(
        pupil=pupil,
        kind=Exclusion.Kind.PERMANENT,
        start_date=pupil.entry_date - datetime.timedelta(days=10),
        days=0,
        recorded_by=by,
    )
    make_feedback(
        pupil, by, day=pupil.entry_date + datetime.timedelta(days=30), rating=5, comment="Things are calmer at home."
    )


def test_it_redirects_logged_out_users_to_login(client, pupil):
    response = client.get(reverse("outcomes:pupil", args=[pupil.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", IN_SCOPE + OUT_OF_SCOPE)
def test_it_follows_the_pupil_policy(client, cast, pupil, role):
    client.force_login(cast[role])
    url = reverse("outcomes:pupil", args=[pupil.pk])
    response = client.get(url)
    expected = 404 if role in OUT_OF_SCOPE else 200
    assert response.status_code == expected
    event = AccessEvent.objects.get(user=cast[role], path=url)
    assert event.outcome == ("denied" if expected == 404 else "allowed")


def test_it_shows_baseline_against_latest_for_every_measure(client, dsl, pupil):
    _fill(pupil, dsl)
    client.force_login(dsl)
    response = client.get(reverse("outcomes:pupil", args=[pupil.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    # SDQ self-report total difficulties: 25 (very high) at baseline, 12 (close to average) at endline.
    assert re.search(
        r"Total difficulties</th>\s*<td>25 <small[^>]*>very high</small></td>\s*<td>12 <small[^>]*>close to average",
        html,
    )
    assert "-13" in html
    # Attendance: 5 of 10 for six weeks, then 9 of 10 for two: first six weeks 50%, latest six (weeks 3-8)
    # 38 of 60 = 63.3%, overall 48 of 80 = 60%: persistent absence.
    assert 'First six weeks at the PRU (baseline)</dt><dd class="col-sm-8">50.0%' in html
    assert 'Latest six weeks</dt><dd class="col-sm-8">63.3%' in html
    assert 'Overall</dt><dd class="col-sm-8">60.0%' in html
    assert "Persistent absence" in html
    assert "10:00" in html and "11:02" in html  # reading ages
    assert "Things are calmer at home." in html
    assert "<svg" in html and "<rect" in html


def test_it_has_no_inline_script_or_style(client, dsl, pupil):
    _fill(pupil, dsl)
    client.force_login(dsl)
    html = client.get(reverse("outcomes:pupil", args=[pupil.pk])).content.decode()
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_it_shows_destination_follow_ups_for_a_leaver(client, dsl, site):
    leaver = make_pupil(site, exit_date=datetime.date(2026, 3, 31))
    make_follow_up(leaver, dsl, DestinationFollowUp.Checkpoint.MONTHS_3, DestinationFollowUp.Status.APPRENTICESHIP)
    client.force_login(dsl)
    html = client.get(reverse("outcomes:pupil", args=[leaver.pk])).content.decode()
    assert "Apprenticeship or traineeship" in html
    assert "28 Jun 2026" in html  # 3 months after 31 March (day capped at 28)
    assert "Not yet followed up" in html  # the 12-month check


def _more(pupil, by):
    """More of everything: reviews, thirty more weeks, tests, exclusions and feedback."""
    for n in range(5):
        day = pupil.entry_date + datetime.timedelta(days=30 * (n + 1))
        make_sdq(
            pupil, by, occasion=Occasion.REVIEW, day=day, emotional=n, conduct=n, hyperactivity=n, peer=n, prosocial=n
        )
        make_sdq(pupil, by, occasion=Occasion.REVIEW, day=day, informant="teacher", emotional=n)
        ReadingTest.objects.create(
            pupil=pupil, occasion=Occasion.REVIEW, tested_on=day, reading_age_months=125 + n, recorded_by=by
        )
        PassSurvey.objects.create(
            pupil=pupil, occasion=Occasion.REVIEW, completed_on=day, feelings_about_school=30 + n, recorded_by=by
        )
        Exclusion.objects.create(pupil=pupil, kind=Exclusion.Kind.SUSPENSION, start_date=day, days=1, recorded_by=by)
        make_feedback(pupil, by, day=day, rating=4)
    make_weeks(pupil, pupil.entry_date + datetime.timedelta(weeks=8), [8] * 30)


def test_it_keeps_a_constant_number_of_queries(client, dsl, pupil, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(dsl)
    url = reverse("outcomes:pupil", args=[pupil.pk])
    _fill(pupil, dsl)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _more(pupil, dsl)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
    with django_assert_max_num_queries(20):
        client.get(url)
