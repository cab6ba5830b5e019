"""The family's thank-you letter is fit to hand to a parent: the centre's letterhead and named contact, the date of the
next meeting, each action in the words chosen for the family, sentences that read right, and no internal codes in
any document. A preview page shows it as the family will read it, for those who may have the meeting's documents."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from meetings import services
from meetings.models import Action, AgendaItem, Meeting, PdfJob
from meetings.tasks import pdf_job_render as pdf_job_render_task
from meetings.tests.conftest import mark_present
from pru_cases.tests.cast import CAST


def _pdf_text(job: PdfJob) -> str:
    job.refresh_from_db()
    assert job.status == PdfJob.Status.DONE, job.error
    with job.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def letterhead(site):
    site.address = "12 Canal Street\nMillbrook\nMB1 4QT"
    site.phone = "0161 000 0101"
    site.email = "office@northfield.example.org"
    site.contact_name = "Ms Kelly Marsh"
    site.contact_role = "Pastoral support officer"
    site.save()
    return site


@pytest.fixture
def agreed(tac, dsl, family_worker, yjs_agency, today, letterhead):
    """A TAC with a family action worded for the family, a staff action with staff wording that ends in a full stop,
    and an agency action."""
    item = tac.items.get()
    due = today + datetime.timedelta(days=14)
    services.action_add(
        item=item,
        by=dsl,
        description="Parent to ensure punctual attendance (target 95%); PSO to monitor via register.",
        family_wording="Bring Jordan to the centre by 8.45 each morning.",
        owner_kind=Action.Owner.FAMILY,
        owner_name="Sam Parent",
        due_on=due,
        success_criteria="Attendance above 95%",
    )
    services.action_add(
        item=item,
        by=dsl,
        description="Help the family apply for the uniform grant letter.",
        owner_kind=Action.Owner.STAFF,
        owner_user=family_worker,
        due_on=due,
        success_criteria="Grant applied for",
    )
    services.action_add(
        item=item,
        by=dsl,
        description="Arrange a weekly mentoring session",
        owner_kind=Action.Owner.AGENCY,
        owner_agency=yjs_agency,
        due_on=due,
        success_criteria="Sessions attended",
    )
    return tac


def test_the_letter_has_the_letterhead_the_next_date_and_the_familys_words(agreed, dsl, today):
    next_meeting = today + datetime.timedelta(days=42)
    services.meeting_close(meeting=agreed, by=dsl, next_review_on=next_meeting)
    job = PdfJob.objects.get(meeting=agreed, kind=PdfJob.Kind.FAMILY_LETTER)
    pdf_job_render_task(job.pk)
    text = _pdf_text(job)

    assert "Northfield Learning Centre" in text
    assert "12 Canal Street" in text and "MB1 4QT" in text
    assert "0161 000 0101" in text and "office@northfield.example.org" in text
    assert "please contact Ms Kelly Marsh (Pastoral support officer) on 0161 000 0101" in text
    assert f"We will meet again on {next_meeting:%A} {next_meeting.day} {next_meeting:%B %Y}" in text
    # The family's own words, not the staff wording of the same action.
    assert "Bring Jordan to the centre by 8.45 each morning, by" in text
    assert "PSO to monitor" not in text and "target 95%" not in text
    # Staff wording without family words is used as it is, its own full stop dropped inside the sentence.
    assert "Help the family apply for the uniform grant letter, by" in text
    assert "Arrange a weekly mentoring session, by" in text
    assert not re.search(r"[.,;:]\s*[.,;:]", text), "doubled punctuation"


def test_without_a_date_set_the_letter_takes_the_next_meeting_in_the_series_or_says_it_will_write(agreed, dsl):
    services.meeting_close(meeting=agreed, by=dsl)
    job = PdfJob.objects.get(meeting=agreed, kind=PdfJob.Kind.FAMILY_LETTER)
    pdf_job_render_task(job.pk)
    assert "we will write to you with the date" in _pdf_text(job)


def test_the_next_meeting_date_must_follow_the_meeting(agreed, dsl, client):
    client.force_login(dsl)
    response = client.post(
        reverse("meetings:close", args=[agreed.pk]),
        {"version": agreed.version, "carry_over": "on", "next_review_on": agreed.held_on.isoformat()},
    )
    assert response.status_code == 400
    assert "The next meeting must be after this one" in response.content.decode()
    agreed.refresh_from_db()
    assert agreed.status == Meeting.Status.PLANNED


def test_the_family_wording_is_asked_for_on_the_meeting_screen(agreed, dsl, client):
    item = agreed.items.get()
    client.force_login(dsl)
    response = client.post(
        reverse("meetings:action_add", args=[agreed.pk, item.pk]),
        {
            "description": "SALT assessment to be requested via the referral form",
            "family_wording": "We will ask a speech and language therapist to meet Jordan.",
            "owner_kind": Action.Owner.STAFF,
            "owner_user": dsl.pk,
            "due_on": (agreed.held_on + datetime.timedelta(days=7)).isoformat(),
            "success_criteria": "Assessment booked",
        },
    )
    assert response.status_code in (200, 302)
    action = Action.objects.get(description__startswith="SALT assessment")
    assert action.for_family == "We will ask a speech and language therapist to meet Jordan."


def test_the_preview_shows_the_letter_as_the_family_will_read_it(agreed, dsl, client):
    client.force_login(dsl)
    detail = client.get(reverse("meetings:detail", args=[agreed.pk])).content.decode()
    assert reverse("meetings:family_letter", args=[agreed.pk]) in detail

    page = client.get(reverse("meetings:family_letter", args=[agreed.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Bring Jordan to the centre by 8.45 each morning, by" in body
    assert "Northfield Learning Centre" in body and "Ms Kelly Marsh" in body
    assert "PSO to monitor" not in body


def test_the_preview_warns_when_the_centre_has_no_way_to_be_contacted(agreed, dsl, client, letterhead):
    letterhead.phone = letterhead.email = ""
    letterhead.save()
    client.force_login(dsl)
    body = client.get(reverse("meetings:family_letter", args=[agreed.pk])).content.decode()
    assert "has no phone number or email address" in body


def test_an_mdt_has_no_family_letter(mdt, leader, client):
    client.force_login(leader)
    assert client.get(reverse("meetings:family_letter", args=[mdt.pk])).status_code == 404


# Who reads the TAC's letter: those who see every pupil, and the team present at the child's TAC. Staff at the
# child's centre and a specialist allocated to the child who were not at the meeting have no copy of its documents.
READS_THE_LETTER = {"dsl", "leader", "specialist", "family_worker"}


@pytest.mark.parametrize("role", CAST)
def test_the_preview_as_each_role_of_the_cast(role, cast, agreed, health_record, client):
    """Those who may have the meeting's documents read the letter; anyone else gets a 404 that names no one, and
    no health detail is ever in it."""
    client.force_login(cast[role])
    response = client.get(reverse("meetings:family_letter", args=[agreed.pk]))
    body = response.content.decode()
    assert "SENTINEL-HEALTH" not in body
    if role in READS_THE_LETTER:
        assert response.status_code == 200
        assert "Thank you for coming" in body and "Jordan" in body
    else:
        assert response.status_code == 404
        assert "Jordan" not in body


def test_no_document_shows_an_internal_code_for_why_a_case_is_on_the_agenda(mdt, item, leader, staff, tac, dsl):
    """A reason recorded without its own words reads as its kind's name ("Team Around the Child"), not "tac"."""
    item.reasons = [{"kind": AgendaItem.Reason.TAC, "ref": None, "text": ""}]
    item.save(update_fields=["reasons"])
    assert item.reason_words == ["Team Around the Child"]
    mark_present(mdt, leader, staff)
    services.discussion_record(item=item, by=staff, text="Discussed.")
    services.meeting_close(meeting=mdt, by=leader)
    job = PdfJob.objects.get(meeting=mdt, kind=PdfJob.Kind.MINUTES)
    pdf_job_render_task(job.pk)
    text = _pdf_text(job)
    assert "On the agenda because: Team Around the Child." in text
    assert "because: tac" not in text
