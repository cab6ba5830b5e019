"""In a real browser: log a concern, raise a referral from the pupil page, and triage it as the DSL."""

import pytest

from concerns.models import Concern
from conftest import PASSWORD
from referrals.models import Referral


def _sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/account/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
def test_it_logs_a_concern_raises_a_referral_and_triages_it(live_server, page, staff, dsl, pupil):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = live_server.url

    _sign_in(page, base, staff)
    page.get_by_role("link", name="Log a concern").first.click()
    page.wait_for_url(f"{base}/pupils/concerns/new/")
    page.get_by_label("Find the pupil").fill("jord")
    page.get_by_role("radio", name=pupil.full_name).check()  # the picker's results arrive over htmx
    page.get_by_label("Poverty / stress").check()
    page.get_by_label("What was seen or heard").fill("Said there was no food at home last night.")
    page.get_by_role("button", name="Log concern").click()
    page.wait_for_url(f"{base}/pupils/{pupil.pk}/")
    assert Concern.objects.get().category == "poverty"

    page.get_by_role("link", name="Raise a referral").click()
    page.get_by_label("Specialism requested").select_option("early_help")
    page.get_by_label("Reasons").fill("Family under financial pressure.")
    page.get_by_label("Consent (pupil / parent or carer)").select_option("parent")
    page.get_by_role("button", name="Raise referral").click()
    page.wait_for_url(f"{base}/referrals/*/")
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.SUBMITTED

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, base, dsl)
    page.goto(f"{base}/referrals/triage/")
    page.get_by_role("link", name=referral.raised_at.strftime("%-d %b %Y")).click()
    page.get_by_label("Signposted to the universal offer").check()
    page.get_by_role("textbox", name="Universal offer").fill("Breakfast club")
    page.get_by_role("button", name="Record triage decision").click()
    page.wait_for_url(f"{base}/referrals/{referral.pk}/")
    assert "Signposted to the universal offer" in page.get_by_role("heading", level=1).locator("..").inner_text()
    referral.refresh_from_db()
    assert (referral.status, referral.signpost_offer, referral.triaged_by) == ("signposted", "Breakfast club", dsl)
    assert errors == []
