"""In a real browser, by keyboard only: the right person hears at once.

A teacher logs a safeguarding concern and the DSL's bell and home page show it on the first page after signing in;
a referral declined by the MDT chair shows the reason in the referrer's notifications."""

import re

import pytest
from playwright.sync_api import Page, expect

from concerns.models import Concern
from conftest import PASSWORD
from referrals.models import Referral

SEEN = "Said an adult at home hit them last night; a red mark on the left cheek."


def _watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _press(page: Page, locator, key: str = "Enter") -> None:
    locator.focus()
    page.keyboard.press(key)


def _sign_in(page: Page, base: str, user) -> None:
    page.goto(f"{base}/account/login/")
    page.get_by_label("Username").focus()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def _sign_out(page: Page) -> None:
    _press(page, page.get_by_role("button", name="Sign out"))
    page.wait_for_url(re.compile(r"/account/login/"))


@pytest.mark.browser
def test_a_safeguarding_concern_reaches_the_dsls_bell_and_home_page_at_once(live_server, page, staff, dsl, pupil):
    errors = _watch_errors(page)
    base = live_server.url
    _sign_in(page, base, staff)
    page.goto(f"{base}/pupils/concerns/new/")
    expect(page.get_by_label("Find the pupil")).to_be_focused()  # the search box has the focus
    page.keyboard.type(pupil.first_name[:4].lower())
    choice = page.get_by_role("radio", name=pupil.full_name)
    expect(choice).to_be_visible(timeout=15_000)  # the search answers over the network; a busy machine is slow
    page.keyboard.press("Enter")  # Enter moves to the first choice
    expect(choice).to_be_focused()
    page.keyboard.press("Space")
    expect(choice).to_be_checked()
    _press(page, page.get_by_label("Safeguarding"), "Space")
    page.get_by_label("What was seen or heard").focus()
    page.keyboard.type(SEEN)
    _press(page, page.get_by_role("button", name="Log concern"))
    page.wait_for_url(f"{base}/pupils/{pupil.pk}/")
    concern = Concern.objects.get()
    assert (concern.category, concern.logged_by) == (Concern.Category.SAFEGUARDING, staff)
    _sign_out(page)

    _sign_in(page, base, dsl)  # the first page the DSL sees
    expect(page.locator("#nav-unread")).to_contain_text("1")
    queue = page.get_by_role("region", name=re.compile("Open safeguarding concerns"))
    expect(queue.get_by_role("link", name=pupil.full_name)).to_be_visible()

    _press(page, page.get_by_role("link", name=re.compile("^Notifications")))
    page.wait_for_url(f"{base}/account/notifications/")
    item = page.get_by_role("listitem").filter(has_text=pupil.full_name)
    expect(item).to_contain_text("safeguarding concern")
    _press(page, item.get_by_role("button", name="Open"))
    page.wait_for_url(re.compile(rf"/concerns/{concern.pk}/"))
    expect(page.get_by_text(SEEN)).to_be_visible()
    expect(page.locator("#nav-unread")).to_have_count(0)  # opening it marked it read
    assert errors == []


@pytest.mark.browser
def test_a_referral_declined_by_the_chair_tells_the_referrer_why(live_server, page, staff, leader, pupil):
    errors = _watch_errors(page)
    base = live_server.url
    referral = Referral.objects.create(
        pupil=pupil, specialism="careers", reasons="Wants to talk about college courses.", raised_by=staff
    )
    reason = "Careers guidance already booked for the whole of Year 11 next week."

    _sign_in(page, base, leader)
    page.goto(f"{base}/referrals/{referral.pk}/")
    _press(page, page.get_by_label("Declined", exact=True), "Space")
    page.get_by_label("Reason for declining").focus()
    page.keyboard.type(reason)
    with page.expect_navigation(url=f"{base}/referrals/{referral.pk}/"):
        _press(page, page.get_by_role("button", name="Record triage decision"))
    expect(page.get_by_text(reason)).to_be_visible()
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (Referral.Status.DECLINED, reason)
    _sign_out(page)

    _sign_in(page, base, staff)
    expect(page.locator("#nav-unread")).to_contain_text("1")
    _press(page, page.get_by_role("link", name=re.compile("^Notifications")))
    item = page.get_by_role("listitem").filter(has_text=pupil.full_name)
    expect(item).to_contain_text("was declined")
    expect(item).to_contain_text(reason)
    _press(page, item.get_by_role("button", name="Open"))
    page.wait_for_url(f"{base}/referrals/{referral.pk}/")
    assert errors == []
