"""Home pages by role: what needs each person now, each line linking to its record, nothing outside their scope."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern
from concerns.services import concern_log
from conftest import make_pupil
from meetings import services as meetings
from meetings.models import Action, Meeting
from pru_cases.tests.cast import CAST
from pupils.models import Pupil
from pupils.selectors import pupils_visible_to
from referrals import services as referrals


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_dsl_sees_open_safeguarding_concerns_with_their_age_and_the_pattern(client, dsl, staff, pupil, settings):
    settings.CONCERN_PATTERN_COUNT = 3
    old = concern_log(pupil=pupil, by=staff, category="safeguarding", seen="Disclosure.")
    Concern.objects.filter(pk=old.pk).update(logged_at=timezone.now() - datetime.timedelta(hours=30))
    concern_log(pupil=pupil, by=staff, category="wellbeing", seen="Tearful.")
    concern_log(pupil=pupil, by=staff, category="wellbeing", seen="Withdrawn.")
    page = _home(client, dsl)
    assert "Open safeguarding concerns" in page and "over 24 hours" in page
    assert reverse("concerns:review", args=[old.pk]) in page
    assert "At the pattern of concerns" in page and f'href="/pupils/{pupil.pk}/"' in page
    assert "none is allocated to you" in page  # not the staff wording


def test_the_pattern_lists_the_most_concerns_first_and_skips_archived_pupils(rf, dsl, staff, site, settings):
    """Ranked from the concerns alone: most concerns first, the latest concern first among equals; archived pupils
    are left out and the list still fills, looking further down the ranking."""
    from concerns.home import SHOWN, at_the_pattern

    settings.CONCERN_PATTERN_COUNT = 2
    now = timezone.now()
    pupils = []
    for number in range(SHOWN + 4):
        pupil = make_pupil(site, first_name=f"Pupil{number:02d}", last_name="Pattern")
        # Pupils 0-3 have four concerns, the rest two; within each group a higher number had its last concern later.
        for hours in range(4 if number < 4 else 2):
            Concern.objects.create(
                pupil=pupil,
                category=Concern.Category.BEHAVIOUR,
                seen="Seen.",
                logged_by=staff,
                occurred_at=now - datetime.timedelta(hours=100 - number + hours),
            )
        pupils.append(pupil)
    Concern.objects.create(
        pupil=make_pupil(site, last_name="Once"), category="behaviour", seen="Seen.", logged_by=staff, occurred_at=now
    )
    Concern.objects.filter(pupil=pupils[1]).update(status=Concern.Status.WITHDRAWN, reviewed_at=now)
    for archived in (pupils[3], pupils[13]):
        Pupil.objects.filter(pk=archived.pk).update(status=Pupil.Status.ARCHIVED)
    request = rf.get("/")
    request.user = dsl
    shown = at_the_pattern(request)["pupils"]
    expected = [pupils[2], pupils[0]] + [pupils[number] for number in (12, 11, 10, 9, 8, 7, 6, 5)]
    assert [pupil.pk for pupil in shown] == [pupil.pk for pupil in expected]
    assert [pupil.recent for pupil in shown] == [4, 4] + [2] * 8


def test_the_chair_sees_urgent_referrals_and_the_next_mdt(client, leader, staff, pupil):
    referral = referrals.referral_create(
        pupil=pupil, by=staff, specialism="youth_justice", reasons="Arrested at the weekend.", urgency="urgent"
    )
    meeting = meetings.meeting_create(
        by=leader, kind=Meeting.Kind.MDT, title="Thursday MDT", held_on=timezone.localdate(), chair=leader
    )
    page = _home(client, leader)
    assert reverse("referrals:detail", args=[referral.pk]) in page
    assert reverse("meetings:detail", args=[meeting.pk]) in page
    when = meeting.held_on
    assert f"Thursday MDT</a>, {when:%A} {when.day} {when:%B} at {meeting.starts_at:%H:%M}" in page
    assert "This year's figures" in page
    assert "Open safeguarding concerns" not in page  # the DSL's work, not the leader's


def test_staff_see_their_actions_due_and_no_triage(client, leader, staff, pupil):
    meeting = meetings.meeting_create(
        by=leader, kind=Meeting.Kind.MDT, title="MDT", held_on=timezone.localdate(), chair=leader
    )
    item = meetings.agenda_add_pupil(meeting=meeting, by=leader, pupil=pupil)
    action = meetings.action_add(
        item=item,
        by=leader,
        description="Ring home about the trip",
        owner_kind=Action.Owner.STAFF,
        owner_user=staff,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
        success_criteria="Rung",
    )
    page = _home(client, staff)
    assert reverse("meetings:action", args=[action.pk]) in page and "Your actions due" in page
    due = action.due_on
    assert (
        f'Ring home about the trip</a> <span class="small text-muted">{pupil.full_name}, by {due.day} {due:%b}' in page
    )
    assert "Referrals waiting" not in page and "Open safeguarding concerns" not in page


def test_a_specialist_sees_their_caseload(client, specialist, pupil):
    assert "Your caseload" in _home(client, specialist)


@pytest.mark.parametrize("role", CAST)
def test_no_home_page_names_a_pupil_outside_its_readers_scope(request, client, role, dsl, staff, pupil, other_site):
    hidden = make_pupil(other_site, first_name="Quill", last_name="Farawaysend")
    concern_log(pupil=hidden, by=dsl, category="safeguarding", seen="Seen.")
    referrals.referral_create(
        pupil=hidden, by=dsl, specialism="youth_justice", reasons="Urgent worry.", urgency="urgent"
    )
    user = request.getfixturevalue(role)
    page = _home(client, user)
    if not pupils_visible_to(user).filter(pk=hidden.pk).exists():
        assert "Farawaysend" not in page
    elif role == "dsl":
        assert "Farawaysend" in page  # not vacuous: the DSL is shown the concern and the urgent referral


def _count_queries(client) -> int:
    client.get("/")  # the session and the user are loaded; count a steady view
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["dsl", "leader", "staff", "specialist"])
def test_each_home_page_asks_the_same_number_of_questions_however_much_there_is(
    request, client, role, dsl, leader, staff, pupil, site
):
    client.force_login(request.getfixturevalue(role))
    meeting = meetings.meeting_create(
        by=leader, kind=Meeting.Kind.MDT, title="MDT", held_on=timezone.localdate(), chair=leader
    )
    item = meetings.agenda_add_pupil(meeting=meeting, by=leader, pupil=pupil)

    def add(n: int) -> None:
        other = make_pupil(site, first_name=f"P{n}", last_name="Many")
        concern_log(pupil=other, by=staff, category="safeguarding", seen="Seen.")
        referrals.referral_create(pupil=other, by=staff, specialism="youth_justice", reasons="x", urgency="urgent")
        meetings.action_add(
            item=item,
            by=leader,
            description=f"Action {n}",
            owner_kind=Action.Owner.STAFF,
            owner_user=staff,
            due_on=timezone.localdate() + datetime.timedelta(days=2),
            success_criteria="Done",
        )

    add(0)
    few = _count_queries(client)
    for n in range(1, 16):
        add(n)
    assert _count_queries(client) == few
    assert few <= 17


def test_the_home_page_lists_the_first_pupils_by_name_and_leads_to_the_rest(client, staff, site):
    from pupils.views import MY_PUPILS_SHOWN

    keyworked = [
        make_pupil(site, first_name="Kay", last_name=f"Pupil{number:02d}", key_worker=staff)
        for number in range(MY_PUPILS_SHOWN + 1)
    ]
    page = _home(client, staff)
    shown = [pupil for pupil in keyworked if f'href="/pupils/{pupil.pk}/"' in page]
    assert shown == keyworked[:MY_PUPILS_SHOWN]  # the first by name; the last is left to the list
    assert f"{reverse('pupils:list')}?mine=on" in page and "See all the pupils you work with" in page
    listed = client.get(reverse("pupils:list"), {"mine": "on"})
    assert {pupil.pk for pupil in listed.context["page"]} == {pupil.pk for pupil in keyworked[:25]}
    assert listed.context["page"].paginator.count == len(keyworked)

    Pupil.objects.filter(pk=keyworked[-1].pk).update(key_worker=None)  # as many as it shows: no pointer to more
    assert "See all the pupils you work with" not in _home(client, staff)
