"""The centre and the key worker decide who sees a pupil: only the DSL and senior leaders change them (moving a
pupil, allocating), through services that check the action, so a forged form changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from conftest import make_user
from pupils import services
from pupils.forms import PupilForm
from pupils.models import Pupil
from pupils.selectors import pupils_visible_to

FORM = {
    "first_name": "Jordan",
    "last_name": "Example",
    "date_of_birth": "2012-03-04",
    "year_group": "9",
    "home_local_authority": "Millbrook City Council",
    "school_local_authority": "Millbrook City Council",
    "entry_date": "2026-01-05",
    "entry_route": Pupil.EntryRoute.PERMANENT_EXCLUSION,
    "send_status": "none",
    "social_care_status": "none",
}


def _edit(client, pupil, **changes):
    return client.post(f"/pupils/{pupil.pk}/edit/", FORM | {"site": pupil.site_id, "version": pupil.version} | changes)


def test_it_refuses_a_key_worker_forged_by_staff_and_changes_nothing(client, staff, pupil, outsider):
    client.force_login(staff)
    before = pupil.version
    response = _edit(client, pupil, key_worker=outsider.pk, first_name="Changed")
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.key_worker is None
    assert pupil not in pupils_visible_to(outsider)
    # The form shows the key worker read-only, so the forged value is ignored; the service refuses it too.
    with pytest.raises(PermissionDenied):
        services.pupil_update(pupil=pupil, by=staff, data={"key_worker": outsider}, version=pupil.version)
    with pytest.raises(PermissionDenied):
        services.pupil_key_worker_set(pupil=pupil, by=staff, key_worker=outsider)
    pupil.refresh_from_db()
    assert pupil.key_worker is None
    assert not pupil.events.exclude(key_worker=None).exists()
    assert pupil.version in (before, before + 1)  # the rest of the form may be saved


def test_it_keeps_the_centre_and_key_worker_when_staff_save_other_changes(client, staff, pupil, other_site, outsider):
    client.force_login(staff)
    response = _edit(client, pupil, site=other_site.pk, key_worker=outsider.pk, preferred_name="Jo")
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.preferred_name == "Jo"
    assert pupil.site_id != other_site.pk
    assert pupil.key_worker is None


def test_it_shows_staff_the_centre_and_key_worker_read_only(client, staff, pupil, dsl):
    client.force_login(staff)
    form = client.get(f"/pupils/{pupil.pk}/edit/").context["form"]
    assert form.fields["site"].disabled and form.fields["key_worker"].disabled
    assert list(form.fields["site"].queryset) == [pupil.site]
    client.force_login(dsl)
    form = client.get(f"/pupils/{pupil.pk}/edit/").context["form"]
    assert not form.fields["site"].disabled and not form.fields["key_worker"].disabled


def test_it_offers_the_pupils_own_centre_among_the_choices(dsl, leader, staff, pupil, other_site):
    for user in (dsl, leader, staff):
        form = PupilForm(instance=pupil, user=user)
        assert pupil.site in form.fields["site"].queryset
        assert form["site"].value() == pupil.site_id


def test_a_save_that_does_not_touch_the_centre_never_changes_it(client, dsl, pupil, other_site):
    client.force_login(dsl)
    response = _edit(client, pupil, preferred_name="Jo")
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.site_id != other_site.pk and pupil.preferred_name == "Jo"


@pytest.mark.parametrize("role", ["dsl", "leader"])
def test_the_dsl_and_leaders_name_a_key_worker_and_move_a_pupil_with_history(
    client, request, role, pupil, outsider, other_site
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = _edit(client, pupil, key_worker=outsider.pk, site=other_site.pk)
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.key_worker == outsider and pupil.site == other_site
    assert pupil in pupils_visible_to(outsider)
    event = pupil.events.filter(pgh_label="update").latest("pgh_id")
    assert (event.key_worker_id, event.site_id) == (outsider.pk, other_site.pk)
    assert event.pgh_context.metadata["user"] == user.pk
    assert pupil.events.filter(pgh_label="insert").get().key_worker_id is None


def test_the_services_check_the_action(dsl, leader, staff, pupil, outsider, other_site, site):
    with pytest.raises(PermissionDenied):
        services.pupil_move(pupil=pupil, by=staff, site=other_site)
    services.pupil_key_worker_set(pupil=pupil, by=dsl, key_worker=outsider)
    services.pupil_move(pupil=pupil, by=leader, site=other_site, version=pupil.version)
    pupil.refresh_from_db()
    assert (pupil.key_worker, pupil.site) == (outsider, other_site)
    services.pupil_key_worker_set(pupil=pupil, by=dsl, key_worker=None)
    pupil.refresh_from_db()
    assert pupil.key_worker is None


def test_staff_add_pupils_to_their_own_centre_without_a_key_worker(staff, site, other_site, outsider):
    data = {
        "first_name": "Sam",
        "last_name": "New",
        "date_of_birth": "2012-01-01",
        "year_group": 8,
        "home_local_authority": "M",
        "school_local_authority": "M",
        "entry_date": "2026-01-05",
        "entry_route": Pupil.EntryRoute.PERMANENT_EXCLUSION,
    }
    with pytest.raises(PermissionDenied):
        services.pupil_create(by=staff, data=data | {"site": other_site})
    with pytest.raises(PermissionDenied):
        services.pupil_create(by=staff, data=data | {"site": site, "key_worker": outsider})
    assert not Pupil.objects.exists()
    assert services.pupil_create(by=staff, data=data | {"site": site}).site == site


def test_only_the_dsl_and_leaders_allocate_through_the_service(staff, dsl, pupil, outsider):
    with pytest.raises(PermissionDenied):
        services.allocation_add(pupil=pupil, user=outsider, by=staff)
    assert pupil not in pupils_visible_to(outsider)
    allocation = services.allocation_add(pupil=pupil, user=outsider, by=dsl)
    assert pupil in pupils_visible_to(outsider)
    with pytest.raises(PermissionDenied):
        services.allocation_end(allocation=allocation, by=staff)
    services.allocation_end(allocation=allocation, by=dsl)


def test_an_inactive_or_admin_account_cannot_be_key_worker(dsl, pupil, pru_agency):
    from django.core.exceptions import ValidationError

    sysadmin = make_user("sysadmin2", "admin", agency=pru_agency)
    with pytest.raises(ValidationError):
        services.pupil_key_worker_set(pupil=pupil, by=dsl, key_worker=sysadmin)
