"""Running a meeting in a real browser: the keyboard moves through the agenda, htmx records without a reload."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD, make_pupil
from meetings import services
from meetings.models import AgendaItem, Discussion
from meetings.tests.conftest import mark_present


@pytest.mark.browser
def test_it_runs_a_meeting_through_three_cases_by_keyboard(live_server, page, leader, staff, mdt, item, site):
    second = services.agenda_add_pupil(
        meeting=mdt, by=leader, pupil=make_pupil(site, first_name="Alex", last_name="Second")
    )
    third = services.agenda_add_pupil(
        meeting=mdt, by=leader, pupil=make_pupil(site, first_name="Blake", last_name="Third")
    )
    mark_present(mdt, leader, staff)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server.url}/meetings/{mdt.pk}/screen/")
    page.get_by_label("Username").fill(leader.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/meetings/{mdt.pk}/screen/")
    case_title = page.locator("#case h2").first
    expect(case_title).to_have_text("Jordan Example")

    page.keyboard.press("j")
    expect(case_title).to_have_text("Alex Second")
    page.get_by_label("What was discussed").fill("Settling in well; mentor agreed.")
    page.get_by_role("button", name="Record discussion").click()
    expect(page.locator(f"#minutes-{second.pk}")).to_contain_text("Settling in well; mentor agreed.")
    page.locator("body").click(position={"x": 5, "y": 5})

    page.keyboard.press("ArrowDown")
    expect(case_title).to_have_text("Blake Third")
    expect(page.locator('#agenda [aria-current="true"]')).to_contain_text("Blake Third")
    page.keyboard.press("k")
    expect(case_title).to_have_text("Alex Second")
    expect(page.locator(f"#minutes-{second.pk}")).to_contain_text("Settling in well")
    assert page.url.endswith(f"?item={second.pk}")

    assert Discussion.objects.get().item_id == second.pk
    assert third.discussions.count() == 0
    assert errors == []


@pytest.mark.browser
def test_the_whole_team_runs_an_mdt_and_closes_it_with_carry_over(
    live_server, page, dsl, leader, specialist, health_specialist, outsider, mdt, item, site, yjs_agency, health_agency
):
    """Three specialists in the room, two of whom work with none of the pupils: under the MDT sharing basis every
    case is shown to them; three cases are recorded by keyboard, the fourth is carried over when the meeting closes."""

    services.sharing_basis_save(
        by=dsl,
        site=None,
        agreement="MDT partnership agreement 2026",
        agreed_on=timezone.localdate() - datetime.timedelta(days=10),
        lawful_basis="Public task; substantial public interest (safeguarding).",
        agencies=[yjs_agency, health_agency],
    )
    services.invitee_add(meeting=mdt, by=leader, user=outsider)
    others = [
        services.agenda_add_pupil(meeting=mdt, by=leader, pupil=make_pupil(site, first_name=first, last_name=last))
        for first, last in (("Alex", "Second"), ("Blake", "Third"), ("Corin", "Fourth"))
    ]
    mark_present(mdt, leader, specialist, health_specialist, outsider)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server.url}/meetings/{mdt.pk}/screen/")
    page.get_by_label("Username").fill(leader.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/meetings/{mdt.pk}/screen/")
    case_title = page.locator("#case h2").first
    for number, expected in enumerate(("Jordan Example", "Alex Second", "Blake Third")):
        if number:
            page.locator("body").click(position={"x": 5, "y": 5})
            page.keyboard.press("j")
        expect(case_title).to_have_text(expected)
        page.get_by_label("What was discussed").fill(f"Discussed {expected}.")
        page.get_by_role("button", name="Record discussion").click()
        expect(page.locator("#case")).to_contain_text(f"Discussed {expected}.")
    expect(page.locator("#agenda")).not_to_contain_text("Held back")

    page.get_by_role("link", name="Agenda and attendance").click()
    page.get_by_role("link", name="Close the meeting…").click()
    expect(page.get_by_role("heading", name="Not reached (1)")).to_be_visible()
    expect(page.get_by_label("Carry the cases not reached over to the next meeting")).to_be_checked()
    page.get_by_role("button", name="Close and finalise the minutes").click()
    expect(page.locator("body")).to_contain_text("1 case carried over")

    assert Discussion.objects.count() == 3
    assert AgendaItem.objects.get(pk=others[2].pk).status == AgendaItem.Status.CARRIED_OVER
    assert errors == []
