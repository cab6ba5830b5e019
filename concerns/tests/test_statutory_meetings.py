"""Statutory meetings outside the PRU (CP conferences, CIN meetings, LAC reviews): recorded, corrected, on the pupil
page for the DSL and senior leaders only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns import services
from concerns.models import StatutoryMeeting
from pru_cases.tests.cast import CAST

pytestmark = pytest.mark.django_db

DECISIONS = "Child protection plan under the category of neglect; core group within ten working days."


def _data(**extra) -> dict:
    today = timezone.localdate()
    data = {
        "kind": "cp_conference",
        "held_on": (today - datetime.timedelta(days=2)).isoformat(),
        "decisions": DECISIONS,
        "next_on": (today + datetime.timedelta(days=90)).isoformat(),
        "others_attending": "Form tutor",
    }
    data.update(extra)
    return data


def test_it_records_and_corrects_a_meeting(client, dsl, staff, pupil):
    client.force_login(dsl)
    url = reverse("concerns:statutory_meeting_new", args=[pupil.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _data(attended_by=[dsl.pk, staff.pk]))
    meeting = StatutoryMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("concerns:statutory_meeting", args=[meeting.pk])
    assert (meeting.pupil, meeting.kind, meeting.recorded_by) == (pupil, "cp_conference", dsl)
    assert set(meeting.attended_by.all()) == {dsl, staff}
    assert meeting.events.filter(pgh_label="insert").exists()
    detail = reverse("concerns:statutory_meeting", args=[meeting.pk])
    page = client.get(detail)
    assert page.status_code == 200
    assert DECISIONS.encode() in page.content
    response = client.post(detail, _data(version=1, kind="cp_review", attended_by=[dsl.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.kind, meeting.version) == ("cp_review", 2)
    assert set(meeting.attended_by.all()) == {dsl}
    # a stale correction is refused with what was typed kept
    response = client.post(detail, _data(version=1, decisions="Old view of it."))
    assert response.status_code == 409
    assert b"Old view of it." in response.content
    # on the pupil page, with its next date
    pupil_page = client.get(reverse("pupils:detail", args=[pupil.pk]))
    assert b"Review child protection conference" in pupil_page.content


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"held_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}, b"future"),
        ({"held_on": "2019-01-01"}, b"three years"),
        ({"next_on": (timezone.localdate() - datetime.timedelta(days=5)).isoformat()}, b"after this one"),
        ({"next_on": (timezone.localdate() + datetime.timedelta(days=500)).isoformat()}, b"a year away"),
        ({"decisions": ""}, b"required"),
    ],
)
def test_it_refuses_dates_out_of_range_and_keeps_the_form(client, dsl, pupil, extra, field):
    client.force_login(dsl)
    response = client.post(reverse("concerns:statutory_meeting_new", args=[pupil.pk]), _data(**extra))
    assert response.status_code == 400
    assert field in response.content
    assert b"Form tutor" in response.content
    assert not StatutoryMeeting.objects.exists()


def test_only_pru_people_are_named_as_attending(dsl, outsider, pupil):
    with pytest.raises(Exception, match="attended"):
        services.statutory_meeting_record(
            pupil=pupil,
            by=dsl,
            kind="cin_meeting",
            held_on=timezone.localdate(),
            decisions=DECISIONS,
            attended_by=[outsider],
        )


MANAGERS = ("dsl", "leader")
IN_SCOPE = ("dsl", "leader", "staff", "specialist", "health_specialist", "family_worker")


@pytest.mark.parametrize("role", CAST)
def test_only_leaders_and_the_dsl_reach_a_statutory_meeting(client, cast, role, pupil):
    meeting = services.statutory_meeting_record(
        pupil=pupil, by=cast["dsl"], kind="lac_review", held_on=timezone.localdate(), decisions=DECISIONS
    )
    client.force_login(cast[role])
    detail = client.get(reverse("concerns:statutory_meeting", args=[meeting.pk]))
    assert detail.status_code == (200 if role in MANAGERS else 404)
    new = client.get(reverse("concerns:statutory_meeting_new", args=[pupil.pk]))
    assert new.status_code == (200 if role in MANAGERS else 403 if role in IN_SCOPE else 404)
    page = client.get(reverse("pupils:detail", args=[pupil.pk]))
    if role in IN_SCOPE:
        assert (b"Looked-after child review" in page.content) == (role in MANAGERS)
