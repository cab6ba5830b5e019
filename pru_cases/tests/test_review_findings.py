"""Problems found by probing the access policy as each role, each held fixed by a test."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from pru_cases.models import BreakGlass
from pupils.selectors import pupils_visible_to

PASSWORD = "a-long-new-passphrase-for-tests"


def test_it_refuses_the_administrator_an_account_that_sees_a_centres_pupils(client, admin_user, pru_agency, pupil):
    # The administrator sees no pupil; a PRU staff account at a centre sees every pupil there. Creating one
    # (and then setting up its second factor at its first sign-in) would give the administrator those records.
    client.force_login(admin_user)
    client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newteacher",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "first_name": "New",
            "last_name": "Teacher",
            "email": "",
            "role": User.Role.STAFF,
            "agency": pru_agency.pk,
            "site": pupil.site_id,
        },
    )
    created = User.objects.filter(username="newteacher").first()
    assert created is None or not pupils_visible_to(created).filter(pk=pupil.pk).exists()


def test_it_refuses_the_administrator_moving_staff_to_another_centre(client, admin_user, other_staff, pupil):
    # A PRU staff member's centre decides which pupils they see: the administrator may not change it.
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[other_staff.pk])
    client.post(
        url,
        {
            "username": other_staff.username,
            "first_name": other_staff.first_name,
            "last_name": other_staff.last_name,
            "email": other_staff.email,
            "role": other_staff.role,
            "agency": other_staff.agency_id,
            "site": pupil.site_id,
            "is_active": "on",
        },
    )
    other_staff.refresh_from_db()
    assert not pupils_visible_to(other_staff).filter(pk=pupil.pk).exists()


def test_it_keeps_the_break_glass_alert_when_the_mail_server_is_down(
    client, staff, other_pupil, dsl, django_capture_on_commit_callbacks
):
    # The DSL must hear of every use of break-glass. A mail server that refuses at that moment loses the
    # alert today: the grant stands, `notified_at` stays empty, and nothing (no job row, no sweeper) sends it
    # again. Work that must not be lost is a row first and a retry after, as PDF jobs are.
    dsl.email = "dsl@example-pru.org.uk"
    dsl.save()
    client.force_login(staff)
    refused = mock.Mock(side_effect=ConnectionRefusedError(111, "Connection refused"))
    with mock.patch("pru_cases.security.send_mail", refused), django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("break_glass"),
            {
                "last_name": other_pupil.last_name,
                "date_of_birth": other_pupil.date_of_birth.isoformat(),
                "reason": "A disclosure at lunch; the key worker is away today.",
            },
        )
    assert refused.called
    grant = BreakGlass.objects.get(user=staff, pupil=other_pupil)
    assert grant.notified_at is None

    # Whatever the project runs on a schedule (celery beat) should pick the unsent alert up again.
    from pru_cases.celery import app

    app.loader.import_default_modules()  # as a worker does at start: every app's tasks module

    with mock.patch("pru_cases.security.send_mail") as sent:
        for entry in app.conf.beat_schedule.values():
            task = app.tasks.get(entry["task"])
            if task is not None and "break" in entry["task"]:
                task.apply()
    grant.refresh_from_db()
    assert sent.called and grant.notified_at is not None


def test_it_answers_a_nul_character_in_the_concern_pupil_search_without_a_500(client, staff, pupil):
    client.force_login(staff)
    client.raise_request_exception = False
    response = client.post(reverse("concerns:pupil_search"), {"q": "ab\x00c"})
    assert response.status_code < 500


def test_it_answers_a_non_numeric_id_in_an_admin_action_without_a_500(client, leader, staff):
    client.force_login(leader)
    client.raise_request_exception = False
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate", "_selected_action": ["abc"], "index": "0"},
    )
    assert response.status_code < 500


def test_it_answers_a_signed_in_teacher_at_the_admin_without_a_redirect_loop(client, staff):
    client.force_login(staff)
    url, seen = reverse("admin:index"), []
    for _ in range(6):
        response = client.get(url)
        if response.status_code != 302:
            break
        seen.append(url)
        url = response["Location"]
        assert url not in seen, f"redirect loop: {seen + [url]}"
    assert response.status_code in (403, 404)


def test_it_hides_a_health_professional_named_key_worker_from_a_teacher(client, staff, pupil, health_specialist, dsl):
    # A health professional's allocation is hidden whole from those who may not read health detail; naming
    # them key worker shows their name on the pupil page, and the agency directory says which service they are in.
    from pupils import services

    with pytest.raises(ValidationError):  # refused: allocating them keeps it among health readers
        services.pupil_key_worker_set(pupil=pupil, by=dsl, key_worker=health_specialist)
    with pytest.raises(ValidationError):
        services.pupil_update(pupil=pupil, by=dsl, data={"key_worker": health_specialist}, version=pupil.version)
    client.force_login(staff)
    page = client.get(reverse("pupils:detail", args=[pupil.pk]))
    assert page.status_code == 200
    assert str(health_specialist) not in page.content.decode()


def test_it_does_not_serve_the_admins_shortcut_to_any_record(client, leader, pupil):
    client.force_login(leader)
    client.raise_request_exception = False
    for path in ("/admin/r/1/1/", f"/admin/r/{pupil.pk}/{pupil.pk}/"):
        assert client.get(path).status_code == 404
