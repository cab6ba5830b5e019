"""The main journeys, driven by the keyboard in a real browser, with axe-core run on every page and state they
pass through: log a concern, raise and triage a referral, run a meeting and get its PDF, record an SDQ, import
attendance. A serious or critical axe violation fails the test with the rule, impact and selectors."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from concerns.models import Concern
from conftest import PASSWORD, make_pupil
from meetings import services as meeting_services
from meetings.models import PdfJob
from meetings.tasks import pdf_job_render as pdf_job_render_task
from meetings.tests import conftest as meeting_fixtures
from meetings.tests.conftest import mark_present
from outcomes.models import AttendanceCode, AttendanceMark, SDQResponse
from pru_cases.tests.axe import assert_accessible
from referrals.models import Referral

# The meetings app's fixtures: its settings (no broker, files in a temporary folder), a weekly MDT and a case.
meetings_settings = meeting_fixtures.meetings_settings
today, mdt, item = meeting_fixtures.today, meeting_fixtures.mdt, meeting_fixtures.item

TAB_LIMIT = 150


def _focused(page, locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator) -> None:
    """Press Tab until the element has the focus: proves it is reachable by keyboard, in a sensible order."""
    locator.wait_for()
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if _focused(page, locator):
            return
    raise AssertionError(f"Tab never reached {locator}")


def choose_radio(page, radio) -> None:
    """Tab into the radio group, then move with the arrow keys until the wanted option is chosen."""
    name = radio.get_attribute("name")
    radio.wait_for()
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if page.evaluate("name => document.activeElement && document.activeElement.name === name", name):
            break
    else:
        raise AssertionError(f"Tab never reached the radio group {name}")
    for _ in range(20):
        if radio.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"The arrow keys never chose {radio}")


def choose_option(page, select, value: str) -> None:
    """Tab to a select and move through its options with the arrow keys."""
    tab_to(page, select)
    for _ in range(40):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"The arrow keys never chose {value!r} in {select}")


def sign_in(page, base: str, user, next_path: str = "/") -> None:
    page.goto(f"{base}/account/login/?next={next_path}")
    assert_accessible(page, "the sign-in page")
    page.get_by_label("Username").focus()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{next_path}")


def sign_out(page) -> None:
    tab_to(page, page.get_by_role("button", name="Sign out"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/login/**")


@pytest.fixture
def console_errors(page):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _status_codes_ok(errors: list[str]) -> list[str]:
    # A form sent with invalid input answers 400 on purpose; the browser logs that as a failed resource.
    return [error for error in errors if "status of 400" not in error]


@pytest.mark.browser
def test_log_a_concern_raise_a_referral_and_triage_it(live_server, page, staff, dsl, pupil, console_errors):
    base = live_server.url
    sign_in(page, base, staff)
    assert_accessible(page, "the home page")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    tab_to(page, page.get_by_role("link", name="Log a concern").first)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/pupils/concerns/new/")
    assert_accessible(page, "the concern form")

    # Sent with no pupil chosen: the errors are shown, accessibly, and what was typed is kept.
    search = page.get_by_label("Find the pupil")
    expect(search).to_be_focused()
    tab_to(page, page.get_by_role("button", name="Log concern"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Choose the pupil: type part of their name")).to_be_visible()
    assert_accessible(page, "the concern form with errors")

    search = page.get_by_label("Find the pupil")
    search.focus()
    page.keyboard.type("jord")
    choice = page.get_by_role("radio", name=pupil.full_name)
    expect(choice).to_be_visible()  # the picker's results arrive over htmx
    expect(page.locator("#pupil-choices")).to_contain_text("1 matching pupil")
    assert_accessible(page, "the concern form after the pupil search")
    page.keyboard.press("Enter")  # moves to the first choice instead of sending the form
    expect(choice).to_be_focused()
    page.keyboard.press("Space")
    expect(choice).to_be_checked()
    choose_radio(page, page.get_by_label("Poverty / stress"))
    tab_to(page, page.get_by_label("What was seen or heard"))
    page.keyboard.type("Said there was no food at home last night.")
    tab_to(page, page.get_by_role("button", name="Log concern"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/pupils/{pupil.pk}/")
    assert Concern.objects.get().category == "poverty"
    assert_accessible(page, "the pupil's record")

    tab_to(page, page.get_by_role("link", name="Raise a referral"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/referrals/new/{pupil.pk}/")
    assert_accessible(page, "the referral form")
    choose_option(page, page.get_by_label("Specialism requested"), "early_help")
    tab_to(page, page.get_by_label("Reasons"))
    page.keyboard.type("Family under financial pressure.")
    choose_option(page, page.get_by_label("Consent (pupil / parent or carer)"), "parent")
    tab_to(page, page.get_by_role("button", name="Raise referral"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/referrals/*/")
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.SUBMITTED
    assert_accessible(page, "the new referral")
    sign_out(page)

    sign_in(page, base, dsl, "/referrals/triage/")
    assert_accessible(page, "the triage queue")
    tab_to(page, page.get_by_role("link", name=referral.raised_at.strftime("%-d %b %Y")))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/referrals/{referral.pk}/")
    assert_accessible(page, "the referral to triage")
    choose_radio(page, page.get_by_label("Signposted to the universal offer"))
    tab_to(page, page.get_by_role("textbox", name="Universal offer"))
    page.keyboard.type("Breakfast club")
    tab_to(page, page.get_by_role("button", name="Record triage decision"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1).locator("..")).to_contain_text("Signposted to the universal offer")
    assert_accessible(page, "the triaged referral")
    referral.refresh_from_db()
    assert (referral.status, referral.signpost_offer, referral.triaged_by) == ("signposted", "Breakfast club", dsl)
    assert _status_codes_ok(console_errors) == []


@pytest.mark.browser
def test_run_a_meeting_close_it_and_download_the_minutes(
    live_server,
    page,
    leader,
    staff,
    mdt,
    item,
    site,
    console_errors,
):
    second = meeting_services.agenda_add_pupil(
        meeting=mdt, by=leader, pupil=make_pupil(site, first_name="Alex", last_name="Second")
    )
    mark_present(mdt, leader, staff)
    base = live_server.url
    sign_in(page, base, leader, f"/meetings/{mdt.pk}/")
    assert_accessible(page, "the meeting's page")

    tab_to(page, page.get_by_role("link", name="Open the meeting screen"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/meetings/{mdt.pk}/screen/")
    case_title = page.locator("#case h2")
    expect(case_title).to_have_text("Jordan Example")
    assert_accessible(page, "the meeting screen")

    page.keyboard.press("j")
    expect(case_title).to_have_text("Alex Second")
    expect(page.locator("#case-status")).to_have_text("Showing Alex Second.")
    assert_accessible(page, "the meeting screen after moving to the next case")

    # An empty decision is refused: the case comes back with the error and the focus on the field to fix.
    tab_to(page, page.get_by_role("button", name="Record decision"))
    page.keyboard.press("Enter")
    decision = page.locator("#case").get_by_label("What was decided")
    expect(decision).to_be_focused()
    assert_accessible(page, "the meeting screen with a refused decision")

    tab_to(page, page.get_by_label("What was discussed"))
    page.keyboard.type("Settling in well; mentor agreed.")
    tab_to(page, page.get_by_role("button", name="Record discussion"))
    page.keyboard.press("Enter")
    expect(page.locator(f"#minutes-{second.pk}")).to_contain_text("Settling in well; mentor agreed.")
    expect(case_title).to_be_focused()  # not lost to the top of the page when the case was swapped
    assert_accessible(page, "the meeting screen after recording")
    page.keyboard.press("k")
    expect(case_title).to_have_text("Jordan Example")

    tab_to(page, page.get_by_role("link", name="Agenda and attendance"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/meetings/{mdt.pk}/")
    tab_to(page, page.get_by_role("link", name="Close the meeting…"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/meetings/{mdt.pk}/close/")
    assert_accessible(page, "closing the meeting: what was not reached")
    tab_to(page, page.get_by_label("Summary for the minutes"))
    page.keyboard.type("Two cases discussed.")
    tab_to(page, page.get_by_role("button", name="Close and finalise the minutes"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("these minutes are final")).to_be_visible()
    job = PdfJob.objects.get(meeting=mdt)
    line = page.locator(f"#pdf-job-{job.pk}")
    expect(line).to_contain_text("Queued")
    expect(line.get_by_role("progressbar")).to_have_attribute("aria-valuetext", "Queued")
    expect(page.get_by_role("list", name="Documents")).to_have_attribute("aria-live", "polite")
    assert_accessible(page, "the closed meeting with its PDF queued")

    pdf_job_render_task(job.pk)  # what the worker does; the page finds out by polling
    download = line.get_by_role("link", name="Download PDF")
    expect(download).to_be_visible(timeout=10_000)
    expect(line.get_by_role("progressbar")).to_have_count(0)
    assert_accessible(page, "the closed meeting with its PDF ready")
    tab_to(page, download)
    with page.expect_download() as pending:
        page.keyboard.press("Enter")
    assert pending.value.suggested_filename.endswith("-minutes.pdf")
    assert _status_codes_ok(console_errors) == []


SDQ_ANSWERS = {number: (number * 7) % 3 for number in range(1, 26)}


@pytest.mark.browser
def test_record_an_sdq_by_item_number(live_server, page, staff, pupil, console_errors):
    base = live_server.url
    sign_in(page, base, staff, f"/pupils/{pupil.pk}/outcomes/")
    assert_accessible(page, "the outcomes page")
    tab_to(page, page.get_by_role("link", name="Enter an SDQ"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/pupils/{pupil.pk}/outcomes/sdq/new/")
    assert_accessible(page, "the SDQ form")

    tab_to(page, page.get_by_role("button", name="Score and save"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Tick the box for each item")
    assert_accessible(page, "the SDQ form with errors")

    # Item by item: Tab into the item, then the right arrow once per box from "blank" (0, 1 or 2 → 1-3 presses).
    choose_radio(page, page.locator("#id_item_1_0"))
    for item_number, answer in SDQ_ANSWERS.items():
        for _ in range(answer + 1):
            page.keyboard.press("ArrowRight")
        expect(page.locator(f"#id_item_{item_number}_{answer + 1}")).to_be_checked()
        page.keyboard.press("Tab")
    tab_to(page, page.get_by_role("button", name="Score and save"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/pupils/{pupil.pk}/outcomes/")
    expect(page.get_by_role("status").filter(has_text="SDQ recorded")).to_be_visible()
    assert_accessible(page, "the outcomes page with the SDQ")
    response = SDQResponse.objects.get(pupil=pupil)
    assert {int(number): box for number, box in response.answers.items()} == SDQ_ANSWERS
    assert _status_codes_ok(console_errors) == []


UPN = "A123456789012"


@pytest.mark.browser
def test_import_attendance_shows_progress_then_the_result(live_server, page, leader, pupil, console_errors):
    if not AttendanceCode.objects.exists():  # a flush by an earlier live-server test removes the seeded codes
        # The codes' migration asks for the model by the label it had then (pupils.AttendanceCode).
        seed = importlib.import_module("pupils.migrations.0004_attendance_codes").seed_codes
        seed(SimpleNamespace(get_model=lambda *label: AttendanceCode), None)
    pupil.upn = UPN
    pupil.save(update_fields=["upn"])
    monday = datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday() + 7)
    good = "upn,date,session,mark\n" + "".join(
        f"{UPN},{monday + datetime.timedelta(days=day)},{session},/\n" for day in range(5) for session in ("AM", "PM")
    )
    base = live_server.url
    url = reverse("outcomes:attendance_import")
    sign_in(page, base, leader, url)
    assert_accessible(page, "the import page")

    def send(name: str, text: str, hold: list | None = None) -> None:
        # The file input is reached by Tab; the file itself is handed over directly, because headless Chromium does
        # not reliably open its own file dialog from a key press (the dialog is the browser's, not the page's).
        file_input = page.get_by_label("CSV file")
        tab_to(page, file_input)
        file_input.set_input_files({"name": name, "mimeType": "text/csv", "buffer": text.encode()})
        tab_to(page, page.get_by_role("button", name="Check and import"))
        page.keyboard.press("Enter")

    # A bad file: nothing imported, the report takes the focus so it is read first.
    send("register.csv", good.replace(",/\n", ",?\n", 1))
    report = page.locator("#import-report")
    expect(report).to_be_focused()
    expect(report).to_contain_text("Nothing was imported")
    assert_accessible(page, "the import page with rejected rows")

    # A good file. The page's own submit handler runs first; a later one stops the browser from sending the form,
    # so the "importing" state stays on screen to be checked; then the form is sent for real.
    page.evaluate("document.addEventListener('submit', (event) => event.preventDefault(), {once: true})")
    send("register.csv", good)
    form = page.locator("form[data-busy-message]")
    expect(form).to_have_attribute("aria-busy", "true")
    expect(form.get_by_role("status")).to_contain_text("Importing: checking every row")
    expect(page.get_by_role("button", name="Check and import")).to_be_disabled()
    assert_accessible(page, "the import page while importing")
    assert AttendanceMark.objects.count() == 0
    form.evaluate("form => form.submit()")
    expect(page.get_by_role("status").filter(has_text="Imported 10 marks for 1 pupils")).to_be_visible()
    assert_accessible(page, "the import page with the result")
    assert AttendanceMark.objects.count() == 10
    assert _status_codes_ok(console_errors) == []
