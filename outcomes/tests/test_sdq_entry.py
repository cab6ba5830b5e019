"""Entering an SDQ by item number and box ticked: scored on save, audited, bad input re-shown with a 400."""

import datetime
import re

import pytest
from django.urls import reverse

from outcomes.models import SDQResponse
from outcomes.tests.outcome_data import answers_for
from pru_cases.models import AccessEvent


def _post(**overrides) -> dict:
    data = {"informant": "self", "occasion": "baseline", "completed_on": "2026-01-12", "has_difficulties": ""}
    for item, box in answers_for(emotional=7, conduct=6, hyperactivity=8, peer=4, prosocial=3).items():
        data[f"item_{item}"] = str(box)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_it_shows_25_items_by_number_only(client, staff, pupil):
    client.force_login(staff)
    response = client.get(reverse("outcomes:sdq_new", args=[pupil.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for item in range(1, 26):
        assert f'<legend class="fs-6 fw-semibold mb-1 float-none w-auto">Item {item}</legend>' in html
    assert html.count('type="radio" name="item_') == 100  # blank, 0, 1, 2 for each item
    assert "style=" not in html


def test_it_scores_and_saves_a_questionnaire(client, staff, pupil):
    client.force_login(staff)
    url = reverse("outcomes:sdq_new", args=[pupil.pk])
    response = client.post(url, _post(help_given="on", help_detail="Read aloud by the key worker."))
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:pupil", args=[pupil.pk])
    saved = SDQResponse.objects.get(pupil=pupil)
    assert (saved.emotional, saved.conduct, saved.hyperactivity, saved.peer, saved.prosocial) == (7, 6, 8, 4, 3)
    assert saved.total_difficulties == 25
    assert saved.total_band == "very high"
    assert saved.impact is None
    assert saved.recorded_by == staff
    assert saved.answers["7"] == 0  # conduct item 7 is reverse scored: 2 points is the first box
    assert saved.events.filter(pgh_label="insert").exists()
    assert AccessEvent.objects.filter(user=staff, path=url, outcome="allowed").exists()


def test_it_prorates_when_items_are_left_blank(client, staff, pupil):
    client.force_login(staff)
    data = _post()
    del data["item_3"], data["item_8"]  # emotional from 13, 16, 24 only
    assert client.post(reverse("outcomes:sdq_new", args=[pupil.pk]), data).status_code == 302
    saved = SDQResponse.objects.get(pupil=pupil)
    # Items 13, 16 and 24 carry 2 + 1 + 0 of the 7 points: 3 x 5 / 3 = 5.
    assert saved.emotional == 5


def test_it_scores_the_teacher_impact_supplement(client, staff, pupil):
    client.force_login(staff)
    data = _post(
        informant="teacher", has_difficulties="yes", impact_distress="3", impact_peers="2", impact_classroom="1"
    )
    assert client.post(reverse("outcomes:sdq_new", args=[pupil.pk]), data).status_code == 302
    saved = SDQResponse.objects.get(pupil=pupil)
    assert saved.impact == 3
    assert saved.impact_answers == {"distress": 3, "peers": 2, "classroom": 1}


def test_it_rejects_an_impact_question_from_another_form_and_keeps_the_input(client, staff, pupil):
    client.force_login(staff)
    data = _post(informant="teacher", has_difficulties="yes", impact_home="2", item_5="2")
    response = client.post(reverse("outcomes:sdq_new", args=[pupil.pk]), data)
    assert response.status_code == 400
    assert "not on the teacher form" in response.content.decode()
    assert re.search(r'<input type="radio" name="item_5" value="2"[^>]*checked', response.content.decode())
    assert not SDQResponse.objects.exists()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"item_4": "3"}, "Select a valid choice"),
        ({"informant": "mother"}, "Select a valid choice"),
        ({"completed_on": (datetime.date.today() + datetime.timedelta(days=3)).isoformat()}, "in the future"),
        ({"help_given": "on", "help_detail": ""}, "Say who helped"),
    ],
)
def test_it_rejects_bad_input_with_a_400(client, staff, pupil, overrides, message):
    client.force_login(staff)
    response = client.post(reverse("outcomes:sdq_new", args=[pupil.pk]), _post(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SDQResponse.objects.exists()


def test_it_rejects_an_empty_questionnaire(client, staff, pupil):
    client.force_login(staff)
    data = {k: v for k, v in _post().items() if not k.startswith("item_")}
    response = client.post(reverse("outcomes:sdq_new", args=[pupil.pk]), data)
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()


@pytest.mark.parametrize(
    "role,expected", [("family_worker", 403), ("other_staff", 404), ("outsider", 404), ("dsl", 302)]
)
def test_it_applies_the_policy(client, request, pupil, role, expected):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.post(reverse("outcomes:sdq_new", args=[pupil.pk]), _post())
    assert response.status_code == expected
    assert SDQResponse.objects.exists() == (expected == 302)


def test_it_withdraws_a_mistaken_questionnaire_but_keeps_it(client, staff, pupil, other_pupil, dsl):
    from outcomes.tests.outcome_data import Occasion, make_sdq

    response = make_sdq(pupil, dsl, occasion=Occasion.BASELINE, day=datetime.date(2026, 1, 12), emotional=5)
    client.force_login(staff)
    url = reverse("outcomes:sdq_withdraw", args=[pupil.pk, response.pk])
    assert client.post(url, {"reason": ""}).status_code == 302
    response.refresh_from_db()
    assert response.withdrawn_at is None  # no reason, nothing changed
    assert client.post(url, {"reason": "Entered for the wrong pupil"}).status_code == 302
    response.refresh_from_db()
    assert response.withdrawn_at is not None and "wrong pupil" in response.withdrawn_reason
    assert SDQResponse.objects.filter(pk=response.pk).exists()
    assert response.events.filter(pgh_label="update").exists()
    page = client.get(reverse("outcomes:pupil", args=[pupil.pk])).content.decode()
    assert "No SDQ has been recorded yet." in page  # withdrawn rows leave the figures
    # Another pupil's questionnaire through this pupil's URL: 404.
    other = make_sdq(other_pupil, dsl, occasion=Occasion.BASELINE, day=datetime.date(2026, 1, 12))
    client.force_login(dsl)
    assert client.post(reverse("outcomes:sdq_withdraw", args=[pupil.pk, other.pk]), {"reason": "x"}).status_code == 404
