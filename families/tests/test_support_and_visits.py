import datetime

from families.models import HomeVisit, SupportAction


def _add_action(client, household, **extra):
    data = {
        "support-kind": "welfare_fund",
        "support-detail": "Beds for two children",
        "support-outside_agency": "Welfare fund",
    }
    return client.post(f"/families/{household.pk}/support/", data | extra)


def test_it_adds_a_support_action_owned_by_the_family_worker(client, family_worker, household):
    client.force_login(family_worker)
    assert _add_action(client, household).status_code == 302
    action = SupportAction.objects.get()
    assert action.owner == family_worker and action.status == SupportAction.Status.OPEN
    assert action.events.filter(pgh_label="insert").exists()


def test_it_needs_an_outcome_to_close_an_action(client, family_worker, household, today):
    client.force_login(family_worker)
    _add_action(client, household)
    action = SupportAction.objects.get()
    url = f"/families/{household.pk}/support/{action.pk}/"
    refused = client.post(url, {"status": "done", "outcome": "", "version": action.version})
    assert refused.status_code == 400
    assert "Say what came of it" in refused.content.decode()
    closed = client.post(url, {"status": "done", "outcome": "Two beds delivered.", "version": action.version})
    assert closed.status_code == 302
    action.refresh_from_db()
    assert (
        action.status == SupportAction.Status.DONE
        and action.closed_on == today
        and action.outcome == "Two beds delivered."
    )
    stale = client.post(url, {"status": "waiting", "outcome": "stale", "version": 1})
    assert stale.status_code == 409


def test_it_reopens_an_action_and_clears_the_closing_date(client, family_worker, household):
    client.force_login(family_worker)
    _add_action(client, household)
    action = SupportAction.objects.get()
    url = f"/families/{household.pk}/support/{action.pk}/"
    client.post(url, {"status": "not_pursued", "outcome": "Family declined.", "version": 1})
    assert (
        client.post(url, {"status": "open", "outcome": "Family changed their mind.", "version": 2}).status_code == 302
    )
    action.refresh_from_db()
    assert action.status == SupportAction.Status.OPEN and action.closed_on is None


def test_it_records_a_home_visit(client, family_worker, staff, household, today):
    client.force_login(family_worker)
    response = client.post(
        f"/families/{household.pk}/visits/",
        {
            "visit-visited_on": today.isoformat(),
            "visit-colleague": staff.pk,
            "visit-purpose": "Attendance concern",
            "visit-outcome": "seen",
            "visit-findings": "Heating broken; food in.",
            "visit-follow_ups": "Call the landlord.",
        },
    )
    assert response.status_code == 302
    visit = HomeVisit.objects.get()
    assert visit.lead == family_worker and visit.colleague == staff and visit.findings == "Heating broken; food in."
    page = client.get(f"/families/{household.pk}/").content.decode()
    assert "Heating broken; food in." in page and "Call the landlord." in page


def test_it_refuses_a_visit_in_the_future_or_without_findings(client, family_worker, household, today):
    client.force_login(family_worker)
    url = f"/families/{household.pk}/visits/"
    future = client.post(
        url,
        {
            "visit-visited_on": (today + datetime.timedelta(days=2)).isoformat(),
            "visit-purpose": "TYPED-PURPOSE",
            "visit-outcome": "seen",
            "visit-findings": "Fine.",
        },
    )
    assert future.status_code == 400 and "TYPED-PURPOSE" in future.content.decode()
    no_findings = client.post(
        url, {"visit-visited_on": today.isoformat(), "visit-purpose": "Check in", "visit-outcome": "seen"}
    )
    assert no_findings.status_code == 400 and "Record what was found" in no_findings.content.decode()
    no_answer = client.post(
        url, {"visit-visited_on": today.isoformat(), "visit-purpose": "Check in", "visit-outcome": "no_answer"}
    )
    assert no_answer.status_code == 302
    assert HomeVisit.objects.get().outcome == HomeVisit.Outcome.NO_ANSWER


def test_it_lists_the_households_where_i_own_an_open_action(client, family_worker, dsl, household):
    client.force_login(family_worker)
    _add_action(client, household)
    assert client.get("/families/?mine=on").context["page"].paginator.count == 1
    client.force_login(dsl)
    assert client.get("/families/?mine=on").context["page"].paginator.count == 0
    assert client.get("/families/?open_actions=on").context["page"].paginator.count == 1
