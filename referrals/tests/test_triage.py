"""Stepped triage: each outcome, the refused transitions, the duplication rule and concurrent triage."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pupils.models import Allocation
from referrals.models import Intervention, Referral, Specialism


def _triage(client, referral, **data):
    data.setdefault("version", referral.version)
    return client.post(reverse("referrals:triage_referral", args=[referral.pk]), data)


def test_it_allocates_to_a_specialist_and_gives_them_the_pupil(client, dsl, camhs_referral, second_camhs_worker):
    assert not Allocation.objects.filter(user=second_camhs_worker).exists()
    client.force_login(dsl)
    response = _triage(
        client, camhs_referral, outcome="allocated", specialist=second_camhs_worker.pk, note="Agreed at MDT."
    )
    assert response.status_code == 302
    camhs_referral.refresh_from_db()
    assert camhs_referral.status == Referral.Status.ALLOCATED
    assert camhs_referral.allocated_to == second_camhs_worker
    assert camhs_referral.triaged_by == dsl and camhs_referral.triaged_at is not None
    assert camhs_referral.version == 2
    intervention = Intervention.objects.get(referral=camhs_referral)
    assert intervention.specialist == second_camhs_worker and intervention.is_open
    allocation = Allocation.objects.get(pupil=camhs_referral.pupil, user=second_camhs_worker, ended_on__isnull=True)
    assert allocation.created_by == dsl
    assert camhs_referral.events.filter(pgh_label="update").exists()
    # The new allocation brings the pupil into the specialist's scope.
    client.force_login(second_camhs_worker)
    assert client.get(reverse("pupils:detail", args=[camhs_referral.pupil_id])).status_code == 200


def test_it_signposts_to_a_named_universal_offer(client, leader, yjs_referral):
    # leaders triage referrals that are not health detail
    client.force_login(leader)
    assert _triage(client, yjs_referral, outcome="signposted", offer="Lunchtime mentoring").status_code == 302
    yjs_referral.refresh_from_db()
    assert yjs_referral.status == Referral.Status.SIGNPOSTED
    assert yjs_referral.signpost_offer == "Lunchtime mentoring"
    assert not Intervention.objects.exists()


def test_it_refuses_a_signpost_without_the_offer_named(client, dsl, camhs_referral):
    client.force_login(dsl)
    response = _triage(client, camhs_referral, outcome="signposted", note="Kept in the centre.")
    assert response.status_code == 400
    assert b"Name the part of the universal offer" in response.content
    assert b"Kept in the centre." in response.content  # typed input is shown again
    camhs_referral.refresh_from_db()
    assert camhs_referral.status == Referral.Status.SUBMITTED


def test_it_declines_with_a_reason(client, dsl, camhs_referral):
    client.force_login(dsl)
    assert (
        _triage(client, camhs_referral, outcome="declined", reason="Needs are met by the current plan.").status_code
        == 302
    )
    camhs_referral.refresh_from_db()
    assert camhs_referral.status == Referral.Status.DECLINED
    assert camhs_referral.decline_reason == "Needs are met by the current plan."


def test_it_refuses_to_decline_without_a_reason(client, dsl, camhs_referral):
    client.force_login(dsl)
    response = _triage(client, camhs_referral, outcome="declined")
    assert response.status_code == 400
    assert b"Give the reason for declining" in response.content


@pytest.mark.parametrize("route", ["early_help_assessment", "child_protection", "police_safe_and_well"])
def test_it_escalates_by_each_route(client, dsl, camhs_referral, route):
    client.force_login(dsl)
    assert _triage(client, camhs_referral, outcome="escalated", escalation=route).status_code == 302
    camhs_referral.refresh_from_db()
    assert camhs_referral.status == Referral.Status.ESCALATED
    assert camhs_referral.escalation == route


def test_it_refuses_to_escalate_without_a_route(client, dsl, camhs_referral):
    client.force_login(dsl)
    response = _triage(client, camhs_referral, outcome="escalated")
    assert response.status_code == 400
    assert b"Choose the route" in response.content


def test_it_refuses_an_allocation_without_a_specialist(client, dsl, camhs_referral):
    client.force_login(dsl)
    response = _triage(client, camhs_referral, outcome="allocated")
    assert response.status_code == 400
    assert b"Choose the specialist" in response.content
    assert not Intervention.objects.exists()


def test_it_refuses_a_specialist_of_another_specialism(client, dsl, camhs_referral, specialist):
    client.force_login(dsl)
    response = _triage(client, camhs_referral, outcome="allocated", specialist=specialist.pk)
    assert response.status_code == 400  # not in the choices for a CAMHS referral
    camhs_referral.refresh_from_db()
    assert camhs_referral.status == Referral.Status.SUBMITTED


def test_it_refuses_to_triage_twice(client, dsl, allocated_referral, health_specialist):
    client.force_login(dsl)
    response = _triage(client, allocated_referral, outcome="declined", reason="Changed our minds.")
    assert response.status_code == 409
    assert b"already been triaged: it is allocated to" in response.content
    allocated_referral.refresh_from_db()
    assert allocated_referral.status == Referral.Status.ALLOCATED


def test_it_detects_a_triage_made_from_a_stale_page(client, dsl, camhs_referral):
    client.force_login(dsl)
    stale = camhs_referral.version
    Referral.objects.filter(pk=camhs_referral.pk).update(version=stale + 1)  # someone else saved meanwhile
    response = _triage(client, camhs_referral, outcome="signposted", offer="Breakfast club", version=stale)
    assert response.status_code == 409
    assert b"Someone else changed this referral" in response.content
    assert b"Breakfast club" in response.content


def test_the_duplication_rule_needs_a_recorded_reason(
    client, dsl, allocated_referral, pupil, staff, second_camhs_worker
):
    allocated_referral.refresh_from_db()
    second = Referral.objects.create(pupil=pupil, raised_by=staff, specialism=Specialism.CAMHS, reasons="Still low.")
    client.force_login(dsl)
    page = client.get(reverse("referrals:detail", args=[second.pk]))
    assert b"already has an open CAMHS intervention" in page.content

    refused = _triage(client, second, outcome="allocated", specialist=second_camhs_worker.pk)
    assert refused.status_code == 400
    assert b"already has an open CAMHS intervention with" in refused.content
    assert Intervention.objects.filter(pupil=pupil, specialism=Specialism.CAMHS).count() == 1

    allowed = _triage(
        client,
        second,
        outcome="allocated",
        specialist=second_camhs_worker.pk,
        duplication_reason="Family work alongside 1:1.",
    )
    assert allowed.status_code == 302
    second.refresh_from_db()
    assert second.duplication_reason == "Family work alongside 1:1."
    assert Intervention.objects.filter(pupil=pupil, specialism=Specialism.CAMHS, status="open").count() == 2


def test_the_duplication_rule_ignores_closed_interventions(
    client, dsl, allocated_referral, pupil, staff, health_specialist
):
    client.force_login(dsl)
    client.post(
        reverse("referrals:close", args=[allocated_referral.pk]),
        {"outcome": "achieved", "version": allocated_referral.version},
    )
    second = Referral.objects.create(pupil=pupil, raised_by=staff, specialism=Specialism.CAMHS, reasons="New worries.")
    response = _triage(client, second, outcome="allocated", specialist=health_specialist.pk)
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.duplication_reason == ""


def test_it_refuses_a_health_referral_to_someone_who_may_not_read_health_detail(leader, camhs_referral):
    """The pages hide a referral to CAMHS from senior leaders; the service refuses them too."""
    from django.core.exceptions import ValidationError

    from referrals import services

    with pytest.raises(ValidationError, match="Referrals to health services"):
        services.referral_triage(referral=camhs_referral, by=leader, outcome="signposted", offer="Club")
    camhs_referral.refresh_from_db()
    assert camhs_referral.status == Referral.Status.SUBMITTED


def test_it_counts_the_referrals_waiting_on_someone_by_state_and_age(client, dsl, pupil, staff):
    from referrals.selectors import triage_counts

    settled_by = {
        "allocated": {"allocated_to": staff},
        "signposted": {"signpost_offer": "Mentoring"},
        "declined": {"decline_reason": "Met already."},
        "escalated": {"escalation": "early_help_assessment"},
        "closed": {"outcome": "achieved"},
    }

    def raise_one(status, days_ago):
        referral = Referral.objects.create(
            pupil=pupil,
            raised_by=staff,
            specialism=Specialism.CAMHS,
            reasons="Low mood.",
            status=status,
            **settled_by.get(status, {}),
        )
        Referral.objects.filter(pk=referral.pk).update(raised_at=timezone.now() - datetime.timedelta(days=days_ago))

    for status, days_ago in [("submitted", 1), ("submitted", 10), ("allocated", 40), ("in_progress", 20)]:
        raise_one(status, days_ago)
    for status in ("escalated", "signposted", "declined", "declined", "closed"):
        raise_one(status, 3)
    counts = triage_counts(Referral.objects.all())
    assert counts["states"] == [
        ("submitted", "Submitted", 2),
        ("allocated", "Allocated to a specialist", 1),
        ("signposted", "Signposted to the universal offer", None),
        ("declined", "Declined", None),
        ("escalated", "Escalated", 1),
        ("in_progress", "In progress", 1),
        ("closed", "Closed", None),
    ]
    assert counts["ages"] == [("Up to a week", 1), ("1-2 weeks", 1), ("2-4 weeks", 1), ("Over 4 weeks", 1)]
    client.force_login(dsl)
    page = client.get(reverse("referrals:triage")).content.decode()
    # settled states are links to their lists, without a count
    assert (
        '<a href="?status=declined">Declined</a></th><td class="text-end"><span class="text-muted">settled</span>'
        in page
    )
    assert '<a href="?status=submitted">Submitted</a></th><td class="text-end">2</td>' in page


def test_it_shows_the_oldest_safeguarding_concerns_and_how_many_wait_in_all(client, dsl, staff, pupil):
    from concerns.models import Concern

    start = timezone.now() - datetime.timedelta(days=30)
    for day in range(12):
        Concern.objects.create(
            pupil=pupil,
            category="safeguarding",
            seen=f"Seen on day {day:02}.",
            occurred_at=start + datetime.timedelta(days=day),
            logged_by=staff,
        )
    Concern.objects.create(
        pupil=pupil, category="safeguarding", seen="Reviewed.", logged_by=staff, status="reviewed", reviewed_at=start
    )
    client.force_login(dsl)
    response = client.get(reverse("referrals:triage"))
    shown = response.context["safeguarding"]
    assert [concern.seen for concern in shown] == [f"Seen on day {day:02}." for day in range(10)]
    assert response.context["safeguarding_total"] == 12
    assert b"See all 12 in the concern log" in response.content


def test_it_links_each_referral_in_the_queue_to_its_page(client, dsl, camhs_referral, yjs_referral):
    client.force_login(dsl)
    page = client.get(reverse("referrals:triage")).content.decode()
    for referral in (camhs_referral, yjs_referral):
        assert f'<a href="{reverse("referrals:detail", args=[referral.pk])}">' in page


def test_each_waiting_safeguarding_concern_has_its_details_and_a_review_form_that_works(dsl, staff, pupil):
    from django.test import Client

    from concerns.models import Concern

    long_words = "Said <script>x</script> at break. " + "More detail. " * 40
    concern = Concern.objects.create(
        pupil=pupil,
        category="safeguarding",
        seen=long_words,
        occurred_at=datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC),
        logged_by=staff,
    )
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(dsl)
    page = browser.get(reverse("referrals:triage")).content.decode()
    row = page.split('id="sg-queue"')[1].split("</ul>")[0]
    assert f'<a href="/pupils/{pupil.pk}/">{pupil.full_name}</a></strong> · 1 Jul 2026 00:30 · logged by {staff}' in row
    assert "&lt;script&gt;x&lt;/script&gt;" in row and "<script>" not in row
    assert "More detail. " * 10 in row and "More detail. " * 30 not in row and "…" in row
    assert f'action="{reverse("concerns:review", args=[concern.pk])}"' in row and 'for="note-' in row
    token = row.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    reviewed = browser.post(
        reverse("concerns:review", args=[concern.pk]), {"csrfmiddlewaretoken": token, "note": "Rang social care."}
    )
    assert reviewed.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Concern.Status.REVIEWED
    assert "No safeguarding concerns are waiting." in browser.get(reverse("referrals:triage")).content.decode()
