"""A family worker's journey in a real browser: record a home visit, then take a reintegration plan from the
shortlist to an allocated school."""

import datetime

import pytest
from django.utils import timezone

from conftest import PASSWORD
from families.models import HomeVisit, ReintegrationPlan


@pytest.mark.browser
def test_it_records_a_home_visit_and_allocates_a_school(
    live_server, page, family_worker, leader, pupil, household, shortlist_plan, schools
):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    today = timezone.localdate()

    page.goto(f"{live_server.url}/families/{household.pk}/")
    page.get_by_label("Username").fill(family_worker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/families/{household.pk}/")

    page.get_by_text("Record a home visit").click()
    page.locator("#id_visit-visited_on").fill(today.isoformat())
    page.locator("#id_visit-purpose").fill("Attendance concern")
    page.locator("#id_visit-outcome").select_option("seen")
    page.locator("#id_visit-findings").fill("Mum at home; heating fixed; agreed a morning routine.")
    page.locator("#id_visit-follow_ups").fill("Phone mum on Friday.")
    page.get_by_role("button", name="Save visit").click()
    page.wait_for_url(f"{live_server.url}/families/{household.pk}/")
    assert page.get_by_role("status").filter(has_text="Home visit recorded.").is_visible()
    assert "agreed a morning routine" in page.locator("#home-visits").inner_text()
    assert HomeVisit.objects.get().lead == family_worker

    page.goto(f"{live_server.url}/families/pupil/{pupil.pk}/reintegration/")
    assert page.locator("#plan-status").inner_text() == "Shortlist and visits"
    first, second = shortlist_plan.shortlist.order_by("pk")
    page.get_by_label(f"Rank for {second.school.name}").fill("1")
    page.get_by_label(f"Rank for {first.school.name}").fill("2")
    page.locator("#id_send-sent_to").select_option(str(leader.pk))
    page.get_by_role("button", name="Send preference").click()
    page.wait_for_url(f"{live_server.url}/families/pupil/{pupil.pk}/reintegration/")
    assert page.locator("#plan-status").inner_text() == "Preference with senior staff"

    start = today + datetime.timedelta(days=14)
    page.locator("#id_allocate-school").select_option(str(second.school_id))
    page.locator("#id_allocate-start_date").fill(start.isoformat())
    page.locator("#id_allocate-phased_timetable").fill("Weeks 1-2: mornings with a mentor. Week 3 on: full time.")
    page.get_by_role("button", name="Record allocation").click()
    page.wait_for_url(f"{live_server.url}/families/pupil/{pupil.pk}/reintegration/")
    assert page.locator("#plan-status").inner_text() == "School allocated"
    assert second.school.name in page.locator("#allocated-school").inner_text()
    assert page.get_by_text("12 weeks", exact=True).is_visible()

    shortlist_plan.refresh_from_db()
    assert shortlist_plan.status == ReintegrationPlan.Status.ALLOCATED
    assert shortlist_plan.allocated_school == second.school
    assert errors == []
