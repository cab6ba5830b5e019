"""The pupil page's forms (level of need, allocation, archive) are fetched when opened, by those who may use them."""

import pytest
from django.urls import reverse

from conftest import PASSWORD

FORMS = [
    ("pupils:need_level", "Save level"),
    ("pupils:allocation_add", ">Allocate</button>"),
    ("pupils:archive", "Archive</button>"),
]
# Who may use each form on a pupil of their own centre, as the access policy says.
MAY_USE = {
    "pupils:need_level": {"dsl", "leader", "staff"},
    "pupils:allocation_add": {"dsl", "leader"},
    "pupils:archive": {"dsl", "leader"},
}


@pytest.mark.parametrize(("name", "button"), FORMS)
def test_each_form_is_offered_and_served_only_to_those_who_may_use_it(client, cast, pupil, name, button):
    for role, user in cast.items():
        client.force_login(user)
        _check_form(client, pupil, role, name, button)


def _check_form(client, pupil, role, name, button):
    url = reverse(name, args=[pupil.pk])
    page = client.get(reverse("pupils:detail", args=[pupil.pk]))
    fragment = client.get(url, headers={"HX-Request": "true"})
    if role in MAY_USE[name]:
        assert page.status_code == 200
        assert f'hx-get="{url}"' in page.content.decode()
        assert button not in page.content.decode()  # not drawn until it is opened
        assert fragment.status_code == 200
        assert button in fragment.content.decode()
        assert "<html" not in fragment.content.decode()
        full = client.get(url)
        assert full.status_code == 200
        assert "<html" in full.content.decode() and button in full.content.decode()
    else:
        assert fragment.status_code in (403, 404)
        if page.status_code == 200:
            assert url not in page.content.decode()


def test_a_pupil_out_of_scope_gets_a_404_for_every_form(client, staff, other_pupil):
    client.force_login(staff)
    for name, _ in FORMS:
        assert client.get(reverse(name, args=[other_pupil.pk]), headers={"HX-Request": "true"}).status_code == 404


def test_a_refused_post_puts_the_form_back_open_with_its_errors(client, dsl, pupil):
    client.force_login(dsl)
    response = client.post(reverse("pupils:need_level", args=[pupil.pk]), {"level": "9", "reason": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "<details open>" in body
    assert "Save level" in body


@pytest.mark.browser
def test_opening_allocate_fetches_the_form_and_allocating_works(live_server, page, dsl, pupil, other_staff):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/pupils/{pupil.pk}/")
    page.get_by_label("Username").fill(dsl.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/pupils/{pupil.pk}/")
    page.get_by_text("Allocate a professional").click()
    page.get_by_label("Professional").select_option(str(other_staff.pk))
    page.get_by_role("button", name="Allocate", exact=True).click()
    page.wait_for_load_state()
    assert f"{other_staff} now works with" in page.content()
    assert errors == []


def test_ending_an_allocation_asks_first_and_only_the_post_ends_it(client, dsl, staff, pupil, family_worker):
    from pupils.models import Allocation

    allocation = Allocation.objects.get(pupil=pupil, user=family_worker)
    url = reverse("pupils:allocation_end", args=[pupil.pk, allocation.pk])
    client.force_login(dsl)
    page = client.get(reverse("pupils:detail", args=[pupil.pk])).content.decode()
    assert f'href="{url}"' in page  # a link to the question, not a one-click form
    question = client.get(url)
    assert question.status_code == 200
    assert "End the allocation" in question.content.decode()
    allocation.refresh_from_db()
    assert allocation.ended_on is None  # asking changes nothing
    assert client.post(url).status_code == 302
    allocation.refresh_from_db()
    assert allocation.ended_on is not None
    again = client.get(url)
    assert again.status_code == 302  # already ended: back to the pupil, with the date it ended
    client.force_login(staff)
    assert client.get(url).status_code == 403


def test_the_end_question_is_only_for_those_who_may_allocate_and_hides_health_allocations(
    client, cast, pupil, health_specialist
):
    from pupils.models import Allocation

    health = Allocation.objects.get(pupil=pupil, user=health_specialist)
    url = reverse("pupils:allocation_end", args=[pupil.pk, health.pk])
    for role, user in cast.items():
        client.force_login(user)
        response = client.get(url)
        if role in MAY_USE["pupils:allocation_add"]:
            # the DSL reads health allocations; a senior leader learns only that a health service is involved
            assert response.status_code == (200 if role == "dsl" else 404), role
        else:
            assert response.status_code in (403, 404), role
        if response.status_code != 200 and user != health_specialist:  # (their own name is in the layout)
            assert health_specialist.get_full_name() not in response.content.decode()
