"""`counted_page` gives the page `Paginator.get_page` gives, with the count in the same query as the rows."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_pupil
from pru_cases.lib.pages import counted_page
from pupils.models import Pupil


@pytest.fixture
def seven(site):
    return [make_pupil(site, first_name=f"P{n}", last_name=f"Pupil{n}") for n in range(7)]


@pytest.mark.parametrize(
    "number", [None, "", "abc", "2.5", "0", "-3", "1", "2", "3", "4", "999", "1000001", "99999999999999999999"]
)
def test_it_is_the_page_get_page_gives(seven, number):
    rows = Pupil.objects.order_by("last_name")
    expected = Paginator(rows, 3).get_page(number)
    page = counted_page(rows, number, 3)
    assert page.number == expected.number
    assert list(page.object_list) == list(expected.object_list)
    assert (page.paginator.count, page.paginator.num_pages) == (7, 3)
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())


def test_a_page_that_is_there_costs_one_query_and_one_past_the_end_two(seven):
    rows = Pupil.objects.order_by("last_name")
    with CaptureQueriesContext(connection) as queries:
        page = counted_page(rows, "2", 3)
        assert [pupil.last_name for pupil in page] == ["Pupil3", "Pupil4", "Pupil5"]
        assert page.paginator.count == 7
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert counted_page(rows, "9", 3).number == 3
    assert len(queries) == 3  # the empty page asked for, the count, the last page


def test_it_counts_another_shape_of_the_same_rows_and_an_empty_list(seven):
    rows = Pupil.objects.filter(first_name__in=["P1", "P2"]).order_by("last_name")
    assert counted_page(rows, 1, 3, counted=Pupil.objects.filter(first_name__in=["P1", "P2"])).paginator.count == 2
    empty = counted_page(Pupil.objects.none().order_by("pk"), "1", 3)
    assert (list(empty), empty.paginator.count, empty.number) == ([], 0, 1)
    nothing = counted_page(Pupil.objects.filter(first_name="nobody").order_by("pk"), "5", 3)
    assert (list(nothing), nothing.paginator.count, nothing.number) == ([], 0, 1)
