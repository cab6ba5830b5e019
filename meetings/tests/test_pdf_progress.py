"""A PDF's status line says where the job is (queued, rendering, failed and retrying, ready, failed) in text, in a
progress bar screen readers can read, and a poll that finds nothing new changes nothing on the page."""

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import PdfJob
from meetings.tests.conftest import mark_present


@pytest.fixture
def job(mdt, item, leader, staff) -> PdfJob:
    mark_present(mdt, leader, staff)
    services.meeting_close(meeting=mdt, by=leader)
    return PdfJob.objects.get(meeting=mdt)


@pytest.mark.parametrize(
    ("status", "attempts", "text", "valuetext", "percent"),
    [
        (PdfJob.Status.PENDING, 0, "Queued", "Queued", "15"),
        (PdfJob.Status.RUNNING, 1, "Rendering", "Rendering", "70"),
        (PdfJob.Status.PENDING, 1, "Failed, retrying (attempt 2 next)", "Failed, retrying (attempt 2 next)", "40"),
        (PdfJob.Status.RUNNING, 2, "Rendering (attempt 2)", "Rendering (attempt 2)", "70"),
    ],
)
def test_an_unfinished_job_shows_its_state_and_keeps_polling(
    client, leader, job, status, attempts, text, valuetext, percent
):
    PdfJob.objects.filter(pk=job.pk).update(status=status, attempts=attempts)
    client.force_login(leader)
    response = client.get(reverse("meetings:pdf_status", args=[job.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert text in html
    assert 'role="progressbar"' in html
    assert f'aria-valuetext="{valuetext}"' in html and f'aria-valuenow="{percent}"' in html
    assert 'hx-trigger="every 2s"' in html


def test_a_finished_job_stops_polling_and_drops_the_bar(client, leader, job):
    client.force_login(leader)
    PdfJob.objects.filter(pk=job.pk).update(status=PdfJob.Status.FAILED, attempts=5)
    failed = client.get(reverse("meetings:pdf_status", args=[job.pk])).content.decode()
    assert "Failed: ask for it again" in failed
    assert "progressbar" not in failed and "hx-trigger" not in failed
    PdfJob.objects.filter(pk=job.pk).update(status=PdfJob.Status.DONE, file="pdf/meetings/x.pdf")
    done = client.get(reverse("meetings:pdf_status", args=[job.pk])).content.decode()
    assert "Download PDF" in done and "progressbar" not in done and "hx-trigger" not in done


def test_a_poll_that_finds_nothing_new_swaps_nothing(client, leader, job):
    client.force_login(leader)
    url = reverse("meetings:pdf_status", args=[job.pk])
    first = client.get(url)
    assert 'hx-vals=\'{"seen": "pending-0"}\'' in first.content.decode()
    assert client.get(url, {"seen": "pending-0"}).status_code == 204
    PdfJob.objects.filter(pk=job.pk).update(status=PdfJob.Status.RUNNING, attempts=1)
    changed = client.get(url, {"seen": "pending-0"})
    assert changed.status_code == 200 and "Rendering" in changed.content.decode()


def test_the_meeting_page_announces_changes_to_its_documents(client, leader, job):
    client.force_login(leader)
    html = client.get(reverse("meetings:detail", args=[job.meeting_id])).content.decode()
    assert '<ul class="list-group mb-2" aria-labelledby="pdf-heading" aria-live="polite">' in html
    assert "Queued" in html
