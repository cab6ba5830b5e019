import datetime

import pytest
from django.db import ProgrammingError, transaction
from django.utils import timezone

from concerns.models import Concern
from pru_cases.access import FieldGroup, can_read_field_group
from pru_cases.models import AccessEvent, BreakGlass
from pupils.models import Allocation
from pupils.selectors import in_pupil_scope, pupils_counted_for, pupils_visible_to


def test_it_gives_the_dsl_and_leaders_every_pupil(dsl, leader, pupil, other_pupil):
    assert set(pupils_visible_to(dsl)) == {pupil, other_pupil}
    assert set(pupils_visible_to(leader)) == {pupil, other_pupil}


def test_it_gives_pru_staff_their_centre(staff, other_staff, pupil, other_pupil):
    assert list(pupils_visible_to(staff)) == [pupil]
    assert list(pupils_visible_to(other_staff)) == [other_pupil]


def test_it_gives_staff_their_key_pupils_at_another_centre(staff, other_pupil, pupil):
    other_pupil.key_worker = staff
    other_pupil.save()
    assert set(pupils_visible_to(staff)) == {pupil, other_pupil}


def test_it_gives_specialists_only_their_open_allocations(specialist, outsider, pupil, other_pupil):
    assert list(pupils_visible_to(specialist)) == [pupil]
    assert list(pupils_visible_to(outsider)) == []
    Allocation.objects.filter(user=specialist).update(ended_on="2026-02-01")
    assert list(pupils_visible_to(specialist)) == []


def test_rows_about_pupils_follow_the_same_scope_for_every_role(cast, dsl, pupil, other_pupil):
    """`in_pupil_scope` and `pupils_counted_for` ask some roles in shapes of their own; they must give exactly the
    pupils `pupils_visible_to` gives, key-worked pupils, open allocations and unexpired grants included."""
    other_pupil.key_worker = cast["family_worker"]
    other_pupil.save()
    pupil.key_worker = cast["specialist"]  # key-worked and allocated: still one pupil
    pupil.save()
    now = timezone.now()
    BreakGlass.objects.create(
        user=cast["outsider"],
        pupil=other_pupil,
        reason="Test",
        granted_at=now,
        expires_at=now + datetime.timedelta(hours=1),
    )
    BreakGlass.objects.create(
        user=cast["specialist"],
        pupil=other_pupil,
        reason="Test",
        granted_at=now - datetime.timedelta(hours=5),
        expires_at=now - datetime.timedelta(hours=1),
    )
    for about in (pupil, other_pupil):
        Concern.objects.create(pupil=about, category=Concern.Category.BEHAVIOUR, seen="Seen.", logged_by=dsl)
    seen = {}
    for role, person in cast.items():
        rows = {concern.pupil_id for concern in Concern.objects.filter(in_pupil_scope(person))}
        visible = {p.pk for p in pupils_visible_to(person)}
        assert rows == visible, role
        assert {p.pk for p in pupils_counted_for(person)} == visible, role
        assert pupils_counted_for(person).count() == len(visible), role  # each pupil once, however they are seen
        seen[role] = rows
    assert seen["family_worker"] == {pupil.pk, other_pupil.pk}
    assert seen["outsider"] == {other_pupil.pk}
    assert seen["specialist"] == {pupil.pk}
    assert seen["admin_user"] == set()


def test_it_gives_administrators_and_inactive_users_nobody(admin_user, dsl, pupil):
    assert list(pupils_visible_to(admin_user)) == []
    dsl.is_active = False
    dsl.save()
    assert list(pupils_visible_to(dsl)) == []


def test_only_health_staff_and_the_dsl_read_health_detail(
    dsl, leader, staff, specialist, health_specialist, family_worker
):
    readers = {
        u.username
        for u in (dsl, leader, staff, specialist, health_specialist, family_worker)
        if can_read_field_group(u, FieldGroup.HEALTH)
    }
    assert readers == {"dsl", "camhs"}


def test_access_events_are_append_only(client, dsl, pupil):
    client.force_login(dsl)
    client.get(f"/pupils/{pupil.pk}/")
    event = AccessEvent.objects.get()
    with pytest.raises(ProgrammingError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(outcome="denied")
    with pytest.raises(ProgrammingError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert AccessEvent.objects.get().outcome == AccessEvent.Outcome.ALLOWED


def test_it_records_who_looked_and_which_restricted_groups_they_saw(client, health_specialist, pupil):
    client.force_login(health_specialist)
    client.get(f"/pupils/{pupil.pk}/")
    event = AccessEvent.objects.get()
    assert (event.user, event.role, event.agency, event.pupil, event.method) == (
        health_specialist,
        "specialist",
        health_specialist.agency,
        pupil,
        "GET",
    )
    assert event.field_groups == "health"


def test_it_records_every_view_of_a_pupil_not_only_the_first(client, dsl, pupil):
    client.force_login(dsl)
    detail = f"/pupils/{pupil.pk}/"
    for _ in range(3):
        assert client.get(detail).status_code == 200

    views = AccessEvent.objects.filter(user=dsl, pupil=pupil, path=detail, method="GET", outcome="allowed")
    assert views.count() == 3
