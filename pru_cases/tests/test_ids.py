"""Ids read from query strings and form fields nobody validated: never a 500."""

import re

import pytest
from django.urls import get_resolver, reverse

from pru_cases.lib.ids import parse_id
from pru_cases.models import AccessEvent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        ("007", 7),
        (5, 5),
        ("²", None),
        ("٣", None),
        ("-1", None),
        ("1.5", None),
        (" 4", None),
        ("", None),
        (None, None),
        ("9" * 19, None),
    ],
)
def test_it_reads_plain_ascii_ids_only(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize("value", ["²", "٣", "9" * 30, "abc"])
def test_the_caseload_ignores_a_specialist_that_is_not_an_id(client, dsl, value):
    client.force_login(dsl)
    response = client.get(reverse("referrals:caseload"), {"specialist": value})
    assert response.status_code == 200


def _int_routes() -> list[str]:
    """Every route of the URLconf (third-party ones too) that takes a whole number."""
    from pru_cases.tests.pages import _walk

    routes = [route for route in _walk(get_resolver().url_patterns) if re.search(r"<int:\w+>", route)]
    assert len(routes) > 40  # the walk really found the app's record pages
    return routes


def _fill(route: str, big_arg: str, value: int) -> str:
    def fill(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            return str(value if name == big_arg else 1)
        return "x"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)


@pytest.mark.parametrize("value", [2**63, 2**64, 10**40])
def test_it_answers_404_to_an_id_beyond_the_bigint_range_on_every_route(client, dsl, pupil, value):
    client.force_login(dsl)
    checked = 0
    for route in _int_routes():
        for name in re.findall(r"<int:(\w+)>", route):
            url = _fill(route, name, value)
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 404, (method.__name__, url, response.status_code)
                checked += 1
    assert AccessEvent.objects.filter(pupil_ref__gt=2**62).count() == 0
    assert checked > 80


def test_the_largest_storable_id_is_an_ordinary_404(client, dsl):
    client.force_login(dsl)
    response = client.get(f"/pupils/{2**63 - 1}/")
    assert response.status_code == 404
    assert AccessEvent.objects.filter(pupil_ref=2**63 - 1, outcome=AccessEvent.Outcome.DENIED).exists()


@pytest.mark.parametrize("value", [2**63, 2**64])
def test_a_pupil_page_beyond_the_bigint_range_is_a_404_not_a_500(client, staff, pupil, value):
    # The access log keeps the id asked for in a bigint column: this id used to overflow it.
    client.force_login(staff)
    for url in (f"/pupils/{value}/", f"/pupils/{value}/outcomes/", f"/families/pupil/{value}/"):
        assert client.get(url).status_code == 404, url
