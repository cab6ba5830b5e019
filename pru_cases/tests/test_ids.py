"""Ids read from query strings and form fields nobody validated: never a 500."""

import pytest
from django.urls import reverse

from pru_cases.lib.ids import parse_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), ("007", 7), (5, 5), ("²", None), ("٣", None), ("-1", None), ("1.5", None), (" 4", None),
     ("", None), (None, None), ("9" * 19, None)],
)
def test_it_reads_plain_ascii_ids_only(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize("value", ["²", "٣", "9" * 30, "abc"])
def test_the_caseload_ignores_a_specialist_that_is_not_an_id(client, dsl, value):
    client.force_login(dsl)
    response = client.get(reverse("referrals:caseload"), {"specialist": value})
    assert response.status_code == 200
