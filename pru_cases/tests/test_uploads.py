"""Request and upload size limits hold while the body streams in: a clear 413, never a 500, nothing stored."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.test import RequestFactory

from outcomes.models import AttendanceImport
from pru_cases.lib.uploads import UPLOAD_REFUSED, SizeLimitUploadHandler

IMPORT = "/pupils/attendance/import/"


@pytest.fixture
def small_limits(settings):
    settings.FILE_UPLOAD_MAX_BYTES = 10_000
    settings.REQUEST_MAX_BYTES = 50_000


def _csv(size: int) -> SimpleUploadedFile:
    body = b"upn,date,session,mark\n" + b"A123456789012,2026-11-16,AM,/\n" * (size // 30)
    return SimpleUploadedFile("register.csv", body, content_type="text/csv")


def test_it_stops_reading_a_file_as_soon_as_it_passes_the_limit(small_limits):
    request = RequestFactory().post("/")
    handler = SizeLimitUploadHandler(request)
    assert handler.receive_data_chunk(b"x" * 6_000, 0) == b"x" * 6_000
    with pytest.raises(StopUpload) as stopped:
        handler.receive_data_chunk(b"x" * 6_000, 6_000)
    assert stopped.value.connection_reset  # the parser reads no further
    assert getattr(request, UPLOAD_REFUSED) is True


def test_an_upload_over_the_limit_is_a_413_that_says_why(client, leader, small_limits):
    client.force_login(leader)
    response = client.post(IMPORT, {"file": _csv(20_000)})
    assert response.status_code == 413
    assert "The file is larger than 9.8 KB" in response.content.decode()
    assert not AttendanceImport.objects.exists()


def test_an_upload_under_the_limit_reaches_the_import(client, leader, small_limits):
    client.force_login(leader)
    response = client.post(IMPORT, {"file": _csv(5_000)})
    assert response.status_code == 400  # the page's own report: no such pupil
    assert "No pupil with UPN" in response.content.decode()


def test_a_request_body_over_the_cap_is_refused_before_it_is_read(client, leader, small_limits):
    client.force_login(leader)
    body = io.BytesIO(b"q=" + b"x" * 60_000)
    response = client.generic("POST", "/pupils/", body.getvalue(), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "The form sent was larger than 48.8 KB" in response.content.decode()
    # Everyone is covered, signed in or not.
    anonymous = client.__class__()
    assert anonymous.generic("POST", "/account/login/", body.getvalue()).status_code == 413


def test_the_default_limits_are_set(settings):
    assert settings.FILE_UPLOAD_MAX_BYTES == 5 * 1024 * 1024
    assert settings.REQUEST_MAX_BYTES == 6 * 1024 * 1024
    assert settings.FILE_UPLOAD_HANDLERS[0] == "pru_cases.lib.uploads.SizeLimitUploadHandler"
