"""Break-glass: PRU staff may open a pupil outside their centre in an emergency, with a reason, for a few
hours; every use is audited and the DSL is emailed (with no pupil name in the subject)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import InternalError, ProgrammingError, transaction
from django.urls import reverse
from django.utils import timezone

from pru_cases.models import AccessEvent, BreakGlass
from pupils.selectors import pupils_visible_to

REASON = "Police called about Casey; the usual key worker is off sick and the DSL is in a conference."


@pytest.fixture
def alerting_dsl(dsl):
    dsl.email = "dsl@example-pru.org.uk"
    dsl.save()
    return dsl


def _break(client, **data):
    return client.post(reverse("break_glass"), {"reason": REASON} | data)


def test_it_opens_a_pupil_outside_scope_for_four_hours(
    client, staff, other_pupil, alerting_dsl, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    detail = reverse("pupils:detail", args=[other_pupil.pk])
    assert client.get(detail).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = _break(client, last_name="elsewhere", date_of_birth="2012-03-04")
    assert response.status_code == 302
    assert response["Location"] == detail

    grant = BreakGlass.objects.get(user=staff, pupil=other_pupil)
    assert grant.reason == REASON
    assert grant.expires_at - grant.granted_at == datetime.timedelta(hours=4)
    assert AccessEvent.objects.filter(user=staff, pupil=other_pupil, outcome="break_glass", method="POST").exists()
    assert grant.events.filter(pgh_label="insert").exists()

    page = client.get(detail)
    assert page.status_code == 200
    assert AccessEvent.objects.filter(user=staff, pupil=other_pupil, path=detail, outcome="break_glass").exists()

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=4, minutes=1)):
        client.force_login(staff)  # the old session has long timed out
        assert client.get(detail).status_code == 404
        assert other_pupil not in pupils_visible_to(staff)


def test_it_emails_the_dsl_without_naming_the_pupil_in_the_subject(
    client, staff, other_pupil, alerting_dsl, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        _break(client, last_name="Elsewhere", date_of_birth="2012-03-04")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dsl@example-pru.org.uk"]
    assert other_pupil.first_name not in message.subject and other_pupil.last_name not in message.subject
    assert f"/pupils/{other_pupil.pk}/" in message.body
    grant = BreakGlass.objects.get()
    assert grant.notified_at is not None
    assert grant.notified_to == "dsl@example-pru.org.uk"


def test_it_also_finds_a_pupil_by_upn(client, staff, other_pupil, alerting_dsl):
    other_pupil.upn = "A123456789012"
    other_pupil.save()
    client.force_login(staff)
    assert _break(client, upn="a123456789012").status_code == 302
    assert BreakGlass.objects.filter(user=staff, pupil=other_pupil).exists()


def test_it_opens_only_that_pupil(client, staff, other_pupil, alerting_dsl, other_site):
    from conftest import make_pupil

    third = make_pupil(other_site, first_name="Robin", last_name="Third")
    client.force_login(staff)
    _break(client, last_name="Elsewhere", date_of_birth="2012-03-04")
    visible = set(pupils_visible_to(staff))
    assert other_pupil in visible and third not in visible


def test_a_reason_is_required(client, staff, other_pupil):
    client.force_login(staff)
    response = _break(client, last_name="Elsewhere", date_of_birth="2012-03-04", reason="need it")
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert response.context["form"]["last_name"].value() == "Elsewhere"  # what was typed is kept
    assert not BreakGlass.objects.exists()


def test_no_match_is_refused_and_audited_without_saying_why(client, staff, other_pupil):
    client.force_login(staff)
    response = _break(client, last_name="Nobody", date_of_birth="2012-03-04")
    assert response.status_code == 400
    assert "No single pupil matches" in response.content.decode()
    assert not BreakGlass.objects.exists()
    assert AccessEvent.objects.filter(user=staff, outcome="denied", path=reverse("break_glass")).exists()


def test_a_pupil_already_in_scope_needs_no_grant(client, staff, pupil):
    client.force_login(staff)
    response = _break(client, last_name="Example", date_of_birth="2012-03-04")
    assert response.status_code == 302
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize("role", ["specialist", "family_worker", "leader", "dsl", "admin_user"])
def test_only_pru_staff_may_break_glass(client, request, role, other_pupil):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("break_glass")).status_code == 403
    assert _break(client, last_name="Elsewhere", date_of_birth="2012-03-04").status_code == 403
    assert not BreakGlass.objects.exists()


def test_the_page_needs_login(client, db):
    response = client.get(reverse("break_glass"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_grant_cannot_be_deleted(client, staff, other_pupil):
    client.force_login(staff)
    _break(client, last_name="Elsewhere", date_of_birth="2012-03-04")
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        BreakGlass.objects.all().delete()
    assert BreakGlass.objects.count() == 1


def test_staff_see_the_way_to_emergency_access_on_a_404(client, staff, other_pupil, specialist):
    client.force_login(staff)
    body = client.get(reverse("pupils:detail", args=[other_pupil.pk])).content.decode()
    assert reverse("break_glass") in body
    client.force_login(specialist)
    assert reverse("break_glass") not in client.get(reverse("pupils:detail", args=[other_pupil.pk])).content.decode()


# Break-glass grants read, and logging a concern, only: nothing done under a grant outlives it.


@pytest.fixture
def grant(staff, other_pupil):
    now = timezone.now()
    return BreakGlass.objects.create(
        user=staff, pupil=other_pupil, reason=REASON, granted_at=now, expires_at=now + datetime.timedelta(hours=4)
    )


EDIT_FORM = {
    "first_name": "Casey",
    "last_name": "Elsewhere",
    "date_of_birth": "2012-03-04",
    "year_group": "9",
    "home_local_authority": "Millbrook City Council",
    "school_local_authority": "Millbrook City Council",
    "entry_date": "2026-01-05",
    "entry_route": "permanent_exclusion",
    "send_status": "none",
    "social_care_status": "none",
}


def test_it_tells_the_caller_when_access_came_through_break_glass(rf, staff, other_pupil, pupil, grant):
    from pru_cases.access import get_pupil_for_user, may_write
    from pupils.selectors import pupils_writable_by

    request = rf.get("/")
    request.user = staff
    assert get_pupil_for_user(request, other_pupil.pk).via_break_glass is True
    assert get_pupil_for_user(request, pupil.pk).via_break_glass is False
    assert not may_write(staff, other_pupil) and may_write(staff, pupil)
    assert set(pupils_writable_by(staff)) == {pupil}


def test_a_break_glass_save_does_not_move_the_pupil_or_name_a_key_worker(
    client, staff, site, other_site, other_pupil, grant
):
    client.force_login(staff)
    url = reverse("pupils:edit", args=[other_pupil.pk])
    get = client.get(url)
    assert get.status_code == 403
    assert "break-glass access" in get.content.decode()
    response = client.post(url, EDIT_FORM | {"site": site.pk, "key_worker": staff.pk, "version": other_pupil.version})
    assert response.status_code == 403
    assert "read it and log a concern only" in response.content.decode()
    other_pupil.refresh_from_db()
    assert (other_pupil.site, other_pupil.key_worker, other_pupil.version) == (other_site, None, 1)
    assert not other_pupil.events.filter(pgh_label="update").exists()
    assert AccessEvent.objects.filter(user=staff, pupil=other_pupil, outcome="forbidden", method="POST").exists()


def test_the_services_refuse_every_other_write_through_break_glass(staff, other_pupil, grant, outsider):
    from families import services as families
    from outcomes import services as outcomes_services
    from pru_cases.access import BreakGlassReadOnly
    from pupils import services
    from referrals import services as referrals

    today = timezone.localdate()
    writes = [
        lambda: services.pupil_update(pupil=other_pupil, by=staff, data={"preferred_name": "X"}, version=1),
        lambda: services.pupil_move(pupil=other_pupil, by=staff, site=staff.site),
        lambda: services.pupil_key_worker_set(pupil=other_pupil, by=staff, key_worker=staff),
        lambda: services.allocation_add(pupil=other_pupil, user=outsider, by=staff),
        lambda: services.pupil_set_need_level(pupil=other_pupil, by=staff, level=3, reason="Worse."),
        lambda: outcomes_services.reading_test_record(
            pupil=other_pupil, by=staff, occasion="baseline", tested_on=today, reading_age_months=120
        ),
        lambda: referrals.referral_create(pupil=other_pupil, by=staff, specialism="camhs", reasons="Low mood."),
        lambda: referrals.information_request_create(
            pupil=other_pupil, by=staff, agency=outsider.agency, question="Any contact?"
        ),
        lambda: families.consent_record(pupil=other_pupil, by=staff, data={"status": "given"}),
        lambda: families.reintegration_plan_start(pupil=other_pupil, by=staff),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied):
            write()
    with pytest.raises(BreakGlassReadOnly):
        services.pupil_update(pupil=other_pupil, by=staff, data={"preferred_name": "X"}, version=1)
    other_pupil.refresh_from_db()
    assert (other_pupil.version, other_pupil.preferred_name, other_pupil.key_worker) == (1, "", None)
    assert not other_pupil.allocations.exists()


def test_break_glass_still_reads_and_logs_a_concern(client, staff, other_pupil, grant):
    from concerns.models import Concern

    client.force_login(staff)
    page = client.get(reverse("pupils:detail", args=[other_pupil.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "through break-glass access" in body
    assert reverse("pupils:edit", args=[other_pupil.pk]) not in body
    assert page.context["can_set_need_level"] is False
    assert reverse("pupils:need_level", args=[other_pupil.pk]) not in body
    assert client.get(reverse("pupils:need_level", args=[other_pupil.pk])).status_code == 403
    assert not (page.context["ref_can_refer"] or page.context["ref_can_request"] or page.context["families_can_edit"])
    assert page.context["ref_can_log"]
    response = client.post(
        reverse("concerns:new"),
        {"pupil": other_pupil.pk, "category": "wellbeing", "seen": "Said they were hungry."},
    )
    assert response.status_code == 302
    assert Concern.objects.filter(pupil=other_pupil, logged_by=staff).exists()


def test_the_grant_changes_nothing_that_outlives_it(client, staff, site, other_pupil, grant):
    client.force_login(staff)
    client.post(
        reverse("pupils:edit", args=[other_pupil.pk]),
        EDIT_FORM | {"site": site.pk, "key_worker": staff.pk, "version": 1},
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=4, minutes=1)):
        assert other_pupil not in pupils_visible_to(staff)
