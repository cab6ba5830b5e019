import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_pupil
from families.models import Carer, Household, HouseholdPupil, Sibling
from families.selectors import households_visible_to
from pru_cases.models import AccessEvent


def test_it_sets_up_a_household_from_the_pupils_family_page(client, family_worker, pupil):
    client.force_login(family_worker)
    response = client.post(
        f"/families/pupil/{pupil.pk}/household/",
        {
            "new-name": "Example household",
            "new-address": "4 Mill Lane",
            "new-postcode": "MB2 3CD",
            "new-home_language": "Polish",
            "new-interpreter_needed": "on",
            "new-interpreter_language": "Polish",
        },
    )
    household = Household.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/families/{household.pk}/"
    assert household.pupil_links.get().pupil == pupil
    assert household.events.filter(pgh_label="insert").exists()


def test_it_asks_for_the_interpreters_language_and_keeps_the_input(client, family_worker, pupil):
    client.force_login(family_worker)
    response = client.post(
        f"/families/pupil/{pupil.pk}/household/",
        {"new-name": "TYPED-NAME-77", "new-interpreter_needed": "on", "new-interpreter_language": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Say which language" in body and "TYPED-NAME-77" in body
    assert not Household.objects.exists()


def test_it_puts_a_brother_or_sister_in_the_same_household(client, family_worker, dsl, pupil, household, site):
    sister = make_pupil(site, first_name="Riley")
    client.force_login(dsl)
    response = client.post(f"/families/pupil/{sister.pk}/household/", {"join-household": household.pk})
    assert response.status_code == 302
    assert set(HouseholdPupil.objects.filter(household=household).values_list("pupil_id", flat=True)) == {
        pupil.pk,
        sister.pk,
    }
    again = client.post(f"/families/pupil/{sister.pk}/household/", {"join-household": household.pk})
    assert again.status_code == 400  # the household the pupil is in is not offered again
    assert HouseholdPupil.objects.filter(household=household).count() == 2


def test_it_offers_households_sharing_the_pupils_surname(client, dsl, pupil, household, site):
    Household.objects.create(name="Unrelated household")
    newcomer = make_pupil(site, first_name="Riley")
    client.force_login(dsl)
    choices = client.get(f"/families/pupil/{newcomer.pk}/").context["join_form"].fields["household"].queryset
    assert list(choices) == [household]


def test_it_shows_a_household_when_one_of_its_pupils_is_visible(
    family_worker, outsider, other_staff, staff, household, site, other_site
):
    sibling_elsewhere = make_pupil(other_site, first_name="Casey")
    HouseholdPupil.objects.create(pupil=sibling_elsewhere, household=household)
    assert list(households_visible_to(family_worker)) == [household]
    assert list(households_visible_to(staff)) == [household]
    assert list(households_visible_to(other_staff)) == [household]  # sees the sibling at their own centre
    assert list(households_visible_to(outsider)) == []


def test_it_lists_only_the_pupils_the_user_may_see_on_the_household_page(client, staff, household, other_site):
    hidden = make_pupil(other_site, first_name="HIDDEN-SIBLING")
    HouseholdPupil.objects.create(pupil=hidden, household=household)
    client.force_login(staff)
    response = client.get(f"/families/{household.pk}/")
    assert response.status_code == 200
    assert "HIDDEN-SIBLING" not in response.content.decode()
    # The read is audited against the pupil the user can see, not the one they cannot.
    assert list(AccessEvent.objects.filter(user=staff).values_list("pupil_id", flat=True)) == [
        household.pupil_links.get(pupil__site=staff.site).pupil_id
    ]


def test_it_detects_a_concurrent_household_edit(client, family_worker, household):
    client.force_login(family_worker)
    form = {
        "name": "Example household",
        "address": "2 New Road",
        "postcode": "MB1 1AA",
        "home_language": "English",
        "version": household.version,
    }
    assert client.post(f"/families/{household.pk}/edit/", form).status_code == 302
    stale = client.post(f"/families/{household.pk}/edit/", form | {"address": "MY-STALE-EDIT"})
    assert stale.status_code == 409
    assert "MY-STALE-EDIT" in stale.content.decode()
    household.refresh_from_db()
    assert household.address == "2 New Road" and household.version == 2


def test_it_adds_and_edits_a_carer(client, family_worker, household):
    client.force_login(family_worker)
    response = client.post(
        f"/families/{household.pk}/carers/",
        {
            "carer-name": "Sam Example",
            "carer-relationship": "father",
            "carer-parental_responsibility": "on",
            "carer-phone": "07700 900456",
            "carer-preferred_contact": "text",
            "carer-lives_with_pupil": "on",
        },
    )
    assert response.status_code == 302
    carer = Carer.objects.get()
    assert carer.parental_responsibility and carer.household == household
    edit = client.post(
        f"/families/{household.pk}/carers/{carer.pk}/edit/",
        {
            "name": "Sam Example",
            "relationship": "father",
            "phone": "07700 900457",
            "preferred_contact": "phone",
            "version": carer.version,
            "is_active": "",
            "lives_with_pupil": "on",
        },
    )
    assert edit.status_code == 302
    carer.refresh_from_db()
    assert carer.phone == "07700 900457" and not carer.parental_responsibility and not carer.is_active
    assert carer.events.count() == 2


def test_it_needs_a_contact_for_a_carer_living_elsewhere(client, family_worker, household):
    client.force_login(family_worker)
    response = client.post(
        f"/families/{household.pk}/carers/",
        {"carer-name": "Absent Dad", "carer-relationship": "father", "carer-preferred_contact": "phone"},
    )
    assert response.status_code == 400
    assert "Absent Dad" in response.content.decode()
    assert not Carer.objects.exists()


def test_it_records_a_sibling_at_another_school(client, family_worker, household, schools):
    client.force_login(family_worker)
    response = client.post(
        f"/families/{household.pk}/siblings/",
        {"sibling-name": "Alfie Example", "sibling-date_of_birth": "2014-05-01", "sibling-school": schools[2].pk},
    )
    assert response.status_code == 302
    assert Sibling.objects.get().school == schools[2]


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/families/")
    assert response.status_code == 200
    return len(queries)


def _make_households(site, count: int, start: int) -> None:
    for n in range(start, start + count):
        child = make_pupil(site, first_name=f"Child{n}", last_name=f"Family{n:03d}")
        household = Household.objects.create(name=f"Family{n:03d} household")
        HouseholdPupil.objects.create(pupil=child, household=household)
        Carer.objects.create(household=household, name=f"Carer {n}", relationship="mother")


@pytest.mark.django_db
def test_it_keeps_the_household_list_query_count_constant(client, dsl, site, django_assert_max_num_queries):
    client.force_login(dsl)
    _make_households(site, 3, 0)
    small = _list_queries(client)
    _make_households(site, 30, 3)
    large = _list_queries(client)
    assert small == large
    client.post("/families/", {"q": "Family01", "open_actions": "on"})
    with django_assert_max_num_queries(10):
        client.get("/families/?open_actions=on")


def test_it_filters_households_by_carer_name(client, family_worker, household, carer):
    client.force_login(family_worker)
    assert client.post("/families/", {"q": "Dana"}, follow=True).context["page"].paginator.count == 1
    assert client.post("/families/", {"q": "Nobody"}, follow=True).context["page"].paginator.count == 0
