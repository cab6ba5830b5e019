"""The permission matrix for every meetings route: logged out 302 to login, outside the meeting's scope 404,
wrong role 403, allowed 200 or a redirect after a write."""

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Action, ActionPlan, PdfJob
from meetings.tests.conftest import mark_present
from pru_cases.tests.cast import CAST

ROLES = CAST
INVITED = (
    "dsl",
    "leader",
    "staff",
    "specialist",
    "health_specialist",
    "family_worker",
)  # dsl and leader see every meeting
RUNS = ("dsl", "leader")  # the DSL, and the leader who chairs
RECORDS = ("dsl", "leader", "staff")  # ... and the minute-taker
IN_SCOPE = INVITED  # the pupil's own team
UPDATES = ("dsl", "leader", "staff", "specialist", "health_specialist", "family_worker")


@pytest.fixture
def world(mdt, item, other_pupil, leader, staff, today):
    second = services.agenda_add_pupil(meeting=mdt, by=leader, pupil=other_pupil)
    plan = ActionPlan.objects.create(pupil=item.pupil, created_by=leader)
    action = Action.objects.create(
        plan=plan,
        description="Call home",
        owner_kind="staff",
        owner_user=staff,
        due_on=today,
        success_criteria="Called",
        created_by=leader,
    )
    invitee = mdt.invitees.get(user=staff)
    return {
        "meeting": mdt,
        "item": item,
        "second": second,
        "action": action,
        "invitee": invitee,
        "other_pupil": other_pupil,
    }


def _routes(w, today):
    m, i = w["meeting"].pk, w["item"].pk
    action_data = {
        "description": "Visit",
        "owner_kind": "family",
        "owner_name": "Sam",
        "due_on": today.isoformat(),
        "success_criteria": "Seen",
    }
    return {
        "detail": ("get", reverse("meetings:detail", args=[m]), None, INVITED, 200),
        "screen": ("get", reverse("meetings:screen", args=[m]), None, INVITED, 200),
        "case": ("get", reverse("meetings:case", args=[m, i]), None, INVITED, 200),
        "invitee_add": ("post", reverse("meetings:invitee_add", args=[m]), {"name": "A guest"}, RUNS, 302),
        "attendance": (
            "post",
            reverse("meetings:attendance", args=[m]),
            {f"attendance-{w['invitee'].pk}": "present"},
            RUNS,
            302,
        ),
        "agenda_build": ("post", reverse("meetings:agenda_build", args=[m]), {}, RUNS, 302),
        "agenda_add": ("post", reverse("meetings:agenda_add", args=[m]), {"pupil": "1"}, RUNS, 302),
        "agenda_move": (
            "post",
            reverse("meetings:agenda_move", args=[m, w["second"].pk]),
            {"direction": "up"},
            RUNS,
            302,
        ),
        "agenda_carry_over": ("post", reverse("meetings:agenda_carry_over", args=[m, i]), {}, RUNS, 302),
        "schedule_next": ("post", reverse("meetings:schedule_next", args=[m]), {}, RUNS, 302),
        "discussion": ("post", reverse("meetings:discussion", args=[m, i]), {"text": "Noted"}, RECORDS, 302),
        "decision": ("post", reverse("meetings:decision", args=[m, i]), {"text": "Agreed"}, RECORDS, 302),
        "action_add": ("post", reverse("meetings:action_add", args=[m, i]), action_data, RECORDS, 302),
        "close": ("post", reverse("meetings:close", args=[m]), {"version": w["meeting"].version}, RUNS, 302),
    }


MEETING_ROUTES = [
    "detail",
    "screen",
    "case",
    "invitee_add",
    "attendance",
    "agenda_build",
    "agenda_add",
    "agenda_move",
    "agenda_carry_over",
    "schedule_next",
    "discussion",
    "decision",
    "action_add",
    "close",
]


@pytest.mark.parametrize("name", MEETING_ROUTES)
def test_it_sends_logged_out_users_to_login(client, world, today, name):
    method, url, data, _, _ = _routes(world, today)[name]
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", MEETING_ROUTES)
def test_it_applies_the_policy_to_every_meeting_route(client, cast, world, today, role, name):
    method, url, data, allowed, ok = _routes(world, today)[name]
    if name == "agenda_add":
        data = {"pupil": _new_pupil(world).pk}
    client.force_login(cast[role])
    response = getattr(client, method)(url, data or {})
    expected = 404 if role not in INVITED else ok if role in allowed else 403
    assert response.status_code == expected, response.content[:300]


def _new_pupil(world):
    from conftest import make_pupil

    return make_pupil(world["other_pupil"].site, first_name="Riley", last_name="Added")


@pytest.fixture
def closed(world, leader, specialist):
    mark_present(world["meeting"], specialist)
    meeting = services.meeting_close(meeting=world["meeting"], by=leader)
    job = PdfJob.objects.get(meeting=meeting)
    services.pdf_job_render(job_id=job.pk)
    return {"meeting": meeting, "job": job}


PRESENT_OR_RECORDING = ("dsl", "leader", "staff", "specialist")


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_those_present_or_recording_ask_for_their_own_copy(client, cast, closed, role):
    url = reverse("meetings:pdf_request", args=[closed["meeting"].pk])
    assert client.post(url, {"kind": "minutes"}).status_code == 302  # logged out
    client.force_login(cast[role])
    mine = PdfJob.objects.filter(meeting=closed["meeting"], requested_by=cast[role])
    before = mine.count()
    response = client.post(url, {"kind": "minutes"})
    expected = 404 if role not in INVITED else 302 if role in PRESENT_OR_RECORDING else 403
    assert response.status_code == expected
    assert mine.count() - before == (1 if expected == 302 else 0)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["pdf_status", "pdf_download"])
def test_a_copy_is_seen_and_downloaded_only_by_the_person_it_was_made_for(client, cast, closed, role, name):
    """The leader closed the meeting, so the first copy is theirs: nobody else reaches it, not even the DSL."""
    url = reverse(f"meetings:{name}", args=[closed["job"].pk])
    assert client.get(url).status_code == 302  # logged out
    client.force_login(cast[role])
    assert client.get(url).status_code == (200 if role == "leader" else 404)


@pytest.mark.parametrize("role", PRESENT_OR_RECORDING)
def test_each_person_downloads_the_copy_made_for_them(client, cast, closed, role):
    job = services.pdf_request(meeting=closed["meeting"], by=cast[role], kind=PdfJob.Kind.MINUTES)
    services.pdf_job_render(job_id=job.pk)
    client.force_login(cast[role])
    assert client.get(reverse("meetings:pdf_download", args=[job.pk])).status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name,method,data,allowed,ok",
    [
        ("action", "get", None, IN_SCOPE, 200),
        ("action_progress", "post", {"text": "Left a message"}, UPDATES, 302),
        ("action_status", "post", {"status": "done", "version": 1}, UPDATES, 302),
    ],
)
def test_it_applies_the_policy_to_actions(client, cast, world, role, name, method, data, allowed, ok):
    from pru_cases.models import AccessEvent

    url = reverse(f"meetings:{name}", args=[world["action"].pk])
    assert getattr(client, method)(url, data or {}).status_code == 302  # logged out
    client.force_login(cast[role])
    response = getattr(client, method)(url, data or {})
    expected = 404 if role not in IN_SCOPE else ok if role in allowed else 403
    assert response.status_code == expected
    if expected != 404:
        assert AccessEvent.objects.filter(user=cast[role], pupil=world["item"].pupil, path=url).exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "url,allowed", [("/meetings/", ROLES), ("/meetings/new/", RUNS), ("/meetings/actions/", ROLES)]
)
def test_it_guards_the_pages_that_are_not_about_one_meeting(client, cast, world, role, url, allowed):
    assert client.get(url).status_code == 302
    client.force_login(cast[role])
    assert client.get(url).status_code == (200 if role in allowed else 403)


def test_a_tac_meeting_is_seen_by_its_team_and_hidden_from_everyone_else(client, tac, other_staff, outsider, dsl):
    # Not invited and the pupil outside their scope: the meeting does not exist for them.
    client.force_login(other_staff)
    assert client.get(reverse("meetings:detail", args=[tac.pk])).status_code == 404
    # Invited, the pupil still outside their usual scope: they are the team around the child for this meeting.
    services.invitee_add(meeting=tac, by=dsl, user=other_staff)
    assert client.get(reverse("meetings:detail", args=[tac.pk])).status_code == 200
    client.force_login(outsider)
    assert client.get(reverse("meetings:detail", args=[tac.pk])).status_code == 404
