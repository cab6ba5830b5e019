"""The two-factor pages in a real browser: allauth's scripts load from our static files under the CSP."""

import pytest

from conftest import PASSWORD


@pytest.mark.browser
def test_the_second_factor_pages_run_under_the_csp(live_server, page, staff):
    errors: list[str] = []
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/account/2fa/totp/activate/")
    assert page.locator("img[src^='data:image/svg+xml']").count() == 1  # the QR code
    page.goto(f"{live_server.url}/account/2fa/webauthn/add/")
    assert page.evaluate("typeof window.allauth") == "object"  # webauthn.js ran
    assert errors == []


@pytest.mark.browser
def test_the_pupil_picker_and_list_search_post_and_keep_names_out_of_every_address(live_server, page, staff, pupil):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/pupils/concerns/new/")
    with page.expect_response(lambda response: "/pupil-search/" in response.url) as picked:
        page.get_by_label("Find the pupil").fill(pupil.last_name[:4])
    assert picked.value.status == 200 and picked.value.request.method == "POST"  # CSRF header from the page
    assert page.get_by_label(pupil.full_name).count() == 1

    page.goto(f"{live_server.url}/pupils/")
    page.get_by_label("Name or UPN").fill(pupil.last_name)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name=f"{pupil.last_name}, {pupil.first_name}").count() == 1
    page.go_back()  # Back returns to the list without asking to re-send a form
    assert page.url.startswith(f"{live_server.url}/pupils/")
    leaked = [url for url in requested if pupil.last_name.lower() in url.lower()]
    assert leaked == []
