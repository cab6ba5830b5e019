import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from families import services
from families.models import Carer, Consent


def _detail_queries(client, pupil) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/pupils/{pupil.pk}/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _add(household, pupil, by, n, today):
    for i in range(n):
        Carer.objects.create(household=household, name=f"Carer {i}", relationship="grandparent")
        Consent.objects.create(
            pupil=pupil,
            agency_kind=["careers", "police", "camhs", "early_help"][i % 4],
            purpose="x",
            status="given",
            given_by="Mum",
            decided_on=today - datetime.timedelta(days=i),
            recorded_by=by,
        )


def test_it_shows_household_consent_and_plan_on_the_pupil_page(
    client, family_worker, pupil, household, carer, shortlist_plan, today
):
    consent = Consent.objects.create(
        pupil=pupil,
        agency_kind="any",
        purpose="All",
        status="given",
        given_by="Dana Example",
        decided_on=today - datetime.timedelta(days=3),
        recorded_by=family_worker,
    )
    services.consent_withdraw(consent=consent, by=family_worker, withdrawn_on=today, reason="Phoned.")
    client.force_login(family_worker)
    _, body = _detail_queries(client, pupil)
    assert "Example household" in body and "Dana Example" in body
    assert "Withdrawn" in body
    assert "Shortlist and visits" in body


def test_it_adds_a_constant_number_of_queries_to_the_pupil_page(client, dsl, pupil, household, shortlist_plan, today):
    client.force_login(dsl)
    _add(household, pupil, dsl, 2, today)
    small, _ = _detail_queries(client, pupil)
    _add(household, pupil, dsl, 12, today)
    large, body = _detail_queries(client, pupil)
    assert small == large
    assert "Carer 11" in body


def test_it_warns_an_agencys_staff_when_the_family_refused_sharing_with_their_agency(
    client, health_specialist, specialist, family_worker, pupil, today
):
    Consent.objects.create(
        pupil=pupil,
        agency_kind="camhs",
        purpose="CAMHS referral",
        status="refused",
        given_by="Dana Example",
        decided_on=today,
        recorded_by=family_worker,
    )
    client.force_login(health_specialist)  # CAMHS
    _, body = _detail_queries(client, pupil)
    assert "Consent to share information with CAMHS was refused by Dana Example" in body
    client.force_login(specialist)  # youth justice: not affected
    _, body = _detail_queries(client, pupil)
    assert "was refused by Dana Example" not in body
