import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_pupil
from pupils.models import Allocation, Pupil


def _list_queries(client, url="/pupils/?status=") -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _make_many(site, count: int, start: int = 0) -> None:
    Pupil.objects.bulk_create(
        [
            Pupil(
                first_name=f"Pupil{n}",
                last_name=f"Bulk{n:04d}",
                date_of_birth=datetime.date(2011, 1, 1),
                year_group=10,
                site=site,
                home_local_authority="Millbrook",
                school_local_authority="Millbrook",
                entry_date=datetime.date(2026, 1, 1),
                entry_route=Pupil.EntryRoute.OTHER,
            )
            for n in range(start, start + count)
        ]
    )


def test_it_keeps_the_query_count_constant_from_10_to_200_pupils(client, dsl, site, staff):
    client.force_login(dsl)
    _make_many(site, 10)
    Pupil.objects.update(key_worker=staff)
    small = _list_queries(client)
    _make_many(site, 190, start=10)
    Pupil.objects.update(key_worker=staff)
    large = _list_queries(client)
    assert small == large
    assert large <= 12


def test_it_pages_the_list(client, dsl, site):
    client.force_login(dsl)
    _make_many(site, 30)
    first = client.get("/pupils/")
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/pupils/?page=2")
    assert second.context["page"].number == 2
    assert len(second.context["page"].object_list) == 5
    assert client.get("/pupils/?page=abc").status_code == 200  # a bad page number shows the first page


def test_it_finds_pupils_by_name_or_upn(client, dsl, site):
    client.force_login(dsl)
    wanted = make_pupil(site, first_name="Tyrese", last_name="Okonjo", upn="A123456789012")
    make_pupil(site, first_name="Molly", last_name="Hart")
    for query in ("tyr", "Okonjo", "tyr oko", "a123456789012"):
        page = client.post("/pupils/", {"q": query}, follow=True).context["page"]
        assert list(page.object_list) == [wanted], query
    assert list(client.post("/pupils/", {"q": "tyr hart"}, follow=True).context["page"].object_list) == []


def test_it_shows_only_pupils_in_scope_even_when_searching(client, staff, pupil, other_pupil):
    client.force_login(staff)
    page = client.post("/pupils/", {"q": "Casey"}, follow=True).context["page"]
    assert list(page.object_list) == []
    page = client.post("/pupils/", {"clear": "1"}, follow=True).context["page"]
    assert list(page.object_list) == [pupil]


def test_it_hides_archived_pupils_unless_asked(client, dsl, site):
    client.force_login(dsl)
    archived = make_pupil(site, last_name="Gone", status=Pupil.Status.ARCHIVED)
    current = make_pupil(site, last_name="Here")
    assert list(client.get("/pupils/").context["page"].object_list) == [current]
    assert archived in client.get("/pupils/?status=archived").context["page"].object_list


def test_it_filters_to_my_pupils(client, specialist, site, dsl):
    client.force_login(specialist)
    mine = make_pupil(site, last_name="Mine")
    Allocation.objects.create(pupil=mine, user=specialist, created_by=dsl)
    keyworked = make_pupil(site, last_name="Keyworked", key_worker=specialist)
    assert set(client.get("/pupils/?mine=on").context["page"].object_list) == {mine, keyworked}


@pytest.mark.parametrize("query", ["year_group=abc", "site=99999", "level_of_need=9", "status=deleted"])
def test_it_rejects_bad_filters_with_a_message(client, dsl, pupil, query):
    client.force_login(dsl)
    response = client.get(f"/pupils/?{query}")
    assert response.status_code == 400
    assert response.context["filter"].form.errors


def test_a_specialists_list_counts_their_own_pupils_once_with_its_filters(client, specialist, site, other_site, dsl):
    """A specialist's pupils are counted in a shape of their own (pupils_counted_for): the same pupils, each once,
    with the list's filters applied."""
    _make_many(site, 30)
    _make_many(other_site, 5, start=100)
    for pupil in Pupil.objects.filter(last_name__startswith="Bulk"):
        Allocation.objects.create(pupil=pupil, user=specialist, created_by=dsl)
    Pupil.objects.filter(last_name="Bulk0000").update(key_worker=specialist)  # allocated and key-worked
    make_pupil(site, last_name="Unallocated")
    client.force_login(specialist)
    page = client.get("/pupils/").context["page"]
    assert page.paginator.count == 35 and page.paginator.num_pages == 2
    assert "Unallocated" not in client.get("/pupils/?page=2").content.decode()
    filtered = client.get(f"/pupils/?site={other_site.pk}").context["page"]
    assert filtered.paginator.count == 5 and {p.last_name for p in filtered.object_list} == {
        f"Bulk{n:04d}" for n in range(100, 105)
    }


def test_each_row_shows_the_pupils_details_escaped_with_its_badges(client, dsl, staff, site, settings):
    from concerns.services import concern_log

    settings.CONCERN_PATTERN_COUNT = 2
    plain = make_pupil(site, first_name="Ada", last_name="Plain", upn="")
    marked = make_pupil(
        site,
        first_name="Robert",
        preferred_name="Bobby",
        last_name="O'Neil <b>",
        upn="A123456789012",
        year_group=10,
        key_worker=staff,
        level_of_need=4,
        send_status=Pupil.Send.EHCP,
        social_care_status=Pupil.SocialCare.CP,
    )
    for seen in ("Shouting.", "Left the room."):
        concern_log(pupil=marked, by=staff, category="behaviour", seen=seen)
    client.force_login(dsl)
    page = client.get("/pupils/").content.decode()
    assert (
        f'<tr><td><a href="/pupils/{marked.pk}/">O&#x27;Neil &lt;b&gt;, Bobby</a></td><td>A123456789012</td>'
        f"<td>10</td><td>{site.name}</td><td>{staff.get_full_name()}</td>"
        '<td><span class="badge text-bg-danger">4</span></td><td>EHC plan</td><td>Child protection plan</td>'
        '<td><span class="badge text-bg-warning">Pattern: 2 concerns</span> <span class="badge text-bg-warning" '
        f'title="No Fresh Start interview held within {settings.FRESH_START_FLAG_DAYS} days of entry">'
        "No Fresh Start interview</span> </td><td>On roll</td></tr>"
    ) in page
    assert f'<a href="/pupils/{plain.pk}/">Plain, Ada</a></td><td>–</td>' in page
    assert "<b>" not in page.split("<tbody>")[1]
    empty = client.get("/pupils/", {"year_group": 1}).content.decode()
    assert "No pupils match these filters." in empty


def test_the_badge_figures_hold_when_the_list_is_asked_inside_another_query(staff, site, settings):
    """Django renames the pupil table inside a subquery: a figure written as SQL must follow it."""
    from concerns.models import Concern
    from concerns.services import concern_log
    from meetings.panels import annotate_pupil_list as with_overdue
    from referrals.panels import annotate_pupil_list as with_concerns

    worried = make_pupil(site, first_name="Worried")
    make_pupil(site, first_name="Calm")
    concern_log(pupil=worried, by=staff, category="behaviour", seen="Shouting.")
    counted = with_overdue(with_concerns(Pupil.objects.all()))
    at_least_one = counted.filter(recent_concern_count__gte=1).values("pk")
    assert list(Pupil.objects.filter(pk__in=at_least_one)) == [worried]
    assert list(Concern.objects.filter(pupil__in=at_least_one).values_list("pupil_id", flat=True)) == [worried.pk]
    assert {pupil.first_name: pupil.recent_concern_count for pupil in counted} == {"Worried": 1, "Calm": 0}
