"""A pupil on roll with no Fresh Start interview N days after entry is flagged on their page and on the pupil list."""

import datetime

import pytest

from conftest import make_pupil
from families.models import FreshStartInterview
from families.selectors import fresh_start_missing
from pupils.models import Pupil

WARNING = "No Fresh Start interview"


@pytest.fixture(autouse=True)
def flag_days(settings):
    settings.FRESH_START_FLAG_DAYS = 14


def _enter(pupil, today, days_ago: int, **extra) -> Pupil:
    Pupil.objects.filter(pk=pupil.pk).update(entry_date=today - datetime.timedelta(days=days_ago), **extra)
    pupil.refresh_from_db()
    return pupil


def _interview(pupil, staff, family_worker, held_on) -> FreshStartInterview:
    return FreshStartInterview.objects.create(
        pupil=pupil,
        held_on=held_on,
        school_staff=staff,
        agency_member=family_worker,
        positives="Art",
        negatives="Noise",
        goals="College",
        needs="Quiet space",
        recorded_by=staff,
    )


def _panel(client, pupil) -> str:
    response = client.get(f"/pupils/{pupil.pk}/")
    assert response.status_code == 200
    return response.content.decode().split('id="family-panel"')[1]


def test_it_flags_a_pupil_with_no_interview_n_days_after_entry(client, staff, pupil, today):
    _enter(pupil, today, 21)
    client.force_login(staff)
    assert "No Fresh Start interview 21 days after entry." in _panel(client, pupil)
    assert fresh_start_missing(Pupil.objects.all(), on=today).get() == pupil


@pytest.mark.parametrize("days_ago", [0, 7, 14])
def test_it_does_not_flag_a_pupil_within_n_days_of_entry(client, staff, pupil, today, days_ago):
    _enter(pupil, today, days_ago)
    client.force_login(staff)
    panel = _panel(client, pupil)
    assert WARNING not in panel and "Not held yet." in panel
    assert not fresh_start_missing(Pupil.objects.all(), on=today).exists()


def test_the_number_of_days_is_a_setting(client, staff, pupil, today, settings):
    _enter(pupil, today, 21)
    settings.FRESH_START_FLAG_DAYS = 30
    client.force_login(staff)
    assert WARNING not in _panel(client, pupil)
    assert not fresh_start_missing(Pupil.objects.all(), on=today).exists()


def test_it_does_not_flag_a_pupil_once_the_interview_is_held(client, staff, family_worker, pupil, today):
    _enter(pupil, today, 40)
    _interview(pupil, staff, family_worker, today - datetime.timedelta(days=1))  # held late, but held
    client.force_login(staff)
    panel = _panel(client, pupil)
    assert WARNING not in panel and "Held " in panel
    assert not fresh_start_missing(Pupil.objects.all(), on=today).exists()


def test_it_does_not_flag_a_pupil_who_has_left_or_is_archived(client, dsl, pupil, site, today):
    _enter(pupil, today, 40, exit_date=today)
    archived = make_pupil(
        site, first_name="Archived", entry_date=today - datetime.timedelta(days=40), status=Pupil.Status.ARCHIVED
    )
    leaving = make_pupil(
        site,
        first_name="Leaving",
        entry_date=today - datetime.timedelta(days=40),
        exit_date=today + datetime.timedelta(days=5),
    )
    client.force_login(dsl)
    assert WARNING not in _panel(client, pupil)
    flagged = fresh_start_missing(Pupil.objects.all(), on=today)
    assert leaving in flagged  # still on roll until the exit date
    assert pupil not in flagged and archived not in flagged


def test_the_pupil_list_shows_a_badge(client, staff, family_worker, pupil, site, today):
    _enter(pupil, today, 21)
    interviewed = make_pupil(site, first_name="Interviewed", entry_date=today - datetime.timedelta(days=21))
    _interview(interviewed, staff, family_worker, today - datetime.timedelta(days=10))
    client.force_login(staff)
    response = client.get("/pupils/")
    assert response.status_code == 200
    rows = {row.pk: row for row in response.context["page"]}
    texts = {pk: [badge["text"] for badge in row.list_badges] for pk, row in rows.items()}
    assert WARNING in texts[pupil.pk]
    assert WARNING not in texts[interviewed.pk]


def test_the_list_badge_flags_exactly_the_pupils_the_set_based_rule_flags(
    client, dsl, staff, family_worker, pupil, site, today
):
    """The list works the flag out per row; the agenda and reports use `fresh_start_missing`: they must agree."""
    day = datetime.timedelta(days=1)
    _enter(pupil, today, 40)  # flagged
    make_pupil(site, first_name="New", entry_date=today - 14 * day)  # not yet: exactly the allowed days
    make_pupil(site, first_name="Due", entry_date=today - 15 * day)  # flagged
    make_pupil(site, first_name="Left", entry_date=today - 40 * day, exit_date=today)
    make_pupil(site, first_name="Leaving", entry_date=today - 40 * day, exit_date=today + 5 * day)  # flagged
    held = make_pupil(site, first_name="Held", entry_date=today - 40 * day)
    _interview(held, staff, family_worker, today - 30 * day)
    client.force_login(dsl)
    response = client.get("/pupils/", {"status": ""})
    assert response.status_code == 200
    badged = {row.pk for row in response.context["page"] if any(b["text"] == WARNING for b in row.list_badges)}
    expected = set(fresh_start_missing(Pupil.objects.all(), on=today).values_list("pk", flat=True))
    assert badged == expected and len(expected) == 3
