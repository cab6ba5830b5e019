"""The consent rule on referrals: a referral to an agency whose consent was refused or withdrawn is refused."""

import datetime

from django.urls import reverse

from families import services
from families.models import Consent
from referrals.models import Referral


def _raise(client, pupil, specialism, consent_status="parent"):
    return client.post(
        reverse("referrals:new", args=[pupil.pk]),
        {
            "specialism": specialism,
            "reasons": "TYPED-REASONS-5Q",
            "tried": "",
            "consent_status": consent_status,
            "urgency": "routine",
        },
    )


def _withdrawn(pupil, by, today, kind="any") -> Consent:
    consent = Consent.objects.create(
        pupil=pupil,
        agency_kind=kind,
        purpose="Referrals and support",
        status="given",
        given_by="Dana Example",
        decided_on=today - datetime.timedelta(days=20),
        recorded_by=by,
    )
    return services.consent_withdraw(consent=consent, by=by, withdrawn_on=today, reason="Phoned to withdraw.")


def test_it_refuses_a_referral_to_an_agency_whose_consent_was_withdrawn(client, staff, family_worker, pupil, today):
    _withdrawn(pupil, family_worker, today)
    client.force_login(staff)
    response = _raise(client, pupil, "camhs")
    assert response.status_code == 400
    body = response.content.decode()
    assert "withdrawn by Dana Example" in body
    assert "TYPED-REASONS-5Q" in body  # the typed referral is not lost
    assert not Referral.objects.exists()


def test_it_refuses_only_the_agency_the_family_refused(client, staff, family_worker, pupil, today):
    Consent.objects.create(
        pupil=pupil,
        agency_kind="camhs",
        purpose="CAMHS referral",
        status="refused",
        given_by="Dana Example",
        decided_on=today,
        recorded_by=family_worker,
    )
    client.force_login(staff)
    assert _raise(client, pupil, "camhs").status_code == 400
    assert _raise(client, pupil, "salt").status_code == 302
    assert list(Referral.objects.values_list("specialism", flat=True)) == ["salt"]


def test_safeguarding_and_the_pru_s_own_staff_are_not_blocked(client, staff, family_worker, pupil, today):
    _withdrawn(pupil, family_worker, today)
    client.force_login(staff)
    assert _raise(client, pupil, "complex_safeguarding").status_code == 302
    assert _raise(client, pupil, "counsellor").status_code == 302
    assert Referral.objects.count() == 2
