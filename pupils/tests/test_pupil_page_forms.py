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
