"""Sessions, health notes, review dates and the caseload page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.models import Intervention, InterventionSession, Referral

SENTINEL = "SENTINEL-SESSION-HEALTH-4K7"


def _session(client, intervention, **data):
    values = {"held_on": timezone.localdate().isoformat(), "minutes": 50, "attended": "on", "notes": "Worked on sleep."}
    values.update(data)
    return client.post(reverse("referrals:session_add", args=[intervention.pk]), values)


def test_the_first_session_starts_the_work(client, health_specialist, intervention):
    client.force_login(health_specialist)
    assert _session(client, intervention, health_notes=SENTINEL).status_code == 302
    session = InterventionSession.objects.get()
    assert session.health_notes == SENTINEL and session.recorded_by == health_specialist
    intervention.referral.refresh_from_db()
    assert intervention.referral.status == Referral.Status.IN_PROGRESS
    intervention.refresh_from_db()
    assert intervention.started_on == timezone.localdate()


def test_health_notes_are_shown_only_to_health_staff_and_the_dsl(client, cast, health_specialist, intervention):
    InterventionSession.objects.create(
        intervention=intervention, recorded_by=health_specialist, notes="Shared note.", health_notes=SENTINEL
    )
    url = reverse("referrals:detail", args=[intervention.referral_id])
    for role in ("dsl", "health_specialist"):
        client.force_login(cast[role])
        response = client.get(url)
        assert response.status_code == 200
        assert SENTINEL.encode() in response.content and b"Shared note." in response.content
    for role in ("leader", "staff"):  # CAMHS work is health detail as a whole: not even that it exists
        client.force_login(cast[role])
        assert client.get(url).status_code == 404


def test_a_health_note_on_other_work_is_hidden_while_the_shared_notes_are_shown(
    client, cast, yjs_referral, dsl, specialist
):
    referral = services.referral_triage(
        referral=yjs_referral, by=dsl, outcome=Referral.Status.ALLOCATED, specialist=specialist
    )
    InterventionSession.objects.create(
        intervention=referral.intervention, recorded_by=dsl, notes="Shared note.", health_notes=SENTINEL
    )
    url = reverse("referrals:detail", args=[referral.pk])
    for role, sees in [("dsl", True), ("leader", False), ("staff", False), ("specialist", False)]:
        client.force_login(cast[role])
        response = client.get(url)
        assert response.status_code == 200
        assert (SENTINEL.encode() in response.content) is sees, role
        assert b"Shared note." in response.content


def test_the_service_refuses_health_notes_from_people_outside_health(intervention, specialist):
    # The session form has no health-notes field for people outside health; the service refuses them as well.
    intervention.specialist = specialist  # a youth justice worker, to reach the check
    with pytest.raises(ValidationError, match="Only health staff"):
        services.intervention_session_add(
            intervention=intervention, by=specialist, held_on=timezone.localdate(), health_notes="x"
        )
    assert not InterventionSession.objects.exists()


def test_it_refuses_a_session_in_the_future(client, health_specialist, intervention):
    client.force_login(health_specialist)
    response = _session(client, intervention, held_on=(timezone.localdate() + datetime.timedelta(days=2)).isoformat())
    assert response.status_code == 400
    assert b"cannot be recorded for a future date" in response.content
    assert b"Worked on sleep." in response.content


def test_it_refuses_a_session_on_a_closed_intervention(client, health_specialist, allocated_referral, intervention):
    client.force_login(health_specialist)
    client.post(
        reverse("referrals:close", args=[allocated_referral.pk]),
        {"outcome": "achieved", "version": allocated_referral.version},
    )
    response = _session(client, intervention)
    assert response.status_code == 409
    assert b"This intervention is closed" in response.content


def test_another_specialist_of_the_same_kind_may_not_record_sessions(client, second_camhs_worker, intervention, dsl):
    from pupils.models import Allocation

    Allocation.objects.create(pupil=intervention.pupil, user=second_camhs_worker, created_by=dsl)
    client.force_login(second_camhs_worker)
    assert _session(client, intervention).status_code == 403
    assert not InterventionSession.objects.exists()


def test_it_sets_the_review_date_and_detects_stale_edits(client, health_specialist, intervention):
    client.force_login(health_specialist)
    url = reverse("referrals:intervention_update", args=[intervention.pk])
    assert (
        client.post(url, {"review_date": "2027-02-01", "goals": "Sleep.", "version": intervention.version}).status_code
        == 302
    )
    intervention.refresh_from_db()
    assert intervention.review_date == datetime.date(2027, 2, 1) and intervention.version == 2
    stale = client.post(url, {"review_date": "2027-03-01", "goals": "Typed goals.", "version": 1})
    assert stale.status_code == 409
    assert b"Typed goals." in stale.content
    intervention.refresh_from_db()
    assert intervention.review_date == datetime.date(2027, 2, 1)


def test_the_caseload_shows_a_specialists_own_interventions(
    client, health_specialist, second_camhs_worker, intervention, dsl
):
    client.force_login(health_specialist)
    response = client.get(reverse("referrals:caseload"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [intervention]
    client.force_login(second_camhs_worker)
    assert list(client.get(reverse("referrals:caseload")).context["page"]) == []
    client.force_login(dsl)
    response = client.get(reverse("referrals:caseload"), {"specialist": health_specialist.pk})
    assert list(response.context["page"]) == [intervention]
    assert Intervention.objects.count() == 1
