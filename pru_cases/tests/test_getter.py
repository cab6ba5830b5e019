"""The one audited getter: every record type is fetched for a user through pru_cases.access.get_for_user."""

import ast
import pathlib

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from concerns.models import Concern
from pru_cases.access import Action, get_for_user
from pru_cases.models import AccessEvent

ROOT = pathlib.Path(settings.BASE_DIR)


def test_no_module_but_the_policy_defines_a_getter_for_users():
    """A getter of one's own (`get_<x>_for_user`, `_get_for_user`) would be a second, unaudited way in."""
    found = []
    packages = [directory for directory in ROOT.iterdir() if (directory / "__init__.py").exists()]
    for path in (path for package in packages for path in package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_for_user") and "get" in node.name:
                found.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert sorted(found) == ["pru_cases/access.py:get_for_user", "pru_cases/access.py:get_pupil_for_user"]


@pytest.fixture
def concern(pupil, staff) -> Concern:
    return Concern.objects.create(pupil=pupil, logged_by=staff, category=Concern.Category.WELLBEING, seen="Tired.")


def test_it_scopes_a_model_by_its_pupil_when_given_no_queryset(rf, concern, staff, other_staff):
    request = rf.get("/somewhere/")
    request.user = staff
    assert get_for_user(request, Concern, concern.pk) == concern
    request.user = other_staff
    with pytest.raises(Http404):
        get_for_user(request, Concern, concern.pk)
    outcomes = list(AccessEvent.objects.filter(pupil=concern.pupil).order_by("pk").values_list("user", "outcome"))
    assert outcomes == [(staff.pk, "allowed"), (other_staff.pk, "denied")]


def test_it_refuses_a_role_without_the_action_and_logs_it(rf, concern, staff):
    request = rf.post("/somewhere/")
    request.user = staff
    with pytest.raises(PermissionDenied):
        get_for_user(request, Concern, concern.pk, action=Action.REVIEW_SAFEGUARDING)
    assert AccessEvent.objects.get(user=staff).outcome == AccessEvent.Outcome.FORBIDDEN


def test_it_logs_a_record_that_does_not_exist_as_denied_without_a_pupil(rf, staff):
    request = rf.get("/somewhere/")
    request.user = staff
    with pytest.raises(Http404):
        get_for_user(request, Concern, 999999)
    row = AccessEvent.objects.get(user=staff)
    assert (row.outcome, row.pupil_id) == (AccessEvent.Outcome.DENIED, None)
