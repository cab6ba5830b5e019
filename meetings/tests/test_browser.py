"""Running a meeting in a real browser: the keyboard moves through the agenda, htmx records without a reload."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_pupil
from meetings import services
from meetings.models import Discussion
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
