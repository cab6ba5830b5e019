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
