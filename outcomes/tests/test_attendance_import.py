"""The attendance CSV import: all or nothing, a report of rejected rows, weekly totals from the codes table."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outcomes.models import AttendanceCode, AttendanceImport, AttendanceMark, AttendanceWeek

URL = "/pupils/attendance/import/"
UPN = "A123456789012"
OTHER_UPN = "B987654321098"


@pytest.fixture
def pupils_with_upns(pupil, other_pupil):
    pupil.upn, other_pupil.upn = UPN, OTHER_UPN
    pupil.save(update_fields=["upn"])
    other_pupil.save(update_fields=["upn"])
    return pupil, other_pupil


def _upload(text: str, name: str = "register.csv") -> dict:
    return {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")}


GOOD = "\n".join(
    [
        "UPN,Date,Session,Mark,Forename",
        f"{UPN},2026-11-16,AM,/,Jordan",
        f"{UPN},2026-11-16,PM,\\,Jordan",
        f"{UPN},17/11/2026,AM,L,Jordan",
        f"{UPN},2026-11-17,PM,N,Jordan",
        f"{UPN},2026-11-18,AM,B,Jordan",
        f"{UPN},2026-11-18,PM,Y2,Jordan",  # unable to attend: not a possible session
        f"{UPN},2026-11-19,AM,C2,Jordan",  # part-time timetable: possible, not attended
        f"{UPN},2026-11-09,AM,/,Jordan",  # the week before
        f"{OTHER_UPN},2026-11-16,AM,O,Casey",
    ]
)


def test_it_seeds_the_register_codes_as_data(db):
    assert AttendanceCode.objects.filter(is_active=True).count() == 34
    assert set(AttendanceCode.objects.filter(is_active=False).values_list("code", flat=True)) == {"H", "J", "Y", "F"}
    present = AttendanceCode.objects.get(code="/")
    assert present.counts_as_possible and present.counts_as_attended
    dual = AttendanceCode.objects.get(code="D")
    assert not dual.counts_as_possible


def test_it_imports_a_good_file_and_works_out_the_weeks(client, leader, pupils_with_upns):
    pupil, other = pupils_with_upns
    client.force_login(leader)
    response = client.post(URL, _upload(GOOD))
    assert response.status_code == 302
    assert AttendanceMark.objects.count() == 9
    batch = AttendanceImport.objects.get()
    assert (batch.rows, batch.pupils, batch.weeks, batch.imported_by) == (9, 2, 3, leader)
    week = AttendanceWeek.objects.get(pupil=pupil, week_starting=datetime.date(2026, 11, 16))
    # /, \, L, B attended; N and C2 possible but not attended; Y2 not possible.
    assert (week.sessions_possible, week.sessions_attended, week.unauthorised) == (6, 4, 1)
    assert AttendanceWeek.objects.get(pupil=pupil, week_starting=datetime.date(2026, 11, 9)).sessions_attended == 1
    assert AttendanceWeek.objects.get(pupil=other).sessions_attended == 0
    assert week.events.filter(pgh_label="insert").exists()
    follow = client.get(response["Location"])
    assert "Imported 9 marks for 2 pupils" in follow.content.decode()


def test_it_imports_nothing_when_any_row_is_bad_and_reports_every_bad_row(client, dsl, pupils_with_upns):
    client.force_login(dsl)
    bad = (
        GOOD
        + "\n"
        + "\n".join(
            [
                "Z000000000000,2026-11-16,AM,/,Nobody",
                f"{UPN},2026-13-01,AM,/,Jordan",
                f"{UPN},2026-11-21,AM,/,Jordan",
                f"{UPN},2026-11-20,EV,/,Jordan",
                f"{UPN},2026-11-20,AM,QQ,Jordan",
                f"{UPN},2026-11-20,PM,H,Jordan",
                f"{UPN},2026-11-16,AM,L,Jordan",
                f"{UPN},2099-01-05,AM,/,Jordan",
                ",2026-11-20,AM,/,",
            ]
        )
    )
    response = client.post(URL, _upload(bad))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "9 of 18 rows were rejected" in html
    for line, reason in [
        (11, "No pupil with UPN Z000000000000"),
        (12, "is not a date"),
        (13, "weekend"),
        (14, "must be AM or PM"),
        (15, "is not a register code"),
        (16, "no longer in use"),
        (17, "already in the file on line 2"),
        (18, "in the future"),
        (19, "The UPN is empty"),
    ]:
        assert f"<td>{line}</td>" in html
        assert reason in html
    assert AttendanceMark.objects.count() == 0
    assert AttendanceWeek.objects.count() == 0
    assert AttendanceImport.objects.count() == 0


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "The submitted file is empty"),
        ("upn,date,mark\nA123456789012,2026-11-16,/", "missing the column(s) session"),
        ("upn,date,session,mark\n", "no marks"),
    ],
)
def test_it_rejects_a_file_it_cannot_read(client, leader, pupils_with_upns, text, message):
    client.force_login(leader)
    response = client.post(URL, _upload(text))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert AttendanceImport.objects.count() == 0


def test_it_rejects_a_file_that_is_not_utf8_or_not_csv(client, leader):
    client.force_login(leader)
    upload = {"file": SimpleUploadedFile("register.csv", "upn,date,session,mark\n\xff".encode("latin-1"))}
    assert "not UTF-8" in client.post(URL, upload).content.decode()
    response = client.post(URL, _upload(GOOD, name="register.xlsx"))
    assert response.status_code == 400
    assert "Choose a .csv file" in response.content.decode()


def test_it_replaces_a_session_imported_again(client, leader, pupils_with_upns):
    pupil, _ = pupils_with_upns
    client.force_login(leader)
    client.post(URL, _upload(GOOD))
    corrected = f"upn,date,session,mark\n{UPN},2026-11-17,PM,M\n"
    assert client.post(URL, _upload(corrected)).status_code == 302
    assert AttendanceMark.objects.get(pupil=pupil, date=datetime.date(2026, 11, 17), session="PM").code.code == "M"
    assert AttendanceMark.objects.count() == 9
    week = AttendanceWeek.objects.get(pupil=pupil, week_starting=datetime.date(2026, 11, 16))
    assert (week.sessions_possible, week.sessions_attended, week.unauthorised) == (6, 4, 0)


@pytest.mark.parametrize(
    "role,expected",
    [("staff", 403), ("specialist", 403), ("family_worker", 403), ("admin_user", 403), ("dsl", 200), ("leader", 200)],
)
def test_it_is_for_senior_leaders_and_the_dsl(client, request, role, expected):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == expected


def test_it_redirects_logged_out_users_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_reads_a_file_with_old_mac_line_endings(client, leader, pupils_with_upns):
    client.force_login(leader)
    response = client.post(URL, _upload(GOOD.replace("\n", "\r")))
    assert response.status_code == 302
    assert AttendanceMark.objects.count() == 9


def test_it_refuses_a_field_over_the_csv_limit_with_a_message(client, leader, pupils_with_upns):
    client.force_login(leader)
    huge = GOOD + f"\n{UPN},2026-11-20,AM,/,{'x' * (129 * 1024)}"
    response = client.post(URL, _upload(huge))
    assert response.status_code == 400
    assert "Line 11 has a field longer than 128 KiB" in response.content.decode()
    assert not AttendanceMark.objects.exists()


def test_it_refuses_a_file_the_csv_reader_cannot_parse_with_a_message(client, leader, pupils_with_upns, monkeypatch):
    import csv

    from outcomes import services as outcomes_services

    class Broken:
        line_num = 3

        def __iter__(self):
            return self

        def __next__(self):
            raise csv.Error("unexpected end of data")

    monkeypatch.setattr(outcomes_services.csv, "reader", lambda *args, **kwargs: Broken())
    client.force_login(leader)
    response = client.post(URL, _upload(GOOD))
    assert response.status_code == 400
    assert "Line 3 cannot be read as CSV" in response.content.decode()
