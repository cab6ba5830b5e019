"""The oversight dashboard: senior leaders only, figures on a known fixture, filters, CSV, constant queries."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_pupil
from outcomes import oversight
from outcomes.models import DestinationFollowUp, Exclusion, ReadingTest
from outcomes.oversight_summary import oversight_summaries_rebuild
from outcomes.tests.outcome_data import Occasion, make_feedback, make_follow_up, make_sdq, make_weeks
from pupils.models import School
from referrals.models import Intervention, Referral, Specialism

URL = "/oversight/"
PERIOD = {"start": "2025-09-01", "end": "2026-08-31"}
FILTERS = oversight.Filters(start=datetime.date(2025, 9, 1), end=datetime.date(2026, 8, 31))
Status = DestinationFollowUp.Status


def _at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=datetime.UTC)


@pytest.fixture
def known(site, other_site, dsl, leader, specialist):
    """Four pupils who joined in January 2026 (the 2025/26 cohort), their measures and referrals."""
    a = make_pupil(site, first_name="Ann", exit_date=datetime.date(2026, 7, 17))
    b = make_pupil(site, first_name="Ben")
    c = make_pupil(other_site, first_name="Cal")
    d = make_pupil(other_site, first_name="Dee", exit_date=datetime.date(2026, 7, 20))
    e = make_pupil(other_site, first_name="Eve", exit_date=datetime.date(2026, 6, 30))
    base, end = datetime.date(2026, 1, 6), datetime.date(2026, 7, 10)
    make_sdq(a, dsl, occasion=Occasion.BASELINE, day=base, emotional=7, conduct=6, hyperactivity=8, peer=4, prosocial=3)
    make_sdq(a, dsl, occasion=Occasion.ENDLINE, day=end, emotional=3, conduct=2, hyperactivity=5, peer=2, prosocial=7)
    make_sdq(b, dsl, occasion=Occasion.BASELINE, day=base, emotional=5, conduct=5, hyperactivity=5, peer=5, prosocial=5)
    make_sdq(b, dsl, occasion=Occasion.ENDLINE, day=end, emotional=4, conduct=4, hyperactivity=4, peer=4, prosocial=5)
    make_sdq(c, dsl, occasion=Occasion.BASELINE, day=base, emotional=9)
    make_sdq(d, dsl, occasion=Occasion.BASELINE, day=base, emotional=8, conduct=8, hyperactivity=8, peer=6, prosocial=2)
    make_sdq(d, dsl, occasion=Occasion.ENDLINE, day=end, emotional=8, conduct=8, hyperactivity=8, peer=6, prosocial=2)
    make_sdq(
        d, dsl, occasion=Occasion.ENDLINE, day=end, informant="teacher", emotional=1
    )  # another informant: not mixed in

    make_weeks(a, a.entry_date, [5] * 6)
    make_weeks(a, datetime.date(2026, 6, 8), [9] * 6)
    make_weeks(b, b.entry_date, [8] * 6)
    make_weeks(b, datetime.date(2026, 7, 27), [10] * 5)

    make_follow_up(a, dsl, DestinationFollowUp.Checkpoint.MONTHS_3, Status.EDUCATION)
    make_follow_up(d, dsl, DestinationFollowUp.Checkpoint.MONTHS_3, Status.NEET)
    make_follow_up(e, dsl, DestinationFollowUp.Checkpoint.MONTHS_3, Status.UNKNOWN)

    make_feedback(a, dsl, day=datetime.date(2026, 3, 1), rating=5, comment='=HYPERLINK("http://example.invalid")')
    make_feedback(b, dsl, day=datetime.date(2026, 3, 2), rating=3, comment="We feel heard.")
    make_feedback(d, dsl, day=datetime.date(2025, 6, 1), rating=4)  # before the period

    school = School.objects.create(name="Millbrook Academy")
    for pupil, when, kind, days, where in [
        (a, "2025-12-01", Exclusion.Kind.PERMANENT, 0, school),
        (b, "2026-03-02", Exclusion.Kind.SUSPENSION, 1.5, None),
        (c, "2026-04-01", Exclusion.Kind.SUSPENSION, 2, None),
        (d, "2025-06-02", Exclusion.Kind.PERMANENT, 0, school),  # before the period
    ]:
        Exclusion.objects.create(
            pupil=pupil,
            kind=kind,
            start_date=datetime.date.fromisoformat(when),
            days=days,
            school=where,
            recorded_by=dsl,
        )
    for pupil, first, latest in [(a, 120, 130), (b, 100, 102)]:
        ReadingTest.objects.create(
            pupil=pupil,
            occasion=Occasion.BASELINE,
            tested_on=datetime.date(2026, 1, 10),
            reading_age_months=first,
            recorded_by=dsl,
        )
        ReadingTest.objects.create(
            pupil=pupil,
            occasion=Occasion.ENDLINE,
            tested_on=datetime.date(2026, 7 if pupil is a else 6, 10),
            reading_age_months=latest,
            recorded_by=dsl,
        )
    ReadingTest.objects.create(
        pupil=c,
        occasion=Occasion.BASELINE,
        tested_on=datetime.date(2026, 1, 10),
        reading_age_months=90,
        recorded_by=dsl,
    )

    r1 = Referral.objects.create(
        pupil=a,
        specialism=Specialism.SALT,
        reasons="x",
        raised_by=dsl,
        raised_at=_at("2026-02-02"),
        status=Referral.Status.ALLOCATED,
        triaged_at=_at("2026-02-05"),
        triaged_by=leader,
        allocated_to=specialist,
    )
    Intervention.objects.create(
        pupil=a, referral=r1, specialism=Specialism.SALT, specialist=specialist, started_on=datetime.date(2026, 2, 12)
    )
    Referral.objects.create(
        pupil=b,
        specialism=Specialism.SALT,
        reasons="x",
        raised_by=dsl,
        raised_at=_at("2026-02-10", 9),
        status=Referral.Status.SIGNPOSTED,
        triaged_at=_at("2026-02-11", 9),
        triaged_by=leader,
        signpost_offer="Small-group literacy",
    )
    Referral.objects.create(
        pupil=b, specialism=Specialism.CAMHS, reasons="x", raised_by=dsl, raised_at=_at("2026-03-03")
    )
    Referral.objects.create(
        pupil=d, specialism=Specialism.CAMHS, reasons="x", raised_by=dsl, raised_at=_at("2025-08-01")
    )
    oversight_summaries_rebuild()  # the rows above bypass the services, so bring the summaries up to date as nightly
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def _rows(table: oversight.Table) -> dict:
    return {tuple(row[:2]) if table.slug == "sdq-change" else row[0]: row for row in table.rows}


def test_it_works_out_sdq_change_by_cohort_and_scale(known, leader):
    rows = _rows(oversight.sdq_change(leader, FILTERS))
    # Total difficulties: 25 -> 12, 20 -> 16, 30 -> 30.
    assert rows[("2025/26", "Total difficulties")] == ["2025/26", "Total difficulties", 3, 25.0, 19.3, -5.7, 2]
    assert rows[("2025/26", "Prosocial behaviour")] == ["2025/26", "Prosocial behaviour", 3, 3.3, 4.7, 1.3, 1]
    assert len(rows) == 6


def test_it_filters_by_site_cohort_and_informant(known, leader, site):
    at_site = _rows(oversight.sdq_change(leader, oversight.Filters(**vars(FILTERS) | {"site_id": site.pk})))
    assert at_site[("2025/26", "Total difficulties")][2:] == [2, 22.5, 14.0, -8.5, 2]
    assert oversight.sdq_change(leader, oversight.Filters(**vars(FILTERS) | {"cohort": 2024})).rows == []
    teacher = _rows(oversight.sdq_change(leader, oversight.Filters(**vars(FILTERS) | {"informant": "teacher"})))
    assert teacher == {}  # the teacher endline has no teacher baseline


def test_it_works_out_attendance_change(known, leader):
    (row,) = oversight.attendance_change(leader, FILTERS).rows
    # Ann 50% -> 90% (the six weeks before leaving); Ben 80% -> 100%.
    assert row == ["2025/26", 2, 65.0, 95.0, 30.0, 2, 2, 0]


def test_it_works_out_the_neet_rate_of_leavers(known, leader):
    rows = _rows(oversight.neet_rate(leader, FILTERS, today=datetime.date(2026, 11, 23)))
    assert rows["3 months after leaving"][1:] == [3, 3, 3, 0, 1, 1, 1, 50.0]
    assert rows["12 months after leaving"][1:] == [3, 0, 0, 0, 0, 0, 0, None]


def test_it_summarises_family_feedback(known, leader):
    table = oversight.family_feedback(leader, FILTERS)
    assert "2 feedback forms" in table.title
    assert table.rows[0] == ["We felt listened to.", 2, 4.0, 1, 50.0]
    comments = oversight.family_comments(leader, FILTERS)
    assert [row[3] for row in comments.rows] == ["We feel heard.", '=HYPERLINK("http://example.invalid")']


def test_it_works_out_reading_age_gained(known, leader):
    (row,) = oversight.reading_change(leader, FILTERS).rows
    # Ann 10:00 -> 10:10 in 6 months (faster than time), Ben 8:04 -> 8:06 in 5 months; Cal has one test only.
    assert row == ["2025/26", 2, 9.2, 9.7, 6.0, 5.5, 1]


def test_it_counts_exclusions_by_school(known, leader):
    rows = _rows(oversight.exclusions_by_school(leader, FILTERS))
    assert rows == {
        "Millbrook Academy": ["Millbrook Academy", 1, 0, 0.0, 1],
        "The PRU itself": ["The PRU itself", 0, 2, 3.5, 2],
    }


def test_it_counts_referrals_by_specialism_and_month(known, leader):
    table = oversight.referrals_by_month(leader, FILTERS)
    assert table.columns == ["Specialism", "2026-02", "2026-03", "Total"]
    rows = _rows(table)
    assert rows["Speech and language therapy (SaLT)"] == ["Speech and language therapy (SaLT)", 2, 0, 2]
    assert rows["CAMHS"] == ["CAMHS", 0, 1, 1]
    assert rows["All specialisms"] == ["All specialisms", 2, 1, 3]


def test_it_times_triage_and_first_intervention_and_the_signposting_rate(known, leader):
    rows = _rows(oversight.referral_timeliness(leader, FILTERS))
    # Triage after 3 days and 1 day; the intervention started 9.6 days after the referral; 1 of 2 signposted.
    assert rows["Speech and language therapy (SaLT)"][1:] == [2, 2, 2.0, 1, 9.6, 1, 50.0]
    assert rows["CAMHS"][1:] == [1, 0, None, 0, None, 0, None]
    assert rows["All specialisms"][1:] == [3, 2, 2.0, 1, 9.6, 1, 50.0]


def test_it_shows_every_table_on_the_dashboard(client, known, leader):
    client.force_login(leader)
    response = client.get(URL, PERIOD)
    html = response.content.decode()
    assert response.status_code == 200
    for slug in oversight.TABLES:
        assert f'id="t-{slug}"' in html
        assert f"/oversight/export/{slug}.csv?" in html
    assert "<svg" in html
    assert "style=" not in html


def test_it_defaults_to_this_academic_year(client, leader):
    client.force_login(leader)
    response = client.get(URL)
    assert response.status_code == 200
    assert f"Period 1 Sep {oversight_year_start()}" in response.content.decode()


def oversight_year_start() -> int:
    today = timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


def test_it_exports_a_table_as_csv_without_running_formulas(client, known, leader):
    client.force_login(leader)
    response = client.get("/oversight/export/family-comments.csv", PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Date", "When", "Who", "Comment"]
    assert rows[2][3] == '\'=HYPERLINK("http://example.invalid")'


def test_it_exports_the_same_figures_as_the_page(client, known, leader, site):
    client.force_login(leader)
    response = client.get("/oversight/export/sdq-change.csv", PERIOD | {"site": site.pk})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == ["2025/26", "Total difficulties", "2", "22.5", "14.0", "-8.5", "2"]


def test_it_404s_for_an_unknown_table(client, leader):
    client.force_login(leader)
    assert client.get("/oversight/export/nothing.csv").status_code == 404


def test_it_rejects_bad_filters_with_a_400_and_keeps_them(client, leader):
    client.force_login(leader)
    response = client.get(URL, {"start": "2026-08-01", "end": "2026-01-01"})
    assert response.status_code == 400
    assert "before its start" in response.content.decode()
    assert 'value="2026-08-01"' in response.content.decode()
    assert client.get("/oversight/export/sdq-change.csv", {"start": "nonsense"}).status_code == 400


@pytest.mark.parametrize("role", ["dsl", "staff", "specialist", "health_specialist", "family_worker", "admin_user"])
def test_it_is_forbidden_to_everyone_but_senior_leaders(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403
    assert client.get("/oversight/export/sdq-change.csv").status_code == 403


def test_it_redirects_logged_out_users_to_login(client, db):
    for url in (URL, "/oversight/export/sdq-change.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_links_the_dashboard_in_the_nav_for_senior_leaders_only(client, leader, dsl):
    client.force_login(leader)
    assert 'href="/oversight/"' in client.get("/pupils/").content.decode()
    client.force_login(dsl)
    assert 'href="/oversight/"' not in client.get("/pupils/").content.decode()


def test_it_keeps_a_constant_number_of_queries(
    client, known, leader, site, dsl, specialist, django_assert_max_num_queries
):
    client.force_login(leader)
    client.get(URL, PERIOD)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, PERIOD).status_code == 200
    for n in range(15):
        more = make_pupil(site, first_name=f"More{n}", exit_date=datetime.date(2026, 7, 1))
        make_sdq(more, dsl, occasion=Occasion.BASELINE, day=datetime.date(2026, 1, 6), emotional=n % 10)
        make_sdq(more, dsl, occasion=Occasion.ENDLINE, day=datetime.date(2026, 6, 30), emotional=(n + 3) % 10)
        make_weeks(more, more.entry_date, [7] * 20)
        make_follow_up(more, dsl, DestinationFollowUp.Checkpoint.MONTHS_3, Status.EMPLOYMENT)
        make_feedback(more, dsl, day=datetime.date(2026, 4, 1), rating=4, comment=f"Comment {n}")
        Referral.objects.create(
            pupil=more, specialism=Specialism.CAREERS, reasons="x", raised_by=dsl, raised_at=_at("2026-04-01")
        )
    oversight_summaries_rebuild()
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL, PERIOD).status_code == 200
    assert len(large) == len(small)
    with django_assert_max_num_queries(20):
        client.get(URL, PERIOD)
