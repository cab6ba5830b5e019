"""A specialist's referral scope comes from the specialism on their account, set by whoever manages accounts,
never from words in their job title."""

import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import services as accounts_services
from accounts.models import Specialism, User
from conftest import make_user
from pupils.models import Allocation
from referrals.models import Referral
from referrals.selectors import referrals_visible_to, specialists_for


@pytest.fixture
def counsellor(pru_agency, pupil, dsl) -> User:
    person = make_user(
        "counsellor", User.Role.SPECIALIST, agency=pru_agency, job_title="School counsellor", specialism="counsellor"
    )
    Allocation.objects.create(pupil=pupil, user=person, created_by=dsl)
    return person


@pytest.fixture
def referrals(pupil, staff) -> dict[str, Referral]:
    return {
        specialism: Referral.objects.create(pupil=pupil, raised_by=staff, specialism=specialism, reasons="Help.")
        for specialism in (Specialism.COUNSELLOR, Specialism.SPORTS_MENTOR)
    }


def _specialisms_seen(user: User) -> set[str]:
    return set(referrals_visible_to(user).values_list("specialism", flat=True))


def _change_in_admin(client, user: User, **fields):
    """Post the account's admin form as it stands, with `fields` changed."""
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and key != "password"}
    for name in ("last_login", "date_joined"):
        data.pop(name, None)
    data.update({"agency": user.agency_id or "", "site": user.site_id or "", "is_active": "on"}, **fields)
    return client.post(url, data)


def test_it_keeps_a_specialists_scope_when_their_job_title_changes(counsellor, referrals, leader):
    assert _specialisms_seen(counsellor) == {Specialism.COUNSELLOR}
    accounts_services.user_update(user=counsellor, by=leader, data={"job_title": "Sports mentor and wellbeing lead"})
    counsellor.refresh_from_db()
    assert _specialisms_seen(counsellor) == {Specialism.COUNSELLOR}
    assert list(specialists_for(Specialism.COUNSELLOR)) == [counsellor]
    assert not specialists_for(Specialism.SPORTS_MENTOR).exists()


def test_it_changes_the_scope_when_an_administrator_changes_the_specialism(client, admin_user, counsellor, referrals):
    client.force_login(admin_user)
    response = _change_in_admin(client, counsellor, specialism=Specialism.SPORTS_MENTOR)
    assert response.status_code == 302
    counsellor.refresh_from_db()
    assert counsellor.specialism == Specialism.SPORTS_MENTOR
    assert counsellor.job_title == "School counsellor"
    assert _specialisms_seen(counsellor) == {Specialism.SPORTS_MENTOR}
    assert counsellor.events.filter(specialism=Specialism.SPORTS_MENTOR).exists()  # the change is in the history


@pytest.mark.parametrize("who", ["staff", "counsellor", "family_worker"])
def test_it_refuses_the_change_to_anyone_who_does_not_manage_accounts(request, who, counsellor, referrals):
    by = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        accounts_services.user_update(user=counsellor, by=by, data={"specialism": Specialism.SPORTS_MENTOR})
    counsellor.refresh_from_db()
    assert counsellor.specialism == Specialism.COUNSELLOR


def test_it_never_offers_anyone_their_own_specialism_to_change(client, leader):
    client.force_login(leader)
    response = client.get(reverse("admin:accounts_user_change", args=[leader.pk]))
    assert "specialism" in response.context["adminform"].readonly_fields


def test_it_refuses_a_specialism_that_the_agency_does_not_do(admin_user, counsellor, yjs_agency):
    with pytest.raises(ValidationError) as error:
        accounts_services.user_update(user=counsellor, by=admin_user, data={"specialism": Specialism.CAMHS})
    assert "specialism" in error.value.message_dict
    with pytest.raises(ValidationError):
        accounts_services.user_update(user=counsellor, by=admin_user, data={"agency": yjs_agency})
    counsellor.refresh_from_db()
    assert counsellor.specialism == Specialism.COUNSELLOR


def test_it_refuses_a_specialism_to_anyone_but_a_specialist(admin_user, staff):
    staff.site = None  # the administrator manages PRU staff not placed at a centre
    staff.save()
    with pytest.raises(ValidationError):
        accounts_services.user_update(user=staff, by=admin_user, data={"specialism": Specialism.COUNSELLOR})


def test_the_migration_writes_down_what_the_job_title_rule_gave_each_specialist(pru_agency, health_agency):
    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0004_user_specialism")
    health_agency.kind = "health"
    health_agency.save()
    people = [
        ("a", "specialist", health_agency, "Therapist"),
        ("b", "specialist", health_agency, "Speech and language counsellor"),
        ("c", "specialist", pru_agency, "Sports Mentor"),
        ("d", "specialist", pru_agency, "Engagement lead"),
        ("e", "specialist", pru_agency, "Tutor"),
        ("f", "staff", pru_agency, "School counsellor"),
    ]
    for username, role, agency, title in people:
        User.objects.create(username=username, role=role, agency=agency, job_title=title)
    migration.specialism_from_agency_and_title(apps, None)
    found = dict(
        User.objects.filter(username__in=[username for username, *_ in people]).values_list("username", "specialism")
    )
    assert found == {
        "a": "salt",
        "b": "salt",  # the agency's specialism wins over the title's
        "c": "sports_mentor",
        "d": "engagement_worker",
        "e": "",
        "f": "",
    }
