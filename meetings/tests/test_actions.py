"""Actions: progress notes, done, dropped with a reason, concurrent edits, and overdue actions where they matter."""

import datetime

import pytest
from django.urls import reverse

from meetings import panels
from meetings.models import Action, ActionPlan, ProgressNote
from pupils.models import Pupil


@pytest.fixture
def action(pupil, leader, staff, today) -> Action:
    plan = ActionPlan.objects.create(pupil=pupil, created_by=leader)
    return Action.objects.create(
        plan=plan,
        description="Phone the family weekly",
        owner_kind="staff",
        owner_user=staff,
        due_on=today - datetime.timedelta(days=1),
        success_criteria="Three calls made",
        created_by=leader,
    )


def test_it_records_progress(client, staff, action):
    client.force_login(staff)
    response = client.post(reverse("meetings:action_progress", args=[action.pk]), {"text": "First call made."})
    assert response.status_code == 302
    note = ProgressNote.objects.get(action=action)
    assert note.text == "First call made." and note.recorded_by == staff


def test_it_marks_an_action_done(client, staff, action, today):
    client.force_login(staff)
    response = client.post(reverse("meetings:action_status", args=[action.pk]), {"status": "done", "version": 1})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.done_on == today and not action.is_overdue
    assert action.events.filter(pgh_label="update").exists()


def test_it_needs_a_reason_to_drop_an_action(client, staff, action):
    client.force_login(staff)
    url = reverse("meetings:action_status", args=[action.pk])
    response = client.post(url, {"status": "dropped", "reason": "", "version": 1})
    assert response.status_code == 400
    action.refresh_from_db()
    assert action.status == "open"
    response = client.post(url, {"status": "dropped", "reason": "Family moved away", "version": 1})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "dropped" and action.dropped_reason == "Family moved away"


def test_it_detects_a_concurrent_edit(client, staff, dsl, action):
    client.force_login(staff)
    url = reverse("meetings:action_status", args=[action.pk])
    assert client.post(url, {"status": "done", "version": 1}).status_code == 302
    client.force_login(dsl)
    response = client.post(url, {"status": "dropped", "reason": "Not needed", "version": 1})
    assert response.status_code == 409
    action.refresh_from_db()
    assert action.status == "done"


def test_overdue_actions_show_on_the_pupil_page_and_list(rf, client, dsl, pupil, action):
    request = rf.get("/")
    request.user = dsl
    context = panels.pupil_panel(request, pupil)
    assert context["mt_overdue"] == 1 and context["mt_actions"] == [action]
    annotated = panels.annotate_pupil_list(Pupil.objects.filter(pk=pupil.pk)).get()
    assert annotated.overdue_action_count == 1
    client.force_login(dsl)
    response = client.get(reverse("meetings:actions"), {"overdue": "on"})
    assert response.status_code == 200
    assert b"Phone the family weekly" in response.content and b"overdue" in response.content
