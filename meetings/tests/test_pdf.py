"""PDFs: made by a Celery task from a job row, checked as text with pypdf; they survive a broker outage and a
duplicate delivery makes one file."""

import base64
import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings import services
from meetings.models import Action, PdfJob
from meetings.tasks import pdf_job_render as pdf_job_render_task
from meetings.tests.conftest import mark_present
from pru_cases.pdf import RefusedURL, _fetcher, html_to_pdf, is_allowed_url

A4 = (595, 842)  # points, rounded


def _text(job: PdfJob) -> str:
    job.refresh_from_db()
    assert job.status == PdfJob.Status.DONE, job.error
    with job.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4
    return "\n".join(page.extract_text() for page in reader.pages)


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def minuted(mdt, item, leader, staff, specialist, health_record, today):
    """An MDT with one case discussed, decided and given an action, then closed."""
    mark_present(mdt, leader, staff, specialist)
    services.discussion_record(item=item, by=staff, text="Attendance has fallen to 70 percent.")
    services.decision_record(item=item, by=leader, text="Family worker to visit home.")
    services.action_add(
        item=item,
        by=leader,
        description="Home visit",
        owner_kind=Action.Owner.STAFF,
        owner_user=staff,
        due_on=today + datetime.timedelta(days=7),
        success_criteria="Family seen at home",
    )
    return services.meeting_close(meeting=mdt, by=leader, summary="One case.")


def test_it_renders_the_minutes(minuted):
    job = PdfJob.objects.get(meeting=minuted, kind=PdfJob.Kind.MINUTES)
    pdf_job_render_task(job.pk)
    text = _squash(_text(job))
    assert "Minutes: Thursday MDT" in text
    assert "Jordan Example" in text
    assert "Attendance has fallen to 70 percent." in text
    assert "Family worker to visit home." in text
    assert "Home visit" in text and "Family seen at home" in text
    assert "Page 1 of 1" in text
    assert "SENTINEL-HEALTH" not in text  # never health detail in a PDF


def test_the_minutes_hold_back_a_case_someone_present_does_not_work_with(mdt, item, leader, outsider):
    services.invitee_add(meeting=mdt, by=leader, user=outsider)
    mark_present(mdt, outsider)
    services.discussion_record(item=item, by=leader, text="Should not be printed for this room.")
    services.meeting_close(meeting=mdt, by=leader)
    job = PdfJob.objects.get(meeting=mdt)
    pdf_job_render_task(job.pk)
    text = _squash(_text(job))
    assert "Case held back" in text
    assert "Jordan Example" not in text
    assert "Should not be printed" not in text


@pytest.fixture
def tac_closed(tac, dsl, family_worker, yjs_agency, health_record, today):
    item = tac.items.get()
    due = today + datetime.timedelta(days=14)
    for owner, extra, description in (
        (
            Action.Owner.FAMILY,
            {"owner_name": "Sam Parent"},
            "Bring Jordan to the centre by 8.45 each day",
        ),
        (
            Action.Owner.AGENCY,
            {"owner_agency": yjs_agency},
            "Arrange a weekly mentoring session",
        ),
        (
            Action.Owner.STAFF,
            {"owner_user": family_worker},
            "Help the family apply for a uniform grant",
        ),
    ):
        services.action_add(
            item=item,
            by=dsl,
            description=description,
            owner_kind=owner,
            due_on=due,
            success_criteria="Agreed at the next review",
            **extra,
        )
    return services.meeting_close(meeting=tac, by=dsl)


def test_it_renders_the_tac_action_plan(tac_closed):
    job = PdfJob.objects.get(meeting=tac_closed, kind=PdfJob.Kind.ACTION_PLAN)
    pdf_job_render_task(job.pk)
    text = _squash(_text(job))
    assert "Action plan for Jordan Example" in text
    assert "Bring Jordan to the centre by 8.45 each day" in text
    assert "Sam Parent (parent/carer)" in text
    assert "Test Youth Justice" in text
    assert "How we will know it has worked" in text
    assert "Page 1 of" in text
    assert "SENTINEL-HEALTH" not in text


def test_it_renders_the_family_thank_you_letter(tac_closed):
    job = PdfJob.objects.get(meeting=tac_closed, kind=PdfJob.Kind.FAMILY_LETTER)
    pdf_job_render_task(job.pk)
    text = _squash(_text(job))
    assert "Dear Sam Parent" in text
    assert "What you agreed to do" in text
    assert "Bring Jordan to the centre by 8.45 each day" in text
    assert "What each service will do" in text
    assert "Test Youth Justice" in text and "Arrange a weekly mentoring session" in text
    assert "Test PRU" in text and "uniform grant" in text  # a staff member's action, under their agency
    assert "Page 1 of" in text


def test_a_duplicate_delivery_makes_one_pdf(minuted, tmp_path, monkeypatch):
    job = PdfJob.objects.get(meeting=minuted)
    calls = []
    real = services.render_job_pdf
    monkeypatch.setattr(services, "render_job_pdf", lambda j: calls.append(j.pk) or real(j))
    pdf_job_render_task(job.pk)
    pdf_job_render_task(job.pk)  # the broker delivers the same message again
    assert calls == [job.pk]
    job.refresh_from_db()
    assert job.status == PdfJob.Status.DONE and job.attempts == 1
    assert len(list(tmp_path.rglob("*.pdf"))) == 1


def test_the_sweeper_requeues_a_job_whose_worker_died(minuted, monkeypatch):
    job = PdfJob.objects.get(meeting=minuted)
    PdfJob.objects.filter(pk=job.pk).update(status=PdfJob.Status.RUNNING, started_at=timezone.now(), attempts=1)
    sent = []
    monkeypatch.setattr(services, "pdf_job_enqueue", lambda job_id: sent.append(job_id))
    assert services.pdf_jobs_sweep() == 0  # still running: leave it alone
    later = timezone.now() + services.RUNNING_STUCK_AFTER + datetime.timedelta(minutes=1)
    assert services.pdf_jobs_sweep(now=later) == 1
    assert sent == [job.pk]
    job.refresh_from_db()
    assert job.status == PdfJob.Status.PENDING


def test_a_redelivered_job_is_taken_over_from_a_dead_worker(minuted):
    job = PdfJob.objects.get(meeting=minuted)
    PdfJob.objects.filter(pk=job.pk).update(status=PdfJob.Status.RUNNING, started_at=timezone.now(), attempts=1)
    assert services.pdf_job_render(job_id=job.pk) is False  # a plain duplicate leaves a running job alone
    assert services.pdf_job_render(job_id=job.pk, redelivered=True) is True
    job.refresh_from_db()
    assert job.status == PdfJob.Status.DONE and job.attempts == 2


def test_a_job_that_keeps_killing_its_worker_is_given_up(minuted, monkeypatch):
    job = PdfJob.objects.get(meeting=minuted)
    PdfJob.objects.filter(pk=job.pk).update(
        status=PdfJob.Status.RUNNING, started_at=timezone.now(), attempts=services.MAX_ATTEMPTS
    )
    calls = []
    monkeypatch.setattr(services, "render_job_pdf", lambda j: calls.append(j.pk))
    assert services.pdf_job_render(job_id=job.pk, redelivered=True) is False
    assert calls == []
    job.refresh_from_db()
    assert job.status == PdfJob.Status.FAILED and "Gave up" in job.error


# The broker is down when the meeting is closed --------------------------------------------------------


def _queued_job_ids(client) -> list[int]:
    ids = []
    while (raw := client.rpop("celery")) is not None:
        message = json.loads(raw)
        _, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        assert message["headers"]["task"] == "meetings.tasks.pdf_job_render"
        ids.append(kwargs["job_id"])
    return ids


def test_it_survives_the_broker_being_down(
    client,
    settings,
    leader,
    mdt,
    item,
    private_redis,
    django_capture_on_commit_callbacks,
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:close", args=[mdt.pk]),
            {"summary": "", "version": mdt.version},
        )
    assert response.status_code == 302  # no 500: the failed enqueue is logged, the job row is kept
    job = PdfJob.objects.get(meeting=mdt)
    assert job.status == PdfJob.Status.PENDING and job.enqueued_at is None
    # The broker is back; the sweeper (beat, every two minutes) sends the job again.
    url, redis_client = private_redis.url, private_redis.client
    settings.CELERY_BROKER_URL = url
    later = timezone.now() + services.PENDING_GRACE + datetime.timedelta(seconds=1)
    assert services.pdf_jobs_sweep(now=later) == 1
    assert _queued_job_ids(redis_client) == [job.pk]
    pdf_job_render_task(job.pk)  # what the worker does with the message
    assert "Minutes: Thursday MDT" in _squash(_text(job))
    # A second sweep finds nothing to do.
    assert services.pdf_jobs_sweep(now=later + datetime.timedelta(minutes=5)) == 0


def test_the_sweeper_leaves_jobs_pending_while_the_broker_is_still_down(settings, minuted):
    later = timezone.now() + services.PENDING_GRACE + datetime.timedelta(seconds=1)
    assert services.pdf_jobs_sweep(now=later) == 0
    assert PdfJob.objects.get(meeting=minuted).status == PdfJob.Status.PENDING


# The renderer never reaches the network ----------------------------------------------------------------


def test_the_renderer_refuses_remote_urls(settings):
    assert not is_allowed_url("http://example.com/logo.png")
    assert not is_allowed_url("https://example.com/a.css")
    assert not is_allowed_url("file:///etc/passwd")
    assert is_allowed_url("data:text/plain,hello")
    assert is_allowed_url(f"file://{settings.BASE_DIR}/static/favicon.svg")
    with pytest.raises(RefusedURL):
        _fetcher().fetch("http://127.0.0.1:9/x.png")


def test_a_remote_image_in_a_template_is_not_fetched(monkeypatch):
    import urllib.request

    def refuse(*args, **kwargs):
        raise AssertionError("the renderer tried to open a URL")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    pdf = html_to_pdf(
        '<p>Hello</p><img src="http://127.0.0.1:9/tracker.png"><link rel="stylesheet" href="https://example.com/x.css">'
    )
    assert pdf.startswith(b"%PDF")


# Downloads go through the access policy ------------------------------------------------------------------


def _download_text(client, job) -> str:
    response = client.get(reverse("meetings:pdf_download", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return _squash("\n".join(page.extract_text() for page in reader.pages))


def _own_copy(client, meeting, kind=PdfJob.Kind.MINUTES) -> PdfJob:
    """Ask for a copy through the page, as the signed-in person, and render it as the worker would."""
    response = client.post(reverse("meetings:pdf_request", args=[meeting.pk]), {"kind": kind})
    assert response.status_code == 302, response.status_code
    job = PdfJob.objects.filter(meeting=meeting, kind=kind).order_by("-pk").first()
    pdf_job_render_task(job.pk)
    return job


def test_downloads_follow_the_access_policy(client, minuted, leader, staff, specialist, family_worker, outsider):
    client.force_login(specialist)  # was present: makes and downloads their own copy
    job = _own_copy(client, minuted)
    assert job.requested_by == specialist
    assert _download_text(client, job).startswith("Minutes: Thursday MDT")
    client.force_login(family_worker)  # invited, not present: may not have a copy
    assert client.post(reverse("meetings:pdf_request", args=[minuted.pk]), {"kind": "minutes"}).status_code == 403
    assert client.get(reverse("meetings:pdf_download", args=[job.pk])).status_code == 404  # not theirs
    client.force_login(outsider)  # not invited
    assert client.get(reverse("meetings:pdf_download", args=[job.pk])).status_code == 404


@pytest.fixture
def northfield_mdt(mdt, item, other_pupil, leader, dsl, staff):
    """An MDT whose minute-taker (staff at Northfield) was not marked present; only the DSL was. A second case
    on the agenda is a Riverside pupil, outside the minute-taker's scope, discussed and given an action."""
    mark_present(mdt, leader)
    services.invitee_add(meeting=mdt, by=leader, user=dsl)
    mark_present(mdt, dsl)
    mdt.invitees.filter(user=leader).update(attendance="apologies")
    elsewhere = services.agenda_add_pupil(meeting=mdt, by=leader, pupil=other_pupil)
    services.discussion_record(item=elsewhere, by=dsl, text="Riverside discussion not for Northfield.")
    services.action_add(
        item=elsewhere,
        by=dsl,
        description="Riverside action text",
        owner_kind=Action.Owner.AGENCY,
        owner_agency=dsl.agency,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
        success_criteria="Seen",
    )
    services.discussion_record(item=item, by=dsl, text="Northfield discussion.")
    return services.meeting_close(meeting=mdt, by=dsl)


def test_the_minutes_never_give_an_absent_minute_taker_cases_outside_their_scope(client, northfield_mdt, staff, dsl):
    client.force_login(staff)
    text = _download_text(client, _own_copy(client, northfield_mdt))
    assert "Jordan Example" in text and "Northfield discussion." in text  # their own centre's case
    assert "Casey Elsewhere" not in text
    assert "Riverside discussion" not in text and "Riverside action text" not in text
    assert "Case held back" in text
    assert f"made for {staff}" in text


def test_it_never_hands_one_person_a_copy_made_for_another(client, northfield_mdt, staff, dsl):
    """The DSL closed the meeting: their copy names the Riverside pupil, and the minute-taker cannot fetch it."""
    job = PdfJob.objects.get(meeting=northfield_mdt)
    assert job.requested_by == dsl
    pdf_job_render_task(job.pk)
    client.force_login(dsl)
    assert "Casey Elsewhere" in _download_text(client, job)
    client.force_login(staff)
    assert client.get(reverse("meetings:pdf_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("meetings:pdf_status", args=[job.pk])).status_code == 404
    page = client.get(reverse("meetings:detail", args=[northfield_mdt.pk])).content.decode()
    assert reverse("meetings:pdf_download", args=[job.pk]) not in page


def test_a_download_writes_one_access_log_row_per_pupil_in_the_file(
    client, northfield_mdt, dsl, staff, other_pupil, pupil
):
    from pru_cases.models import AccessEvent

    job = PdfJob.objects.get(meeting=northfield_mdt)
    pdf_job_render_task(job.pk)
    job.refresh_from_db()
    assert sorted(job.pupils_named) == sorted([pupil.pk, other_pupil.pk])
    client.force_login(dsl)
    url = reverse("meetings:pdf_download", args=[job.pk])
    assert client.get(url).status_code == 200
    rows = AccessEvent.objects.filter(user=dsl, path=url)
    assert sorted(rows.values_list("pupil_id", flat=True)) == sorted([pupil.pk, other_pupil.pk])
    assert set(rows.values_list("outcome", flat=True)) == {AccessEvent.Outcome.ALLOWED}
    client.force_login(staff)
    mine = _own_copy(client, northfield_mdt)
    mine.refresh_from_db()
    assert mine.pupils_named == [pupil.pk]
    url = reverse("meetings:pdf_download", args=[mine.pk])
    assert client.get(url).status_code == 200
    assert list(AccessEvent.objects.filter(user=staff, path=url).values_list("pupil_id", flat=True)) == [pupil.pk]


def test_a_copy_naming_a_pupil_who_has_left_the_readers_scope_is_refused(
    client, northfield_mdt, staff, pupil, other_site
):
    client.force_login(staff)
    job = _own_copy(client, northfield_mdt)
    type(pupil).objects.filter(pk=pupil.pk).update(site=other_site)  # the pupil moved centre since
    assert client.get(reverse("meetings:pdf_download", args=[job.pk])).status_code == 404


def test_a_one_pupil_document_for_someone_who_cannot_see_the_pupil_is_not_made(tac_closed, other_staff):
    with pytest.raises(PermissionDenied):  # not invited: the service refuses to make them a copy
        services.pdf_request(meeting=tac_closed, by=other_staff, kind=PdfJob.Kind.ACTION_PLAN)
    # ...and a job made for them anyway (the row written by hand) is refused by the document builder.
    job = PdfJob.objects.create(meeting=tac_closed, kind=PdfJob.Kind.ACTION_PLAN, requested_by=other_staff)
    assert services.pdf_job_render(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == PdfJob.Status.FAILED and not job.file and "outside your scope" in job.error


def test_the_page_polls_until_the_pdf_is_ready(client, minuted, leader):
    job = PdfJob.objects.get(meeting=minuted)
    client.force_login(leader)
    status_url = reverse("meetings:pdf_status", args=[job.pk])
    response = client.get(status_url)
    assert b'hx-trigger="every 2s"' in response.content
    pdf_job_render_task(job.pk)
    response = client.get(status_url)
    assert b"hx-trigger" not in response.content
    assert reverse("meetings:pdf_download", args=[job.pk]).encode() in response.content


def test_a_tac_pdf_download_is_audited_against_the_pupil(client, tac_closed, dsl):
    from pru_cases.models import AccessEvent

    job = PdfJob.objects.get(meeting=tac_closed, kind=PdfJob.Kind.FAMILY_LETTER)
    pdf_job_render_task(job.pk)
    client.force_login(dsl)
    assert client.get(reverse("meetings:pdf_download", args=[job.pk])).status_code == 200
    assert AccessEvent.objects.filter(user=dsl, pupil=tac_closed.pupil, path__contains="/download/").exists()


def test_the_meeting_page_lists_the_documents(client, minuted, leader, family_worker):
    job = PdfJob.objects.get(meeting=minuted)
    pdf_job_render_task(job.pk)
    download = reverse("meetings:pdf_download", args=[job.pk]).encode()
    client.force_login(leader)
    response = client.get(reverse("meetings:detail", args=[minuted.pk]))
    assert response.status_code == 200 and download in response.content
    client.force_login(family_worker)  # invited but not present: sees that it exists, cannot download it
    response = client.get(reverse("meetings:detail", args=[minuted.pk]))
    assert response.status_code == 200 and download not in response.content
