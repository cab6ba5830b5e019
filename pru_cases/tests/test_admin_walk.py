"""The admin lookup walk: every registered admin changelist, as every role of the cast, with every field name.

The admin classes come from `admin.site._registry`, so a new one is walked without anyone adding it here. For
each model and each of its fields the walk asks for `?<field>__startswith=x` and `?<field>=x`, and for every
column `?o=<n>`; it also opens each "add" form with every foreign key to a pupil filled with a pupil's id. Then:
no 500; no field the role may not read is accepted as a lookup (and `__startswith` on any field is refused);
no pupil outside the role's scope is named; the administrator opens no page of case records; and no health
sentinel reaches a role that may not read health detail.
"""

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.models import Agency, User
from pru_cases.access import FieldGroup, can_read_field_group, unreadable_fields
from pru_cases.admin_policy import is_case_model
from pru_cases.tests.cast import CAST
from pru_cases.tests.world import HEALTH_SENTINELS, build_world
from pupils.models import Pupil
from pupils.selectors import pupils_visible_to

ROLES = CAST
OTHER_NAMES = ("Ottoline", "Farbrookwise")  # the pupil at the other centre


@pytest.fixture
def world(pupil, other_pupil, dsl, leader, staff, specialist, health_specialist, family_worker):
    Pupil.objects.filter(pk=other_pupil.pk).update(first_name=OTHER_NAMES[0], last_name=OTHER_NAMES[1])
    return build_world(
        pupil=pupil,
        dsl=dsl,
        leader=leader,
        staff=staff,
        specialist=specialist,
        health_specialist=health_specialist,
        family_worker=family_worker,
        pdfs=False,
    )


def _changelist(model) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:
        return None


def _names_outside(user) -> list[str]:
    visible = set(pupils_visible_to(user).values_list("pk", flat=True))
    names = []
    for pk, first, last in Pupil.objects.values_list("pk", "first_name", "last_name"):
        if pk not in visible:
            names += [first, last]
    return names


def _filter_paths(model_admin, request) -> set[str]:
    return {
        item if isinstance(item, str) else item[0]
        for item in model_admin.get_list_filter(request)
        if isinstance(item, (str, list, tuple))
    }


@pytest.mark.parametrize("role", ROLES)
def test_it_walks_every_admin_changelist_with_every_field_as_a_lookup(request, world, role, rf):
    user = request.getfixturevalue(role)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    fake = rf.get("/admin/")
    fake.user = user
    reads_health = can_read_field_group(user, FieldGroup.HEALTH)
    outside = _names_outside(user)
    problems, opened = [], 0

    def check(url, response):
        body = response.content.decode(errors="replace")
        if response.status_code >= 500:
            problems.append((url, response.status_code))
        problems.extend((url, "names", name) for name in outside if name in body)
        if not reads_health:
            problems.extend((url, "sentinel", name) for name, value in HEALTH_SENTINELS.items() if value in body)
        return body

    for model, model_admin in admin.site._registry.items():
        url = _changelist(model)
        if url is None:
            continue
        plain = client.get(url)
        check(url, plain)
        if plain.status_code != 200:
            assert plain.status_code in (302, 403), (url, plain.status_code)
            continue
        opened += 1
        if role == "admin_user":
            assert not is_case_model(model), f"the administrator opened {url}, a page of case records"
        hidden = unreadable_fields(user, model._meta.label)
        assert hidden is not None, f"{url} opened for a role that may not read any of it"
        filters = _filter_paths(model_admin, fake)
        fields = [field.name for field in model._meta.get_fields() if isinstance(field, models.Field)]
        for name in fields:
            for query in (f"{name}__startswith=x", f"{name}=x"):
                response = client.get(f"{url}?{query}")
                check(f"{url}?{query}", response)
                accepted = response.status_code == 200 or "e=1" in response.get("Location", "")
                if name in hidden:
                    assert not accepted, f"{url}?{query}: a hidden field accepted as a lookup"
                if "__startswith" in query or name not in filters:
                    assert not accepted, f"{url}?{query}: a lookup that is not a listed filter was accepted"
        for index in range(len(model_admin.get_list_display(fake)) + 1):
            for order in (str(index), f"-{index}"):
                check(f"{url}?o={order}", client.get(f"{url}?o={order}"))
        # The add form with a pupil's id in each of its pupil fields (the raw-id label must be scoped).
        pupil_fields = [f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is Pupil]
        if pupil_fields:
            add = url + "add/"
            for pk in Pupil.objects.values_list("pk", flat=True):
                query = "&".join(f"{name}={pk}" for name in pupil_fields)
                check(f"{add}?{query}", client.get(f"{add}?{query}"))
    assert not problems, problems
    if role in ("leader", "admin_user", "dsl"):
        assert opened >= 3, "the walk reached no changelist"  # it cannot pass by reaching nothing
    if role == "leader":
        assert opened >= 15


def test_the_walk_covers_the_hidden_health_field_and_case_models(world, leader):
    """What the walk relies on is really there: a hidden field on a changelist the leader opens, case models."""
    assert "health_notes" in unreadable_fields(leader, "referrals.InterventionSession")
    registered = list(admin.site._registry)
    assert any(model._meta.label == "referrals.InterventionSession" for model in registered)
    assert sum(is_case_model(model) for model in registered) >= 10
    assert not is_case_model(User) and not is_case_model(Agency)
