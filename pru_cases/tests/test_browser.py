"""The signed-in journey in a real browser: our own static files load under the CSP, with no console errors."""

import pytest

from conftest import PASSWORD


@pytest.mark.browser
def test_it_signs_in_finds_a_pupil_and_opens_the_record(live_server, page, staff, pupil):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/pupils/")
    assert "/account/login/" in page.url
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/pupils/")

    page.get_by_label("Find a pupil").fill(pupil.last_name)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert pupil.last_name not in page.url  # the search is POSTed, never put in the address
    page.get_by_role("link", name=f"{pupil.last_name}, {pupil.first_name}").click()
    page.wait_for_url(f"{live_server.url}/pupils/{pupil.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(pupil.full_name)
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"
    assert errors == []
