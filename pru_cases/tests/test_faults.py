"""Faults with the real services: this test database's connections cut (as when Postgres restarts), a
private Redis stopped under the app, and two people saving the same pupil."""

import datetime
import io
import sys
import time

import kombu.exceptions
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from pupils import services
from pupils.models import Pupil

# --- Postgres "restarted" mid-session --------------------------------------------------------------


def _cut_this_databases_connections() -> None:
    """What a Postgres restart does to us: every connection to THIS test database is cut. Done from a
    separate connection, and never to the shared server or any other database."""
    import psycopg

    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        killed = other.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    assert killed >= 1


def _wsgi_get(path: str, session_key: str) -> tuple[int, str]:
    """One request through Django's real WSGI handler (the test client skips its connection checks)."""
    from django.core.wsgi import get_wsgi_application

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={session_key}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    status = []
    response = get_wsgi_application()(environ, lambda code, headers, exc_info=None: status.append(code))
    try:
        body = b"".join(response).decode()
    finally:
        response.close()
    return int(status[0].split()[0]), body


# Committed data, so a cut connection loses nothing of the fixtures; serialized_rollback puts back the rows
# that data migrations seeded (a plain flush would leave later tests without them).
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@TRANSACTIONAL
def test_the_next_request_works_after_the_database_connections_are_cut(client, staff, pupil):
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0  # a kept-alive connection is what goes stale
    client.force_login(staff)
    session_key = client.session.session_key
    detail = reverse("pupils:detail", args=[pupil.pk])
    assert _wsgi_get(detail, session_key)[0] == 200
    _cut_this_databases_connections()
    status, body = _wsgi_get(detail, session_key)
    assert status == 200, body[:500]
    assert pupil.full_name in body


@TRANSACTIONAL
def test_a_connection_lost_mid_request_shows_a_clean_error_and_writes_nothing(staff, pupil, monkeypatch):
    from django.db import close_old_connections
    from django.test import Client

    browser = Client(raise_request_exception=False)
    browser.force_login(staff)
    original = services.pupil_update

    def update_then_lose_the_database(**kwargs):
        with transaction.atomic():
            original(**kwargs)  # the UPDATE has run, but is not committed...
            with connection.cursor() as cursor:  # ...when the server goes away
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr(services, "pupil_update", update_then_lose_the_database)
    url = reverse("pupils:edit", args=[pupil.pk])
    data = _edit_data(pupil, first_name="Halfwritten")
    response = browser.post(url, data)
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in body
    assert "Traceback" not in body and "pg_terminate_backend" not in body and "OperationalError" not in body

    close_old_connections()  # what the server does at the end of every request
    pupil.refresh_from_db()
    assert pupil.first_name == "Jordan" and pupil.version == 1  # nothing half-written

    monkeypatch.setattr(services, "pupil_update", original)
    assert browser.post(url, data).status_code == 302
    pupil.refresh_from_db()
    assert pupil.first_name == "Halfwritten" and pupil.version == 2


def _edit_data(pupil: Pupil, **changes) -> dict:
    from pupils.forms import PupilForm

    form = PupilForm(instance=pupil, user=pupil.key_worker or _anyone())
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            value = ""
        elif isinstance(value, bool):
            value = "on" if value else ""
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif hasattr(value, "pk"):
            value = value.pk
        data[name] = value
    data["version"] = pupil.version
    return {k: v for k, v in (data | changes).items() if v != ""}


def _anyone():
    from accounts.models import User

    return User(role=User.Role.DSL)


# --- Two people editing the same pupil ---------------------------------------------------------------


def test_the_second_of_two_editors_gets_a_409_and_overwrites_nothing(client, dsl, staff, pupil):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(staff)
    second.force_login(dsl)
    url = reverse("pupils:edit", args=[pupil.pk])
    assert first.get(url).status_code == 200 and second.get(url).status_code == 200
    opened_at = _edit_data(pupil)  # both opened version 1

    assert first.post(url, opened_at | {"preferred_name": "JJ"}).status_code == 302
    response = second.post(url, opened_at | {"preferred_name": "Jordy", "last_name": "Changed"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this record" in body
    assert 'value="Jordy"' in body  # the second person's typing is not lost
    pupil.refresh_from_db()
    assert pupil.preferred_name == "JJ" and pupil.last_name == "Example" and pupil.version == 2


# --- Redis (the Celery broker) stopped while people work ---------------------------------------------


def _publish(url: str) -> None:
    from pru_cases.celery import app

    with app.connection_for_write(url) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        producer = app.amqp.Producer(conn)
        producer.publish({"ping": 1}, routing_key="fault-test", declare=[], retry=False)


def test_saving_works_and_fails_fast_while_the_broker_is_down(client, staff, pupil, private_redis, settings):
    settings.CELERY_BROKER_URL = private_redis.url
    _publish(private_redis.url)  # the broker is up

    private_redis.stop()

    client.force_login(staff)
    url = reverse("pupils:edit", args=[pupil.pk])
    response = client.post(url, _edit_data(pupil, preferred_name="Jay"))
    assert response.status_code == 302  # nothing on the save path waits for the broker
    pupil.refresh_from_db()
    assert pupil.preferred_name == "Jay"

    started = time.monotonic()
    with pytest.raises((OSError, kombu.exceptions.OperationalError)):
        _publish(private_redis.url)
    assert time.monotonic() - started < 10  # a publish to a dead broker fails fast, it never hangs a request


# --- PDFs with real Redis and real Celery workers -------------------------------------------------------


@pytest.fixture
def pdf_files(settings, tmp_path):
    """One private files directory for this process and the workers it starts (they read PRIVATE_FILES_DIR)."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def closed_tac(dsl, pupil):
    from django.utils import timezone

    from meetings import services as meeting_services
    from meetings.models import Meeting

    meeting = meeting_services.meeting_create(
        by=dsl,
        kind=Meeting.Kind.TAC,
        title="Team around the child",
        held_on=timezone.localdate(),
        chair=dsl,
        pupil=pupil,
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED, closed_at=timezone.now())
    return meeting


def _job_files(directory, job) -> list:
    return sorted(directory.rglob(f"meeting-{job.meeting_id}-{job.kind}-{job.pk}*.pdf"))


@TRANSACTIONAL
def test_a_pdf_asked_for_while_redis_is_down_is_made_when_it_is_back(
    client, dsl, pupil, closed_tac, private_redis, celery_worker, settings, pdf_files
):
    from django.utils import timezone

    from meetings import services as meeting_services
    from meetings.models import PdfJob
    from pru_cases.testing import wait_for

    settings.CELERY_BROKER_URL = private_redis.url
    private_redis.stop()
    client.force_login(dsl)

    response = client.post(reverse("pupils:edit", args=[pupil.pk]), _edit_data(pupil, preferred_name="Jay"))
    assert response.status_code == 302  # the save does not wait for the broker
    response = client.post(reverse("meetings:pdf_request", args=[closed_tac.pk]), {"kind": PdfJob.Kind.MINUTES})
    assert response.status_code == 302, response.content[:500]  # no 500: the broker being down costs a delay
    pupil.refresh_from_db()
    assert pupil.preferred_name == "Jay"
    job = PdfJob.objects.get(meeting=closed_tac)
    assert job.status == PdfJob.Status.PENDING and job.enqueued_at is None  # the request is kept as a row

    private_redis.start()
    worker = celery_worker(private_redis.url)
    # The beat's sweeper, a little later, finds the job nobody sent and sends it.
    later = timezone.now() + meeting_services.PENDING_GRACE + datetime.timedelta(seconds=1)
    assert meeting_services.pdf_jobs_sweep(now=later) == 1
    wait_for(
        lambda: PdfJob.objects.filter(pk=job.pk, status=PdfJob.Status.DONE).exists(),
        timeout=90,
        what=f"the worker to make the PDF:\n{worker.log()}",
    )
    files = _job_files(pdf_files, job)
    assert len(files) == 1 and files[0].read_bytes().startswith(b"%PDF")
    detail = client.get(reverse("meetings:detail", args=[closed_tac.pk]))
    assert reverse("meetings:pdf_download", args=[job.pk]) in detail.content.decode()


@TRANSACTIONAL
def test_a_worker_killed_mid_render_leaves_the_job_to_the_next_worker_which_makes_it_once(
    client, dsl, closed_tac, private_redis, celery_worker, settings, pdf_files
):
    from meetings.models import PdfJob
    from pru_cases.testing import wait_for

    settings.CELERY_BROKER_URL = private_redis.url
    # Unacknowledged tasks go back on the queue 3 s after delivery (production: 10 minutes).
    broker = {"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_UNACKED_RESTORE_INTERVAL": "1"}
    first = celery_worker(private_redis.url, app="pru_cases.tests.fault_worker", **broker)  # renders take a minute
    client.force_login(dsl)
    response = client.post(reverse("meetings:pdf_request", args=[closed_tac.pk]), {"kind": PdfJob.Kind.MINUTES})
    assert response.status_code == 302
    job = PdfJob.objects.get(meeting=closed_tac)

    wait_for(
        lambda: PdfJob.objects.filter(pk=job.pk, status=PdfJob.Status.RUNNING).exists(),
        timeout=60,
        what=f"the first worker to start the job:\n{first.log()}",
    )
    first.kill()  # SIGKILL in the middle of the render: no ack, no clean-up
    job.refresh_from_db()
    assert job.status == PdfJob.Status.RUNNING and job.attempts == 1 and not _job_files(pdf_files, job)

    second = celery_worker(private_redis.url, **broker)
    wait_for(
        lambda: PdfJob.objects.filter(pk=job.pk, status=PdfJob.Status.DONE).exists(),
        timeout=90,
        what=f"the second worker to finish the job:\n{second.log()}",
    )
    job.refresh_from_db()
    finished_at = job.finished_at
    time.sleep(5)  # longer than the visibility timeout: a second delivery would have run by now
    job.refresh_from_db()
    assert job.attempts == 2 and job.finished_at == finished_at
    files = _job_files(pdf_files, job)
    assert len(files) == 1 and files[0].read_bytes().startswith(b"%PDF")
