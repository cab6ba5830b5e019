"""The pupil page tells the referral story: every referral with where it went, and the questions put to agencies."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals import services
from referrals.models import InformationRequest, Referral, Specialism
from referrals.panels import FETCHED, HISTORY


def _page(client, pupil) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/pupils/{pupil.pk}/")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _referral(pupil, by, specialism=Specialism.YOUTH_JUSTICE, **extra) -> Referral:
    return Referral.objects.create(
        pupil=pupil, raised_by=by, specialism=specialism, **({"reasons": "Seen in town."} | extra)
    )


def test_it_shows_each_referral_with_its_outcome_in_words(client, dsl, staff, specialist, pupil):
    waiting = _referral(pupil, staff, specialism=Specialism.CAREERS)
    services.referral_triage(
        referral=_referral(pupil, staff), by=dsl, outcome=Referral.Status.ALLOCATED, specialist=specialist
    )
    services.referral_triage(
        referral=_referral(pupil, staff, specialism=Specialism.SPORTS_MENTOR),
        by=dsl,
        outcome=Referral.Status.SIGNPOSTED,
        offer="Lunchtime football club",
    )
    services.referral_triage(
        referral=_referral(pupil, staff, specialism=Specialism.CAREERS),
        by=dsl,
        outcome=Referral.Status.DECLINED,
        reason="Already seen by the careers adviser last week",
    )
    services.referral_triage(
        referral=_referral(pupil, staff),
        by=dsl,
        outcome=Referral.Status.ESCALATED,
        escalation=Referral.Escalation.EARLY_HELP,
    )
    closed = services.referral_triage(
        referral=_referral(pupil, staff, specialism=Specialism.FAMILY_WORKER),
        by=dsl,
        outcome=Referral.Status.SIGNPOSTED,
        offer="Parenting group",
    )
    services.referral_close(referral=closed, by=dsl, outcome=Referral.Outcome.ACHIEVED, note="Mum attended all six.")
    client.force_login(dsl)
    body, _ = _page(client, pupil)

    open_part, history = body.split("Earlier referrals")
    assert f'href="/referrals/{waiting.pk}/"' in open_part.split("Open referrals")[1]
    assert "Waiting for triage" in open_part
    assert f"Allocated to {specialist}" in open_part
    assert "Signposted to the universal offer: Lunchtime football club" in history
    assert "Declined: Already seen by the careers adviser last week" in history
    assert "Escalated: early help assessment" in history
    assert "Closed: goals achieved" in history and "Mum attended all six." in history
    for code in ("signposted", "early_help_assessment", "achieved", "declined"):
        assert f">{code}<" not in body and f": {code}" not in body


def test_it_shows_the_latest_settled_referrals_and_counts_the_rest(client, dsl, staff, pupil):
    for index in range(HISTORY + 3):
        services.referral_triage(
            referral=_referral(pupil, staff, raised_at=timezone.now() - datetime.timedelta(days=index)),
            by=dsl,
            outcome=Referral.Status.DECLINED,
            reason=f"Reason number {index:02d}",
        )
    client.force_login(dsl)
    body, _ = _page(client, pupil)
    assert "Reason number 00" in body and f"Reason number {HISTORY - 1:02d}" in body
    assert f"Reason number {HISTORY:02d}" not in body
    assert "and 3 earlier" in body


def test_it_shows_every_waiting_referral_even_more_than_one_fetch_holds(client, dsl, staff, pupil):
    now = timezone.now()
    waiting = [_referral(pupil, staff, raised_at=now - datetime.timedelta(hours=index)) for index in range(FETCHED + 2)]
    for index in range(HISTORY + 1):
        referral = _referral(pupil, staff, raised_at=now - datetime.timedelta(days=30 + index))
        services.referral_triage(referral=referral, by=dsl, outcome=Referral.Status.DECLINED, reason=f"Old {index:02d}")
    client.force_login(dsl)
    body, _ = _page(client, pupil)
    assert all(f'href="/referrals/{referral.pk}/"' in body for referral in waiting)
    assert f"Old {HISTORY - 1:02d}" in body and f"Old {HISTORY:02d}" not in body
    assert "and 1 earlier" in body


def test_a_history_longer_than_one_fetch_is_counted_not_cut(client, dsl, staff, pupil):
    """More rows than one fetch holds, the last of them settled: the settled ones are counted by a second query."""
    now = timezone.now()
    waiting = [_referral(pupil, staff, raised_at=now - datetime.timedelta(hours=index)) for index in range(3)]
    settled = Referral.objects.bulk_create(
        Referral(
            pupil=pupil,
            raised_by=staff,
            specialism=Specialism.CAREERS,
            reasons="Seen in town.",
            raised_at=now - datetime.timedelta(days=10 + index),
            status=Referral.Status.DECLINED,
            triaged_at=now - datetime.timedelta(days=9 + index),
            triaged_by=dsl,
            decline_reason=f"Settled {index:02d}",
        )
        for index in range(FETCHED + 5)
    )
    client.force_login(dsl)
    body, _ = _page(client, pupil)
    assert all(f'href="/referrals/{referral.pk}/"' in body for referral in waiting)
    assert f"Settled {HISTORY - 1:02d}" in body and f"Settled {HISTORY:02d}" not in body
    assert f"and {len(settled) - HISTORY} earlier" in body


def test_it_holds_back_health_referrals_from_those_without_health_access(client, dsl, staff, health_specialist, pupil):
    open_camhs = _referral(pupil, staff, specialism=Specialism.CAMHS)
    declined = services.referral_triage(
        referral=_referral(pupil, staff, specialism=Specialism.CAMHS),
        by=dsl,
        outcome=Referral.Status.DECLINED,
        reason="Threshold sentinel not met",
    )
    client.force_login(staff)
    body, _ = _page(client, pupil)
    assert "1 to a specialist health service" in body
    assert "1 earlier to a specialist health service" in body
    assert "CAMHS" not in body and "Threshold sentinel" not in body
    assert f"/referrals/{open_camhs.pk}/" not in body and f"/referrals/{declined.pk}/" not in body

    client.force_login(health_specialist)
    body, _ = _page(client, pupil)
    assert "Declined: Threshold sentinel not met" in body
    assert "to a specialist health service" not in body


def test_it_shows_information_requests_open_and_answered(client, staff, dsl, pupil, police, health_agency):
    today = timezone.localdate()
    waiting = services.information_request_create(
        pupil=pupil, by=staff, agency=police, question="Any missing episodes?", contact="PC Example"
    )
    late = services.information_request_create(
        pupil=pupil, by=staff, agency=police, question="Any arrests?", asked_on=today - datetime.timedelta(days=30)
    )
    answered = services.information_request_create(
        pupil=pupil, by=staff, agency=police, question="Known associates?", asked_on=today - datetime.timedelta(days=9)
    )
    services.information_request_answer(request=answered, by=staff, answered_on=today, answer="Two older boys named.")
    health = services.information_request_create(
        pupil=pupil,
        by=dsl,
        agency=health_agency,
        question="Any diagnosis?",
        asked_on=today - datetime.timedelta(days=5),
    )
    services.information_request_answer(request=health, by=dsl, answered_on=today, answer="Sentinel diagnosis text.")
    assert InformationRequest.objects.get(pk=late.pk).is_overdue

    client.force_login(staff)
    body, _ = _page(client, pupil)
    section = body.split("Information requests</h3>")[1].split("</ul>")[0]
    assert "PC Example" in section and "Any missing episodes?" in section
    assert f"due {waiting.due_by:%-d %b %Y}" in section
    assert "overdue" in section  # the request asked 30 days ago
    assert f"answered on {today:%-d %b %Y}: Two older boys named." in section
    # A health agency's request is health detail: that a health service was asked, not which, what or its answer.
    assert "Sentinel diagnosis text." not in body and "Any diagnosis?" not in body
    assert health_agency.name not in body
    assert "A specialist health service answered on" in section
    assert "health detail: seen by health staff and the DSL" in section

    client.force_login(dsl)
    body, _ = _page(client, pupil)
    assert "Sentinel diagnosis text." in body and "Any diagnosis?" in body


def test_roles_without_the_information_request_list_do_not_see_the_section(client, specialist, staff, pupil, police):
    services.information_request_create(pupil=pupil, by=staff, agency=police, question="Any missing episodes?")
    client.force_login(specialist)
    body, _ = _page(client, pupil)
    assert "Information requests</h3>" not in body
    assert "Any missing episodes?" not in body


def test_it_keeps_the_panel_to_a_constant_number_of_queries(client, dsl, staff, specialist, pupil, police):
    def grow(n: int) -> None:
        for _ in range(n):
            services.referral_triage(
                referral=_referral(pupil, staff),
                by=dsl,
                outcome=Referral.Status.ALLOCATED,
                specialist=specialist,
                duplication_reason="Another court order.",
            )
            services.referral_triage(
                referral=_referral(pupil, staff), by=dsl, outcome=Referral.Status.DECLINED, reason="No."
            )
            _referral(pupil, staff, specialism=Specialism.CAMHS)
            answered = services.information_request_create(pupil=pupil, by=staff, agency=police, question="Q?")
            services.information_request_answer(
                request=answered, by=staff, answered_on=timezone.localdate(), answer="A."
            )
            services.information_request_create(pupil=pupil, by=staff, agency=police, question="Q2?")

    # A history that one fetch holds costs one query a list; a longer one a second query a list (every row when more
    # are waiting than one fetch holds, or else the settled rows counted), and no more however long it grows.
    for user in (dsl, staff):
        client.force_login(user)
        grow(1)
        _, small = _page(client, pupil)
        grow(FETCHED // 3 + 1)
        body, large = _page(client, pupil)
        assert small <= large <= small + 2, user
        assert "earlier" in body
        grow(FETCHED // 3 + 1)
        _, larger = _page(client, pupil)
        assert larger <= small + 2, user
        grow(FETCHED // 3 + 1)
        _, largest = _page(client, pupil)
        assert largest == larger, user  # both lists past one fetch: no further query, however long they grow
