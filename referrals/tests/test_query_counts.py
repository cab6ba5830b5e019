"""Every list keeps the same number of queries as the data grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concerns.models import Concern
from conftest import make_pupil
from pupils.models import Allocation
from referrals import services
from referrals.models import Referral, Specialism


def _grow(n: int, *, site, staff, dsl, health_specialist, police) -> None:
    for index in range(n):
        pupil = make_pupil(site, first_name=f"P{index}", last_name="Grow")
        Allocation.objects.create(pupil=pupil, user=health_specialist, created_by=dsl)
        Concern.objects.create(pupil=pupil, logged_by=staff, category="behaviour", seen="x")
        Concern.objects.create(pupil=pupil, logged_by=staff, category="safeguarding", seen="y")
        referral = Referral.objects.create(pupil=pupil, raised_by=staff, specialism=Specialism.CAMHS, reasons="r")
        if index % 2:
            services.referral_triage(referral=referral, by=dsl, outcome="allocated", specialist=health_specialist)
        Referral.objects.create(pupil=pupil, raised_by=staff, specialism=Specialism.SALT, reasons="r")
        services.information_request_create(
            pupil=pupil, by=staff, agency=police, question="q", asked_on=timezone.localdate()
        )


PAGES = [
    ("dsl", "/referrals/"),
    ("dsl", "/referrals/triage/"),
    ("dsl", "/referrals/caseload/"),
    ("health_specialist", "/referrals/caseload/"),
    ("health_specialist", "/referrals/"),
    ("staff", "/referrals/information-requests/"),
    ("staff", "/pupils/concerns/"),
    ("staff", "/pupils/"),
]


@pytest.mark.parametrize("role,url", PAGES)
def test_lists_use_a_constant_number_of_queries(client, cast, site, police, role, url, django_assert_max_num_queries):
    people = {
        "site": site,
        "staff": cast["staff"],
        "dsl": cast["dsl"],
        "health_specialist": cast["health_specialist"],
        "police": police,
    }
    client.force_login(cast[role])
    _grow(2, **people)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(12, **people)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count >= 7  # caseloads hold the allocated half
