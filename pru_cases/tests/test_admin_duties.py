"""The admin keeps the same policy as the pages: separation of duties over accounts, lookups only on listed
filters, hidden fields refused, raw-id labels scoped, and the search term kept out of URLs."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import services
from accounts.models import Agency, User
from pru_cases.access import can_manage_account
from pru_cases.admin_policy import ScopedRawIdWidget
from pupils.models import Allocation, Pupil
from referrals.models import InterventionSession

NEW_PASSWORD = "a-long-new-passphrase-for-tests"


def _add_user(client, **fields):
    data = {
        "username": "newperson",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "first_name": "New",
        "last_name": "Person",
        "email": "",
        "role": User.Role.STAFF,
        "agency": "",
        "site": "",
    }
    data.update({key: value for key, value in fields.items()})
    return client.post(reverse("admin:accounts_user_add"), data)


def _change_user(client, user, **fields):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    page = client.get(url)
    if page.status_code != 200 or "adminform" not in page.context:
        return page
    form = page.context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and key != "password"}
    data.update(
        {"agency": user.agency_id or "", "site": user.site_id or "", "is_active": "on" if user.is_active else ""}
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.update(fields)
    return client.post(url, data)


# Separation of duties: the administrator


def test_it_refuses_the_administrator_a_dsl_account(client, admin_user, pru_agency):
    client.force_login(admin_user)
    response = _add_user(client, role=User.Role.DSL, agency=pru_agency.pk)
    assert response.status_code in (200, 403)
    assert not User.objects.filter(username="newperson").exists()


def test_it_refuses_the_administrator_a_leader_account(client, admin_user, pru_agency):
    client.force_login(admin_user)
    _add_user(client, role=User.Role.SENIOR_LEADER, agency=pru_agency.pk)
    assert not User.objects.filter(username="newperson").exists()


def test_it_refuses_the_administrator_the_dsls_password(client, admin_user, dsl):
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{dsl.pk}/password/"
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 403
    dsl.refresh_from_db()
    assert not dsl.check_password(NEW_PASSWORD)


def test_it_refuses_the_administrator_a_change_to_the_dsls_account(client, admin_user, dsl):
    client.force_login(admin_user)
    response = _change_user(client, dsl, role=User.Role.STAFF, email="changed@example.org")
    assert response.status_code in (200, 403)
    dsl.refresh_from_db()
    assert dsl.role == User.Role.DSL and dsl.email != "changed@example.org"


def test_it_refuses_the_administrator_anyones_second_factor(client, admin_user, staff):
    TOTP.activate(staff, generate_totp_secret())
    totp = Authenticator.objects.get(user=staff)
    client.force_login(admin_user)
    response = client.post(reverse("admin:mfa_authenticator_delete", args=[totp.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Authenticator.objects.filter(pk=totp.pk).exists()
    with pytest.raises(PermissionDenied):
        services.authenticator_remove(authenticator=totp, by=admin_user)


def test_it_refuses_the_administrator_an_allocation(client, admin_user, pupil, outsider):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:pupils_allocation_add"), {"pupil": pupil.pk, "user": outsider.pk, "reason": "x"}
    )
    assert response.status_code == 403
    assert not Allocation.objects.filter(user=outsider).exists()


def test_it_shows_the_administrator_no_pupil_name_through_a_raw_id_label(client, admin_user, pupil):
    client.force_login(admin_user)
    for url in (reverse("admin:pupils_allocation_add"), reverse("admin:pupils_needlevelchange_add")):
        response = client.get(f"{url}?pupil={pupil.pk}")
        assert response.status_code == 403
        assert pupil.last_name not in response.content.decode()


def test_it_lets_the_administrator_run_ordinary_accounts(client, admin_user, specialist, pru_agency):
    # Ordinary: accounts that see no pupil by themselves. A teacher is placed at a centre by a leader or the DSL.
    client.force_login(admin_user)
    response = _add_user(client, role=User.Role.STAFF, agency=pru_agency.pk)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    created = User.objects.get(username="newperson")
    assert created.role == User.Role.STAFF and created.site_id is None and created.check_password(NEW_PASSWORD)
    assert created.events.filter(pgh_label="insert").exists()
    url = f"/admin/accounts/user/{specialist.pk}/password/"
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302
    specialist.refresh_from_db()
    assert specialist.check_password(NEW_PASSWORD)


def test_it_lets_a_leader_place_staff_at_a_centre_but_not_the_administrator(client, admin_user, leader, staff, site):
    staff.site = None
    staff.save()
    with pytest.raises(PermissionDenied):
        services.user_update(user=staff, by=admin_user, data={"site": site})
    with pytest.raises(PermissionDenied):  # their password would open the centre's pupils to the administrator
        services.user_update(
            user=services.user_update(user=staff, by=leader, data={"site": site}), by=admin_user, data={}
        )
    staff.refresh_from_db()
    assert staff.site_id == site.pk


# Separation of duties: senior leaders, the DSL, oneself


def test_it_refuses_a_leader_an_account_in_the_camhs_agency(client, leader, health_agency):
    client.force_login(leader)
    _add_user(client, role=User.Role.SPECIALIST, agency=health_agency.pk)
    assert not User.objects.filter(username="newperson").exists()


def test_it_refuses_a_leader_a_move_of_someone_into_the_camhs_agency(client, leader, specialist, health_agency):
    client.force_login(leader)
    _change_user(client, specialist, agency=health_agency.pk)
    specialist.refresh_from_db()
    assert specialist.agency_id != health_agency.pk
    with pytest.raises(PermissionDenied):
        services.user_update(user=specialist, by=leader, data={"agency": health_agency})


def test_it_refuses_a_leader_the_kind_of_an_agency_with_staff(client, leader, specialist):
    client.force_login(leader)
    agency = specialist.agency
    url = reverse("admin:accounts_agency_change", args=[agency.pk])
    client.post(
        url, {"name": agency.name, "kind": Agency.Kind.CAMHS, "services-TOTAL_FORMS": 0, "services-INITIAL_FORMS": 0}
    )
    agency.refresh_from_db()
    assert agency.kind == Agency.Kind.YOUTH_JUSTICE


def test_it_refuses_a_leader_the_dsls_second_factor(client, leader, dsl):
    TOTP.activate(dsl, generate_totp_secret())
    totp = Authenticator.objects.get(user=dsl)
    client.force_login(leader)
    assert client.post(reverse("admin:mfa_authenticator_delete", args=[totp.pk]), {"post": "yes"}).status_code == 403
    assert Authenticator.objects.filter(pk=totp.pk).exists()


def test_it_lets_the_dsl_set_up_a_camhs_account_in_the_admin(client, dsl, health_agency):
    client.force_login(dsl)
    response = _add_user(client, role=User.Role.SPECIALIST, agency=health_agency.pk)
    assert response.status_code == 302
    assert User.objects.get(username="newperson").agency == health_agency
    # ... but no page of case records: those are for senior leaders.
    assert client.get(reverse("admin:pupils_pupil_changelist")).status_code == 403


@pytest.mark.parametrize("role", ["leader", "admin_user", "dsl"])
def test_it_refuses_anyone_their_own_role_or_agency(client, request, role, health_agency):
    me = request.getfixturevalue(role)
    client.force_login(me)
    _change_user(client, me, role=User.Role.DSL, agency=health_agency.pk)
    me.refresh_from_db()
    assert me.agency_id != health_agency.pk
    assert me.role == {"leader": User.Role.SENIOR_LEADER, "admin_user": User.Role.ADMIN, "dsl": User.Role.DSL}[role]
    for data in ({"role": User.Role.STAFF}, {"agency": health_agency}, {"is_active": False}):
        with pytest.raises(PermissionDenied):
            services.user_update(user=me, by=me, data=data)
    assert client.get(f"/admin/accounts/user/{me.pk}/password/").status_code == 403


# who may manage whom: (actor, target role, target agency fixture or None) -> allowed
MANAGE = [
    ("admin_user", User.Role.STAFF, "pru_agency", True),
    ("admin_user", User.Role.SPECIALIST, "yjs_agency", True),
    ("admin_user", User.Role.FAMILY_WORKER, "pru_agency", True),
    ("admin_user", User.Role.ADMIN, "pru_agency", True),
    ("admin_user", User.Role.SPECIALIST, "health_agency", False),
    ("admin_user", User.Role.SENIOR_LEADER, "pru_agency", False),
    ("admin_user", User.Role.DSL, "pru_agency", False),
    ("leader", User.Role.SENIOR_LEADER, "pru_agency", True),
    ("leader", User.Role.STAFF, "pru_agency", True),
    ("leader", User.Role.SPECIALIST, "health_agency", False),
    ("leader", User.Role.DSL, "pru_agency", False),
    ("dsl", User.Role.SPECIALIST, "health_agency", True),
    ("dsl", User.Role.DSL, "pru_agency", True),
    ("staff", User.Role.STAFF, "pru_agency", False),
    ("health_specialist", User.Role.SPECIALIST, "health_agency", False),
]


@pytest.mark.parametrize("actor,role,agency,allowed", MANAGE)
def test_it_applies_separation_of_duties_to_accounts(request, actor, role, agency, allowed):
    by = request.getfixturevalue(actor)
    assert can_manage_account(by, role=role, agency=request.getfixturevalue(agency)) is allowed


# Lookups, search and labels


def test_it_refuses_health_notes_as_a_lookup(client, leader, world_session):
    client.force_login(leader)
    url = reverse("admin:referrals_interventionsession_changelist")
    assert client.get(url).status_code == 200
    for query in (
        "health_notes__startswith=S",
        "health_notes=x",
        "health_notes__isnull=False",
        "intervention__sessions__health_notes__startswith=S",
    ):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, query


def test_it_accepts_only_the_listed_filters_as_lookups(client, leader, pupil):
    client.force_login(leader)
    url = reverse("admin:pupils_pupil_changelist")
    assert client.get(f"{url}?status__exact=active").status_code == 200
    assert client.get(f"{url}?site__id__exact={pupil.site_id}").status_code == 200
    for query in ("first_name__startswith=J", "upn__startswith=1", "date_of_birth__year=2012", "status__startswith=a"):
        assert client.get(f"{url}?{query}").status_code == 400, query
    events = reverse("admin:pru_cases_accessevent_changelist")
    assert client.get(f"{events}?at__year=2026").status_code == 200  # the date hierarchy


def test_it_keeps_the_admin_search_out_of_the_url(client, leader, pupil, other_pupil):
    client.force_login(leader)
    url = reverse("admin:pupils_pupil_changelist")
    response = client.post(f"{url}?status__exact=active", {"_private_search": "1", "q": pupil.last_name})
    assert response.status_code == 303
    assert pupil.last_name not in response["Location"] and response["Location"] == f"{url}?status__exact=active"
    page = client.get(response["Location"])
    assert page.context["cl"].result_count == 1
    assert "?q=" not in page.content.decode() and 'method="post"' in page.content.decode()
    # A term typed into the query string is ignored, and not repeated in the page's links.
    page = client.get(f"{url}?q={other_pupil.last_name}")
    assert (
        page.context["cl"].result_count == 1 and other_pupil.last_name not in page.content.decode().split("<tbody>")[0]
    )
    client.post(url, {"_private_search": "1", "_clear_search": "1", "q": ""})
    assert client.get(url).context["cl"].result_count == 2


def test_it_searches_every_admin_by_post(client, leader):
    """Every registered changelist with a search box gets the POSTed form: the template is the site's."""
    client.force_login(leader)
    searched = 0
    for model, model_admin in admin.site._registry.items():
        if not model_admin.search_fields:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        if response.status_code != 200:
            continue
        body = response.content.decode()
        assert 'id="changelist-search" method="post"' in body, url
        searched += 1
    assert searched >= 5


def test_it_labels_a_raw_id_only_within_scope(rf, staff, other_staff, pupil):
    field = Allocation._meta.get_field("pupil")
    for user, shown in ((staff, True), (other_staff, False)):
        request = rf.get("/admin/")
        request.user = user
        model_admin = admin.site._registry[Allocation]
        widget = ScopedRawIdWidget(field.remote_field, admin.site, queryset=model_admin.scoped_queryset(request, Pupil))
        label, _url = widget.label_and_url_for_value(pupil.pk)
        assert (pupil.last_name in str(label)) is shown
    assert widget.label_and_url_for_value("not-a-number") == ("", "")


@pytest.fixture
def world_session(pupil, dsl, specialist):
    from referrals.models import Intervention, Referral, Specialism

    referral = Referral.objects.create(pupil=pupil, raised_by=dsl, specialism=Specialism.YOUTH_JUSTICE, reasons="x")
    intervention = Intervention.objects.create(
        referral=referral, pupil=pupil, specialist=specialist, specialism=Specialism.YOUTH_JUSTICE
    )
    return InterventionSession.objects.create(
        intervention=intervention, recorded_by=dsl, held_on="2026-01-10", health_notes="SECRET-NOTE"
    )


def test_it_registers_an_admin_class_from_another_app_closed(rf, leader):
    """A third-party ModelAdmin gets the policy base mixed in, with no role let in until the project says so."""
    from django.contrib.auth.models import Group

    from pru_cases.admin_policy import CaseAdminSite, PolicyAdmin

    site = CaseAdminSite(name="scratch")
    site.register(Group, admin.ModelAdmin)
    model_admin = site._registry[Group]
    request = rf.get("/admin/")
    request.user = leader
    assert isinstance(model_admin, PolicyAdmin)
    assert not model_admin.has_view_permission(request) and not model_admin.has_module_permission(request)
    assert not model_admin.lookup_allowed("name__startswith", "a", request)


def test_it_answers_ids_beyond_bigint_without_a_500(leader, pupil):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(leader)
    huge = 2**64
    for url in (
        f"/admin/pupils/pupil/add/?referring_school={huge}",
        f"/admin/pupils/pupil/{huge}/change/",
        f"/admin/pupils/allocation/?pupil__id__exact={huge}",
        f"/admin/pupils/pupil/?site__id__exact={huge}",
    ):
        assert client.get(url).status_code < 500, url
