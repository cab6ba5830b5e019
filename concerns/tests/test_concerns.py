"""The concern log: logging in seconds, the DSL's safeguarding queue, the pattern flag and the pupil picker."""

import datetime

from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern

NEW = "/pupils/concerns/new/"


def _log(client, pupil, **data):
    values = {"pupil": pupil.pk, "category": "appearance", "seen": "Same uniform all week."}
    values.update(data)
    return client.post(NEW, values)


def _concerns(pupil, user, days_ago: list[int], **extra):
    now = timezone.now()
    for days in days_ago:
        Concern.objects.create(
            pupil=pupil,
            logged_by=user,
            category="behaviour",
            seen="x",
            occurred_at=now - datetime.timedelta(days=days),
            **extra,
        )


def test_it_logs_a_concern(client, staff, pupil):
    client.force_login(staff)
    response = _log(client, pupil)
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:detail", args=[pupil.pk])
    concern = Concern.objects.get()
    assert (concern.pupil, concern.logged_by, concern.category, concern.status) == (pupil, staff, "appearance", "open")
    assert concern.events.filter(pgh_label="insert").exists()


def test_a_safeguarding_concern_goes_to_the_dsl_queue(client, staff, dsl, leader, pupil):
    client.force_login(staff)
    response = _log(client, pupil, category="safeguarding", seen="Bruise on the forearm; said dad did it.")
    assert response.status_code == 302
    client.force_login(dsl)
    queue = client.get(reverse("referrals:triage"))
    assert b"Bruise on the forearm" in queue.content
    assert [c.pupil_id for c in queue.context["safeguarding"]] == [pupil.pk]
    client.force_login(leader)
    assert b"Bruise on the forearm" not in client.get(reverse("referrals:triage")).content


def test_the_dsl_reviews_a_safeguarding_concern_once(client, dsl, staff, pupil):
    concern = Concern.objects.create(
        pupil=pupil, logged_by=staff, category="safeguarding", seen="Unknown adult at the gate."
    )
    client.force_login(dsl)
    url = reverse("concerns:review", args=[concern.pk])
    assert client.post(url, {"note": "Called MASH."}).status_code == 302
    concern.refresh_from_db()
    assert (concern.status, concern.reviewed_by, concern.review_note) == ("reviewed", dsl, "Called MASH.")
    again = client.post(url, {"note": "Twice"})
    assert again.status_code == 409
    assert b"already been reviewed" in again.content
    assert client.get(reverse("referrals:triage")).context["safeguarding"] == []


def test_it_refuses_a_concern_in_the_future_and_keeps_the_typed_text(client, staff, pupil):
    client.force_login(staff)
    later = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = _log(client, pupil, occurred_at=later, seen="Typed words stay put.")
    assert response.status_code == 400
    assert b"cannot be logged for a time in the future" in response.content
    assert b"Typed words stay put." in response.content
    assert not Concern.objects.exists()


def test_it_asks_for_the_pupil_when_none_was_picked(client, staff, pupil):
    client.force_login(staff)
    response = client.post(NEW, {"category": "attendance", "seen": "Absent again."})
    assert response.status_code == 400
    assert b"Choose the pupil" in response.content
    assert b"Absent again." in response.content


def test_the_picker_finds_only_pupils_the_user_may_see(client, staff, other_staff, pupil):
    client.force_login(staff)
    response = client.post(reverse("concerns:pupil_search"), {"q": "jor exa"})
    assert list(response.context["pupils"]) == [pupil]
    assert f'value="{pupil.pk}"'.encode() in response.content
    client.force_login(other_staff)
    response = client.post(reverse("concerns:pupil_search"), {"q": "jor exa"})
    assert list(response.context["pupils"]) == []
    assert b"Jordan" not in response.content


def test_the_pattern_flag_shows_on_the_pupil_page_and_list(client, staff, pupil, settings):
    settings.CONCERN_PATTERN_COUNT = 3
    settings.CONCERN_PATTERN_DAYS = 14
    _concerns(pupil, staff, [1, 5, 20])  # the 20-day-old one is outside the window
    _concerns(pupil, staff, [2], status="withdrawn", reviewed_at=timezone.now())
    client.force_login(staff)
    assert b"Pattern of concern" not in client.get(reverse("pupils:detail", args=[pupil.pk])).content
    assert b"Pattern: " not in client.get(reverse("pupils:list")).content
    _concerns(pupil, staff, [13])
    assert b"Pattern of concern" in client.get(reverse("pupils:detail", args=[pupil.pk])).content
    assert b"Pattern: 3 concerns" in client.get(reverse("pupils:list")).content


def test_the_pattern_threshold_is_configurable(client, staff, pupil, settings):
    settings.CONCERN_PATTERN_COUNT = 1
    _concerns(pupil, staff, [0])
    client.force_login(staff)
    assert b"Pattern: 1 concerns" in client.get(reverse("pupils:list")).content


def test_the_concern_log_is_filterable(client, staff, pupil, other_pupil, other_staff):
    _concerns(pupil, staff, [1])
    Concern.objects.create(pupil=pupil, logged_by=staff, category="attendance", seen="Absent.")
    Concern.objects.create(pupil=other_pupil, logged_by=other_staff, category="attendance", seen="Elsewhere.")
    client.force_login(staff)
    response = client.get(reverse("concerns:list"), {"category": "attendance"})
    assert response.status_code == 200
    assert [c.seen for c in response.context["page"]] == ["Absent."]  # the other centre's pupil is out of scope
