"""No pupil data in URLs: names, UPNs and dates of birth travel in POST bodies, never in links or redirects.

URLs end up in browser history, proxy and server logs and Referer headers, where the access policy
cannot follow them. Search boxes that may hold a child's name POST (pru_cases/lib/private_search.py).
"""

import re

import pytest
from django.test import Client

from pru_cases.tests.world import LAST_NAME, PUPIL_DATA, UPN, build_world, seeded_urls, unfilled_routes

URL_ATTRIBUTES = re.compile(
    r'\b(?:href|src|action|hx-get|hx-post|hx-put|hx-patch|hx-delete|formaction)\s*=\s*"([^"]*)"'
)
ROLES = ("dsl", "leader", "staff", "specialist", "health_specialist", "family_worker")
# The list pages whose search box may hold a child's name, and what each finds the seeded pupil by.
SEARCH_PAGES = (
    "/pupils/",
    "/pupils/concerns/",
    "/referrals/",
    "/referrals/triage/",
    "/referrals/caseload/",
    "/referrals/information-requests/",
)


@pytest.fixture
def world(pupil, dsl, leader, staff, specialist, health_specialist, family_worker):
    return build_world(
        pupil=pupil,
        dsl=dsl,
        leader=leader,
        staff=staff,
        specialist=specialist,
        health_specialist=health_specialist,
        family_worker=family_worker,
        pdfs=False,
    )


def _leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [value for value in PUPIL_DATA if value.lower() in lowered]


def _urls_in(html: str) -> list[str]:
    return URL_ATTRIBUTES.findall(html)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_puts_pupil_data_in_a_url(client, request, world, role):
    client.force_login(request.getfixturevalue(role))
    client.raise_request_exception = False
    for url in (*SEARCH_PAGES, "/families/"):  # lists render with a search in force, as they do in use
        client.post(url, {"q": LAST_NAME})
    rendered = 0
    for url in seeded_urls(world):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert not _leaks(response.get("Location", "")), (url, response["Location"])
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            rendered += 1
            html = response.content.decode()
            leaked = [(link, _leaks(link)) for link in _urls_in(html) if _leaks(link)]
            assert not leaked, (url, leaked)
    assert rendered > 20  # the walk reached the pages, so the check above means something


def test_the_walk_fills_every_route_but_a_known_few(world):
    """A new route with an argument the world cannot fill fails here: give world.py a record of that kind."""
    # A notification is opened by its recipient and redirects to the record's own (id-only) page.
    assert set(unfilled_routes(world)) <= {"account/notifications/<int:pk>/open/"}
    assert len(seeded_urls(world)) > 100


def test_the_seeded_pupil_is_on_the_pages_so_the_check_is_not_vacuous(client, dsl, world):
    client.force_login(dsl)
    body = client.get(f"/pupils/{world.ids['pupil']}/").content.decode()
    assert LAST_NAME in body and UPN in body


@pytest.mark.parametrize("url", SEARCH_PAGES)
def test_a_search_is_posted_kept_in_the_session_and_shown_at_a_clean_url(client, dsl, world, url):
    client.force_login(dsl)
    response = client.post(url, {"q": LAST_NAME})
    assert response.status_code == 303  # See Other: Back returns to the list, never re-posts
    assert not _leaks(response["Location"])
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{LAST_NAME}"' in html  # the box still shows what was typed
    assert not [link for link in _urls_in(html) if _leaks(link)]
    assert '<form method="post"' in html


def test_the_search_filters_and_the_other_filters_stay_in_the_url(client, dsl, world, other_pupil):
    client.force_login(dsl)
    response = client.post("/pupils/", {"q": LAST_NAME, "year_group": "9", "csrfmiddlewaretoken": "x", "page": "3"})
    assert response["Location"] == "/pupils/?year_group=9"
    page = client.get(response["Location"]).context["page"]
    assert [p.pk for p in page.object_list] == [world.ids["pupil"]]
    # Paging and other filters keep the search; the links carry only the harmless filters.
    assert client.get("/pupils/?year_group=9&page=1").context["page"].paginator.count == 1
    assert client.get("/pupils/", {"status": "active"}).context["filter"].form["q"].value() == LAST_NAME


def test_a_name_in_the_query_string_is_ignored_and_never_echoed(client, dsl, world, other_pupil):
    client.force_login(dsl)
    response = client.get("/pupils/", {"q": "Elsewhere"})
    assert response.context["page"].paginator.count == 2  # unfiltered
    assert "Elsewhere" not in " ".join(_urls_in(response.content.decode()))


def test_clear_forgets_the_search(client, dsl, world, other_pupil):
    client.force_login(dsl)
    client.post("/pupils/", {"q": LAST_NAME})
    response = client.post("/pupils/", {"q": LAST_NAME, "clear": "1"})
    assert response["Location"] == "/pupils/"
    assert client.get("/pupils/").context["page"].paginator.count == 2


def test_each_list_keeps_its_own_search(client, dsl, world, other_pupil):
    client.force_login(dsl)
    client.post("/pupils/", {"q": "Elsewhere"})
    client.post("/pupils/concerns/", {"q": LAST_NAME})
    assert client.get("/pupils/").context["page"].paginator.count == 1
    assert client.get("/pupils/concerns/").context["filter"].form["q"].value() == LAST_NAME


def test_signing_out_forgets_every_search(client, dsl, world):
    client.force_login(dsl)
    client.post("/pupils/", {"q": LAST_NAME})
    assert client.session["private_search"]
    client.post("/account/logout/")
    client.force_login(dsl)
    assert "private_search" not in client.session
    assert client.get("/pupils/").context["filter"].form["q"].value() in (None, "")


def test_the_search_needs_a_csrf_token(dsl, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(dsl)
    assert client.post("/pupils/", {"q": LAST_NAME}).status_code == 403


def test_the_navbar_search_posts(client, staff, world):
    client.force_login(staff)
    html = client.get("/").content.decode()
    assert re.search(r'<form[^>]*role="search"[^>]*method="post"', html)
    response = client.post("/pupils/", {"q": UPN}, follow=True)
    assert [p.pk for p in response.context["page"].object_list] == [world.ids["pupil"]]
    assert response.redirect_chain == [("/pupils/", 303)]


def test_the_concern_pupil_picker_posts_and_refuses_get(client, staff, world):
    client.force_login(staff)
    html = client.get("/pupils/concerns/new/").content.decode()
    assert 'hx-post="/pupils/concerns/pupil-search/"' in html and "hx-get" not in html
    assert client.get("/pupils/concerns/pupil-search/", {"q": LAST_NAME}).status_code == 405
    response = client.post("/pupils/concerns/pupil-search/", {"q": LAST_NAME[:5]}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'value="{world.ids["pupil"]}"' in response.content.decode()


def test_the_household_search_travels_by_post(client, family_worker, world):
    client.force_login(family_worker)
    response = client.post("/families/", {"q": "Robin Carer", "open_actions": "on"})
    assert response["Location"] == "/families/?open_actions=on"
    assert client.get(response["Location"]).context["page"].paginator.count == 1
