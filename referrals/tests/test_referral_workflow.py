"""Raising a referral, starting the work and closing with an outcome (and the refused transitions)."""

import pytest
from django.urls import reverse

from concerns.models import Concern
from referrals import services
from referrals.models import Intervention, Referral, Specialism


def _raise(client, pupil, **data):
    values = {
        "specialism": "salt",
        "reasons": "Cannot follow instructions.",
        "tried": "Visual timetable.",
        "consent_status": "parent",
        "urgency": "soon",
    }
    values.update(data)
    return client.post(reverse("referrals:new", args=[pupil.pk]), values)


def test_it_raises_a_referral_from_a_concern(client, staff, pupil):
    concern = Concern.objects.create(pupil=pupil, logged_by=staff, category="behaviour", seen="Walked out of maths.")
    client.force_login(staff)
    response = _raise(client, pupil, concern=concern.pk)
    assert response.status_code == 302
    referral = Referral.objects.get()
    # A referral to speech and language therapy is health detail: the teacher goes back to the pupil's page.
    assert response["Location"] == reverse("pupils:detail", args=[pupil.pk])
    assert (referral.status, referral.specialism, referral.raised_by, referral.concern) == (
        "submitted",
        "salt",
        staff,
        concern,
    )
    assert referral.consent_status == "parent" and referral.urgency == "soon"
    assert referral.events.filter(pgh_label="insert").exists()


def test_a_specialist_refers_to_another_specialism_but_not_their_own(client, specialist, pupil):
    client.force_login(specialist)  # youth justice
    refused = _raise(client, pupil, specialism="youth_justice")
    assert refused.status_code == 400
    assert b"This is your own specialism" in refused.content
    assert b"Cannot follow instructions." in refused.content
    assert _raise(client, pupil, specialism="careers").status_code == 302
    assert Referral.objects.get().specialism == Specialism.CAREERS


def test_it_refuses_a_referral_when_consent_was_refused(client, staff, pupil):
    client.force_login(staff)
    response = _raise(client, pupil, consent_status="refused")
    assert response.status_code == 400
    assert b"Consent was refused" in response.content
    assert not Referral.objects.exists()


def test_complex_safeguarding_does_not_wait_for_consent(client, staff, pupil):
    client.force_login(staff)
    assert _raise(client, pupil, specialism="complex_safeguarding", consent_status="refused").status_code == 302


def test_it_refuses_a_second_referral_waiting_for_the_same_specialism(client, staff, pupil, camhs_referral):
    client.force_login(staff)
    response = _raise(client, pupil, specialism="camhs")
    assert response.status_code == 400
    assert b"already waiting for triage" in response.content
    assert Referral.objects.count() == 1


def test_it_refuses_an_invalid_form_with_a_400(client, staff, pupil):
    client.force_login(staff)
    response = _raise(client, pupil, reasons="")
    assert response.status_code == 400
    assert not Referral.objects.exists()


def test_the_allocated_specialist_starts_the_work(client, health_specialist, allocated_referral):
    client.force_login(health_specialist)
    assert client.post(reverse("referrals:start", args=[allocated_referral.pk])).status_code == 302
    allocated_referral.refresh_from_db()
    assert allocated_referral.status == Referral.Status.IN_PROGRESS
    assert Intervention.objects.get(referral=allocated_referral).started_on is not None


def test_it_refuses_to_start_a_referral_twice(client, dsl, allocated_referral):
    client.force_login(dsl)
    client.post(reverse("referrals:start", args=[allocated_referral.pk]))
    response = client.post(reverse("referrals:start", args=[allocated_referral.pk]))
    assert response.status_code == 409
    assert b"already in progress" in response.content


def test_it_refuses_to_start_a_referral_that_is_not_allocated(client, dsl, camhs_referral):
    client.force_login(dsl)
    response = client.post(reverse("referrals:start", args=[camhs_referral.pk]))
    assert response.status_code == 409
    assert b"Only a referral allocated to a specialist can be started" in response.content


def test_it_closes_with_an_outcome_and_closes_the_intervention(client, health_specialist, allocated_referral):
    client.force_login(health_specialist)
    url = reverse("referrals:close", args=[allocated_referral.pk])
    response = client.post(
        url, {"outcome": "partly", "note": "Sleeping better.", "version": allocated_referral.version}
    )
    assert response.status_code == 302
    allocated_referral.refresh_from_db()
    assert (allocated_referral.status, allocated_referral.outcome, allocated_referral.closed_by) == (
        "closed",
        "partly",
        health_specialist,
    )
    intervention = Intervention.objects.get(referral=allocated_referral)
    assert (intervention.status, intervention.outcome) == ("closed", "partly") and intervention.closed_on is not None


@pytest.mark.parametrize(
    "setup,message",
    [
        ("submitted", b"Triage this referral before closing it."),
        ("declined", b"A declined referral is already finished"),
        ("closed", b"This referral is already closed."),
    ],
)
def test_it_refuses_to_close_in_the_wrong_state(client, dsl, camhs_referral, setup, message):
    if setup == "declined":
        services.referral_triage(referral=camhs_referral, by=dsl, outcome="declined", reason="Not needed.")
    if setup == "closed":
        services.referral_triage(referral=camhs_referral, by=dsl, outcome="signposted", offer="Breakfast club")
        services.referral_close(referral=camhs_referral, by=dsl, outcome="achieved")
    camhs_referral.refresh_from_db()
    client.force_login(dsl)
    response = client.post(
        reverse("referrals:close", args=[camhs_referral.pk]),
        {"outcome": "achieved", "note": "Typed note.", "version": camhs_referral.version},
    )
    assert response.status_code == 409
    assert message in response.content
    before = camhs_referral.status
    camhs_referral.refresh_from_db()
    assert camhs_referral.status == before


def test_a_signposted_referral_can_be_closed(client, leader, yjs_referral, dsl):
    # leaders close referrals that are not health detail
    services.referral_triage(referral=yjs_referral, by=dsl, outcome="signposted", offer="Breakfast club")
    yjs_referral.refresh_from_db()
    client.force_login(leader)
    response = client.post(
        reverse("referrals:close", args=[yjs_referral.pk]), {"outcome": "achieved", "version": yjs_referral.version}
    )
    assert response.status_code == 302


def test_nothing_is_deleted(camhs_referral):
    from django.db import ProgrammingError, transaction

    with pytest.raises(ProgrammingError, match="Cannot delete"), transaction.atomic():
        Referral.objects.filter(pk=camhs_referral.pk).delete()


def test_it_asks_the_consent_records_before_accepting_a_referral(client, staff, pupil, monkeypatch):
    asked = []

    def refused(*, pupil, agency_kind_or_specialism):
        asked.append((pupil.pk, agency_kind_or_specialism))
        return "Consent to share information with CAMHS was refused."

    from families.consent import consent_problem
    from referrals.services import CONSENT_CHECKS

    assert consent_problem in CONSENT_CHECKS  # the families app registered its check
    monkeypatch.setattr("referrals.services.CONSENT_CHECKS", [refused])
    client.force_login(staff)
    response = _raise(client, pupil, specialism="camhs", consent_status="pupil_and_parent")
    assert response.status_code == 400
    assert b"Consent to share information with CAMHS was refused." in response.content
    assert asked == [(pupil.pk, "camhs")]
    assert not Referral.objects.exists()
