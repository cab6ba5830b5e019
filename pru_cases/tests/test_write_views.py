"""One shape of write view: a service's refusal goes back on the form the user filled in, with their input."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from families.models import Household
from pru_cases.lib.conflicts import EditConflict
from pru_cases.lib.forms import show_refusal


class NoteForm(forms.Form):
    note = forms.CharField()
    version = forms.IntegerField(required=False)


def _form() -> NoteForm:
    form = NoteForm({"n-note": "What I typed.", "n-version": "1"}, prefix="n")
    assert form.is_valid()
    return form


def test_it_shows_a_refused_input_on_its_field_with_400():
    form = _form()
    assert show_refusal(form, ValidationError({"note": "Too vague."})) == 400
    assert form.errors["note"] == ["Too vague."]
    assert form.data["n-note"] == "What I typed."


def test_it_shows_a_refused_person_with_403_and_the_services_reason():
    form = _form()
    assert show_refusal(form, PermissionDenied("Only the DSL may do this.")) == 403
    assert form.non_field_errors() == ["Only the DSL may do this."]
    assert show_refusal(_form(), PermissionDenied()) == 403


@pytest.mark.django_db
def test_it_shows_a_conflict_with_409_and_bases_the_next_save_on_the_latest_version():
    household = Household.objects.create(name="Example family")
    Household.objects.filter(pk=household.pk).update(version=5)
    form = _form()
    status = show_refusal(
        form, EditConflict("Someone else saved first."), edited=Household.objects.filter(pk=household.pk)
    )
    assert status == 409
    assert form.non_field_errors() == ["Someone else saved first."]
    assert (form.data["n-note"], form.data["n-version"]) == ("What I typed.", 5)


def test_every_service_raises_the_one_edit_conflict():
    from families import services as families
    from meetings import services as meetings
    from outcomes import services as outcomes
    from pupils import services
    from referrals import services as referrals

    assert {module.EditConflict for module in (families, meetings, outcomes, services, referrals)} == {EditConflict}
