import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Agency
from families import services
from families.consent import consent_problem
from families.models import ANY_AGENCY, Consent, SharingDecision
from pru_cases.models import AccessEvent


def _consent(pupil, by, *, kind=ANY_AGENCY, status=Consent.Status.GIVEN, decided_on, **extra) -> Consent:
    return Consent.objects.create(
        pupil=pupil,
        agency_kind=kind,
        purpose="Referrals and support",
        status=status,
        given_by="Dana Example",
        decided_on=decided_on,
        recorded_by=by,
        **extra,
    )


def _days_ago(today, n):
    return today - datetime.timedelta(days=n)


def test_it_allows_sharing_when_nothing_is_recorded(pupil):
    assert consent_problem(pupil=pupil, agency_kind_or_specialism=Agency.Kind.CAMHS) is None


def test_it_allows_sharing_with_consent_for_every_agency(pupil, family_worker, today):
    _consent(pupil, family_worker, decided_on=_days_ago(today, 10))
    assert consent_problem(pupil=pupil, agency_kind_or_specialism="camhs") is None


def test_it_refuses_when_consent_for_every_agency_was_withdrawn(pupil, family_worker, today):
    consent = _consent(pupil, family_worker, decided_on=_days_ago(today, 30))
    services.consent_withdraw(consent=consent, by=family_worker, withdrawn_on=_days_ago(today, 2), reason="Phoned in.")
    problem = consent_problem(pupil=pupil, agency_kind_or_specialism=Agency.Kind.YOUTH_JUSTICE)
    assert problem is not None
    assert "withdrawn by Dana Example" in problem
    assert "Youth justice" in problem


def test_it_refuses_an_agency_the_family_refused_but_not_the_others(pupil, family_worker, today):
    _consent(pupil, family_worker, decided_on=_days_ago(today, 30))
    _consent(
        pupil, family_worker, kind=Agency.Kind.CAMHS, status=Consent.Status.REFUSED, decided_on=_days_ago(today, 5)
    )
    assert "refused" in consent_problem(pupil=pupil, agency_kind_or_specialism=Agency.Kind.CAMHS)
    assert consent_problem(pupil=pupil, agency_kind_or_specialism=Agency.Kind.HEALTH) is None


def test_it_lets_a_later_consent_for_one_agency_override_an_earlier_withdrawal(pupil, family_worker, today):
    consent = _consent(pupil, family_worker, decided_on=_days_ago(today, 60))
    services.consent_withdraw(consent=consent, by=family_worker, withdrawn_on=_days_ago(today, 30), reason="Upset.")
    _consent(pupil, family_worker, kind=Agency.Kind.HEALTH, decided_on=_days_ago(today, 3))
    assert consent_problem(pupil=pupil, agency_kind_or_specialism="salt") is None  # a specialism maps to its agency
    assert consent_problem(pupil=pupil, agency_kind_or_specialism=Agency.Kind.CAMHS) is not None


def test_it_reads_the_same_day_conflict_cautiously(pupil, family_worker, today):
    _consent(pupil, family_worker, kind=Agency.Kind.POLICE, decided_on=today)
    _consent(pupil, family_worker, kind=Agency.Kind.POLICE, status=Consent.Status.REFUSED, decided_on=today)
    assert consent_problem(pupil=pupil, agency_kind_or_specialism=Agency.Kind.POLICE) is not None


def test_it_ignores_expired_consent_and_other_pupils(pupil, other_pupil, family_worker, today):
    _consent(other_pupil, family_worker, status=Consent.Status.REFUSED, decided_on=_days_ago(today, 3))
    _consent(pupil, family_worker, status=Consent.Status.REFUSED, decided_on=_days_ago(today, 300))
    _consent(pupil, family_worker, decided_on=_days_ago(today, 200), expires_on=_days_ago(today, 1))
    # The refusal is the decision in force: the later consent has expired.
    assert consent_problem(pupil=pupil, agency_kind_or_specialism=Agency.Kind.CAREERS) is not None


def test_it_accepts_an_agency_instance(pupil, family_worker, yjs_agency, today):
    _consent(pupil, family_worker, kind=Agency.Kind.YOUTH_JUSTICE, status=Consent.Status.REFUSED, decided_on=today)
    assert consent_problem(pupil=pupil, agency_kind_or_specialism=yjs_agency) is not None


def test_it_records_a_consent_decision_from_the_page(client, family_worker, pupil, household, carer, today):
    client.force_login(family_worker)
    response = client.post(
        f"/families/pupil/{pupil.pk}/consents/",
        {
            "consent-agency_kind": Agency.Kind.CAMHS,
            "consent-purpose": "CAMHS referral",
            "consent-status": "given",
            "consent-given_by": "Dana Example",
            "consent-given_by_carer": carer.pk,
            "consent-how": "written",
            "consent-decided_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(pupil=pupil)
    assert consent.status == Consent.Status.GIVEN and consent.recorded_by == family_worker
    assert consent.events.filter(pgh_label="insert").exists()
    assert AccessEvent.objects.filter(user=family_worker, pupil=pupil, outcome="allowed").exists()


def test_it_refuses_a_consent_dated_in_the_future_and_keeps_the_input(client, family_worker, pupil, today):
    client.force_login(family_worker)
    response = client.post(
        f"/families/pupil/{pupil.pk}/consents/",
        {
            "consent-agency_kind": ANY_AGENCY,
            "consent-purpose": "TYPED-PURPOSE-42",
            "consent-status": "given",
            "consent-given_by": "Dana",
            "consent-how": "written",
            "consent-decided_on": (today + datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert "TYPED-PURPOSE-42" in response.content.decode()
    assert not Consent.objects.exists()


def test_it_withdraws_consent_from_the_page_and_keeps_the_row(client, family_worker, pupil, today):
    consent = _consent(pupil, family_worker, decided_on=_days_ago(today, 10))
    client.force_login(family_worker)
    response = client.post(
        f"/families/pupil/{pupil.pk}/consents/{consent.pk}/withdraw/",
        {"withdraw-withdrawn_on": today.isoformat(), "withdraw-reason": "Mum phoned to withdraw."},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == Consent.Status.WITHDRAWN
    assert consent.withdrawn_on == today and consent.withdrawn_recorded_by == family_worker
    assert consent.events.filter(pgh_label="update").exists()
    again = client.post(
        f"/families/pupil/{pupil.pk}/consents/{consent.pk}/withdraw/",
        {"withdraw-withdrawn_on": today.isoformat(), "withdraw-reason": "Twice."},
    )
    assert again.status_code == 400
    assert "currently given" in again.content.decode()


def test_it_will_not_log_sharing_on_the_basis_of_withdrawn_consent(pupil, family_worker, today):
    consent = _consent(pupil, family_worker, decided_on=_days_ago(today, 10))
    services.consent_withdraw(consent=consent, by=family_worker, withdrawn_on=today, reason="No more.")
    data = {
        "decided_on": today,
        "what": "Attendance",
        "agency_kind": Agency.Kind.EARLY_HELP,
        "recipient": "Duty worker",
        "why": "Planning.",
        "lawful_basis": SharingDecision.LawfulBasis.CONSENT,
        "shared": True,
    }
    with pytest.raises(ValidationError, match="withdrawn"):
        services.sharing_decision_record(pupil=pupil, by=family_worker, data=data)
    # A decision not to share, or to share on a safeguarding basis, is still recorded.
    services.sharing_decision_record(pupil=pupil, by=family_worker, data=data | {"shared": False})
    services.sharing_decision_record(
        pupil=pupil, by=family_worker, data=data | {"lawful_basis": SharingDecision.LawfulBasis.SAFEGUARDING}
    )
    assert SharingDecision.objects.filter(pupil=pupil).count() == 2


def test_it_records_a_sharing_decision_from_the_page(client, specialist, pupil, today):
    client.force_login(specialist)
    response = client.post(
        f"/families/pupil/{pupil.pk}/sharing/",
        {
            "sharing-decided_on": today.isoformat(),
            "sharing-what": "Summary of concerns",
            "sharing-agency_kind": "youth_justice",
            "sharing-recipient": "Case manager",
            "sharing-why": "Agreed at the MDT.",
            "sharing-lawful_basis": "public_task",
            "sharing-shared": "yes",
        },
    )
    assert response.status_code == 302
    decision = SharingDecision.objects.get(pupil=pupil)
    assert decision.shared is True and decision.decided_by == specialist


def test_it_never_blocks_sharing_within_the_pru(pupil, family_worker, today):
    consent = _consent(pupil, family_worker, decided_on=_days_ago(today, 10))
    services.consent_withdraw(consent=consent, by=family_worker, withdrawn_on=today, reason="No outside agencies.")
    assert consent_problem(pupil=pupil, agency_kind_or_specialism="family_worker") is None
    assert consent_problem(pupil=pupil, agency_kind_or_specialism="counsellor") is None
    assert consent_problem(pupil=pupil, agency_kind_or_specialism="careers") is not None
