"""The meeting screen: one case at a time, recording with htmx, showing only what everyone present may see."""

import pytest
from django.urls import reverse

from meetings.models import Action, ActionPlan, Decision, Discussion
from meetings.tests.conftest import mark_present
from pru_cases.models import AccessEvent
from referrals.models import Intervention, Referral

HX = {"HTTP_HX_REQUEST": "true"}


def _url(name, item, *extra):
    return reverse(f"meetings:{name}", args=[item.meeting_id, item.pk, *extra])


def test_it_shows_the_current_case(client, leader, item):
    client.force_login(leader)
    response = client.get(reverse("meetings:screen", args=[item.meeting_id]))
    assert response.status_code == 200
    assert b"Jordan Example" in response.content
    assert b"js/meeting.js" in response.content
    assert AccessEvent.objects.filter(user=leader, pupil=item.pupil).exists()


def test_it_records_a_discussion_without_leaving_the_page(client, staff, item):
    client.force_login(staff)  # the minute-taker
    response = client.post(_url("discussion", item), {"text": "Attendance has dipped since half term."}, **HX)
    assert response.status_code == 200
    assert b"Attendance has dipped since half term." in response.content
    assert b"<html" not in response.content  # a fragment, swapped into the page
    discussion = Discussion.objects.get(item=item)
    assert discussion.recorded_by == staff
    assert discussion.events.filter(pgh_label="insert").exists()
    item.refresh_from_db()
    assert item.status == "discussed"


def test_it_keeps_what_was_typed_when_the_input_is_invalid(client, leader, item):
    client.force_login(leader)
    response = client.post(
        _url("action_add", item),
        {
            "description": "Home visit with the family worker",
            "owner_kind": "staff",
            "due_on": "",
            "success_criteria": "Seen",
        },
        **HX,
    )
    assert response.status_code == 400
    assert b"Home visit with the family worker" in response.content
    assert not Action.objects.exists()


def test_it_records_a_decision(client, leader, item):
    client.force_login(leader)
    response = client.post(_url("decision", item), {"text": "Refer to the educational psychologist."}, **HX)
    assert response.status_code == 200
    decision = Decision.objects.get(item=item)
    assert decision.text == "Refer to the educational psychologist."
    assert decision.referral is None


def test_it_triages_a_referral_through_the_referrals_service(client, dsl, leader, staff, item):
    referral = Referral.objects.create(
        pupil=item.pupil, specialism="careers", reasons="Needs post-16 advice.", raised_by=staff
    )
    client.force_login(leader)
    response = client.post(
        _url("decision", item),
        {"text": "Careers club first.", "referral": referral.pk, "outcome": "signposted", "offer": "Careers club"},
        **HX,
    )
    assert response.status_code == 200, response.content[:400]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SIGNPOSTED
    assert referral.signpost_offer == "Careers club"
    assert referral.triaged_by == leader
    decision = Decision.objects.get(item=item)
    assert decision.referral == referral and decision.triage_outcome == "signposted"
    # The referrals service's own rules apply: it cannot be triaged twice.
    response = client.post(
        _url("decision", item), {"text": "Again", "referral": referral.pk, "outcome": "declined", "reason": "x"}, **HX
    )
    assert response.status_code == 400
    assert Decision.objects.count() == 1


def test_it_allocates_a_referral_and_creates_the_intervention(client, leader, staff, specialist, item):
    referral = Referral.objects.create(pupil=item.pupil, specialism="youth_justice", reasons="Court.", raised_by=staff)
    client.force_login(leader)
    response = client.post(
        _url("decision", item), {"referral": referral.pk, "outcome": "allocated", "specialist": specialist.pk}, **HX
    )
    assert response.status_code == 200, response.content[:400]
    assert Intervention.objects.filter(referral=referral, specialist=specialist).exists()


def test_the_minute_taker_cannot_triage(client, staff, item):
    referral = Referral.objects.create(pupil=item.pupil, specialism="careers", reasons="Advice.", raised_by=staff)
    client.force_login(staff)
    response = client.post(
        _url("decision", item), {"text": "x", "referral": referral.pk, "outcome": "signposted", "offer": "Club"}, **HX
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


@pytest.mark.parametrize("owner", ["staff", "agency", "family"])
def test_it_adds_an_action_to_the_pupils_plan(client, leader, staff, yjs_agency, item, today, owner):
    client.force_login(leader)
    data = {
        "description": "Weekly check-in",
        "owner_kind": owner,
        "owner_user": staff.pk,
        "owner_agency": yjs_agency.pk,
        "owner_name": "Sam Parent",
        "due_on": today.isoformat(),
        "success_criteria": "Attendance above 90%",
    }
    response = client.post(_url("action_add", item), data, **HX)
    assert response.status_code == 200, response.content[:400]
    action = Action.objects.get()
    assert action.owner_kind == owner
    assert action.agreed_at == item
    assert action.plan == ActionPlan.objects.get(pupil=item.pupil, status="open")
    assert (action.owner_user, action.owner_agency, action.owner_name) == {
        "staff": (staff, None, ""),
        "agency": (None, yjs_agency, ""),
        "family": (None, None, "Sam Parent"),
    }[owner]


def test_it_hides_health_unless_everyone_present_may_read_it(
    client, dsl, mdt, item, health_record, health_specialist, specialist
):
    url = _url("case", item)
    client.force_login(dsl)
    mark_present(mdt, health_specialist)
    assert b"SENTINEL-HEALTH-CONDITION-7Q2" in client.get(url).content
    mark_present(mdt, specialist)  # youth justice may not read health detail
    response = client.get(url)
    assert response.status_code == 200
    assert b"SENTINEL-HEALTH-CONDITION-7Q2" not in response.content
    assert b"Health detail is hidden" in client.get(reverse("meetings:screen", args=[mdt.pk])).content


def test_it_holds_back_a_case_someone_present_does_not_work_with(client, dsl, mdt, item, outsider):
    client.force_login(dsl)
    assert b"Jordan Example" in client.get(_url("case", item)).content
    from meetings import services

    invitee = services.invitee_add(meeting=mdt, by=dsl, user=outsider)
    mark_present(mdt, outsider)
    response = client.get(_url("case", item))
    assert response.status_code == 200
    assert b"Jordan Example" not in response.content
    assert b"Held back" in response.content
    screen = client.get(reverse("meetings:screen", args=[mdt.pk]))
    assert b"Jordan Example" not in screen.content
    # Nothing can be recorded on it while it is held back.
    assert client.post(_url("discussion", item), {"text": "x"}, **HX).status_code == 403
    # Once they have left, the case is shown again.
    invitee.attendance = "left"
    invitee.save()
    assert b"Jordan Example" in client.get(_url("case", item)).content


def test_it_shows_only_referrals_everyone_present_may_see(client, dsl, mdt, item, staff, specialist):
    Referral.objects.create(pupil=item.pupil, specialism="salt", reasons="Speech.", raised_by=staff)
    client.force_login(dsl)
    assert b"Speech and language" in client.get(_url("case", item)).content
    mark_present(mdt, specialist)  # a youth justice worker does not see a SaLT referral raised by someone else
    assert b"Speech and language" not in client.get(_url("case", item)).content


@pytest.mark.parametrize("value", ["²", "٣", "9" * 30])
def test_the_screen_ignores_an_item_that_is_not_an_id(client, mdt, leader, value):
    client.force_login(leader)
    response = client.get(reverse("meetings:screen", args=[mdt.pk]), {"item": value})
    assert response.status_code == 200


def test_it_does_not_name_a_health_service_in_the_minutes_of_a_triage(dsl, staff, leader, item):
    """The DSL triages a referral to CAMHS at the meeting: the minutes, read by everyone there, say only that a
    specialist health service was asked, and a leader may not triage it (health detail, like on the pages)."""
    from django.core.exceptions import ValidationError

    from meetings import services

    referral = Referral.objects.create(pupil=item.pupil, specialism="camhs", reasons="Low mood.", raised_by=staff)
    with pytest.raises(ValidationError, match="Referrals to health services"):
        services.decision_record(item=item, by=leader, text="x", referral=referral, outcome="signposted", offer="Club")
    decision = services.decision_record(
        item=item,
        by=dsl,
        text="Wellbeing group first.",
        referral=referral,
        outcome="signposted",
        offer="Wellbeing group",
    )
    assert decision.text.startswith(f"Referral #{referral.pk} (a specialist health service): signposted")
    assert "CAMHS" not in decision.text
