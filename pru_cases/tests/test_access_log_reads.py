"""Every page that names pupils writes one access-log row per pupil it names, in one insert per page view."""

import datetime

import pytest
from django.test import RequestFactory

from concerns.models import Concern
from meetings.models import Meeting
from pru_cases.access import record_reads
from pru_cases.models import AccessEvent
from pru_cases.tests.world import build_world
from pupils.models import Pupil
from referrals.models import Referral, Specialism


def _many_pupils(site, count: int) -> list[int]:
    Pupil.objects.bulk_create(
        Pupil(
            first_name=f"Read{n}",
            last_name="Logged",
            date_of_birth=datetime.date(2012, 1, 1),
            year_group=8,
            site=site,
            home_local_authority="Millbrook",
            school_local_authority="Millbrook",
            entry_date=datetime.date(2026, 1, 5),
            entry_route=Pupil.EntryRoute.OTHER,
        )
        for n in range(count)
    )
    return list(Pupil.objects.filter(last_name="Logged").values_list("pk", flat=True))


@pytest.mark.parametrize("count", [1, 300])
def test_it_records_the_reads_of_many_pupils_in_one_query(dsl, site, count, django_assert_num_queries):
    ids = _many_pupils(site, count)
    request = RequestFactory().get("/somewhere/")
    request.user = dsl
    with django_assert_num_queries(1):
        assert record_reads(request, pupil_ids=[*ids, None, ids[0]]) == count  # no id twice, none ignored
    rows = AccessEvent.objects.filter(user=dsl, path="/somewhere/")
    assert sorted(rows.values_list("pupil_id", flat=True)) == sorted(ids)
    row = rows.first()
    assert (row.role, row.agency_id, row.method, row.outcome, row.pupil_ref) == (
        dsl.role,
        dsl.agency_id,
        "GET",
        AccessEvent.Outcome.ALLOWED,
        row.pupil_id,
    )


def test_it_logs_a_pupil_seen_through_break_glass_as_such(rf, staff, pupil, other_pupil, django_assert_num_queries):
    from pru_cases.security import break_glass_grant

    grant_request = rf.post("/account/break-glass/")
    grant_request.user = staff
    break_glass_grant(
        request=grant_request, user=staff, pupil=other_pupil, reason="Covering at Riverside today, urgent."
    )
    request = rf.get("/pupils/")
    request.user = staff
    with django_assert_num_queries(1):
        record_reads(request, pupil_ids=[pupil.pk, other_pupil.pk])
    outcomes = dict(AccessEvent.objects.filter(path="/pupils/").values_list("pupil_id", "outcome"))
    assert outcomes == {pupil.pk: AccessEvent.Outcome.ALLOWED, other_pupil.pk: AccessEvent.Outcome.BREAK_GLASS}


def test_it_asks_nothing_of_the_database_when_no_pupil_is_named(dsl, django_assert_num_queries):
    request = RequestFactory().get("/empty/")
    request.user = dsl
    with django_assert_num_queries(0):
        assert record_reads(request, pupil_ids=[]) == 0


@pytest.fixture
def world(pupil, dsl, leader, staff, specialist, health_specialist, family_worker):
    built = build_world(
        pupil=pupil,
        dsl=dsl,
        leader=leader,
        staff=staff,
        specialist=specialist,
        health_specialist=health_specialist,
        family_worker=family_worker,
        pdfs=False,
    )
    Referral.objects.create(pupil=pupil, raised_by=staff, specialism=Specialism.CAREERS, reasons="Advice.")
    Concern.objects.create(pupil=pupil, category=Concern.Category.SAFEGUARDING, seen="Bruise.", logged_by=staff)
    Meeting.objects.filter(pk=built.ids["meeting"]).update(title=f"Team around {pupil.full_name}")
    return built


LIST_PAGES = [
    "/",
    "/pupils/?status=",
    "/pupils/concerns/",
    "/referrals/",
    "/referrals/triage/",
    "/referrals/triage/?status=allocated",
    "/referrals/caseload/",
    "/referrals/information-requests/",
    "/families/reintegration/",
    "/meetings/",
    "/meetings/actions/",
]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_a_list_page_logs_every_pupil_it_names(client, dsl, specialist, world, url):
    user = specialist if url == "/" else dsl  # the home page lists one's own pupils
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert "Zebulonia" in response.content.decode() or "Quillfeather" in response.content.decode()
    logged = AccessEvent.objects.filter(user=user, path=url.split("?")[0], pupil_id=world.ids["pupil"])
    assert logged.count() == 1, list(logged.values_list("path", "pupil_id"))


@pytest.mark.parametrize("name", ["meetings:detail", "meetings:screen", "meetings:case", "meetings:action"])
def test_each_meeting_page_logs_the_pupils_it_names(client, staff, world, name):
    from django.urls import reverse

    args = {
        "meetings:detail": [world.ids["meeting"]],
        "meetings:screen": [world.ids["meeting"]],
        "meetings:case": [world.ids["meeting"], world.ids["item"]],
        "meetings:action": [world.ids["action"]],
    }[name]
    url = reverse(name, args=args)
    client.force_login(staff)
    assert client.get(url).status_code == 200
    assert AccessEvent.objects.filter(user=staff, path=url, pupil_id=world.ids["pupil"]).exists()
