"""A specialist's referral scope comes from the specialism on their account, set by whoever manages accounts,
never from words in their job title."""

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


# Committed data: serialized_rollback puts back the rows the data migrations seeded for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_writes_down_what_the_job_title_rule_gave_each_specialist():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("accounts", "0003_user_sessions_with_owner_and_browser")], [("accounts", "0004_user_specialism")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Agency, OldUser = old.get_model("accounts", "Agency"), old.get_model("accounts", "User")
    pru = Agency.objects.create(name="PRU", kind="pru")
    camhs = Agency.objects.create(name="CAMHS", kind="camhs")
    health = Agency.objects.create(name="SaLT", kind="health")
    people = {
        "salt": OldUser.objects.create(username="a", role="specialist", agency=health, job_title="Therapist"),
        "camhs": OldUser.objects.create(username="b", role="specialist", agency=camhs, job_title="CAMHS counsellor"),
        "mentor": OldUser.objects.create(username="c", role="specialist", agency=pru, job_title="Sports Mentor"),
        "engagement": OldUser.objects.create(username="d", role="specialist", agency=pru, job_title="Engagement lead"),
        "none": OldUser.objects.create(username="e", role="specialist", agency=pru, job_title="Tutor"),
        "staff": OldUser.objects.create(username="f", role="staff", agency=pru, job_title="School counsellor"),
    }
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    found = dict(User.objects.filter(pk__in=[p.pk for p in people.values()]).values_list("username", "specialism"))
    assert found == {
        "a": "salt",
        "b": "camhs",  # the agency's specialism wins over the title's
        "c": "sports_mentor",
        "d": "engagement_worker",
        "e": "",
        "f": "",
    }
