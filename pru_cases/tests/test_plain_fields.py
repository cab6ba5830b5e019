"""`{% plain_field %}` writes the widgets it knows in Python: each must come out as Django's own templates write it."""

import datetime

import pytest
from django import forms
from django.test.html import parse_html

from pru_cases.lib.forms import plain_widgets
from pru_cases.templatetags.fields import _radio_options, _widget


class Sample(forms.Form):
    pupil = forms.IntegerField(widget=forms.HiddenInput)
    category = forms.ChoiceField(
        choices=[("behaviour", "Behaviour <change>"), ("attendance", "Attendance"), ("", "Not sure")],
        widget=forms.RadioSelect,
        help_text="Pick one.",
    )
    optional = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, required=False)
    locked = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, disabled=True)
    when = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"), required=False
    )
    words = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Facts only.")


def _forms():
    blank = Sample()
    filled = Sample(
        initial={"pupil": 7, "category": "attendance", "locked": "b", "when": datetime.datetime(2026, 3, 4, 9, 30)}
    )
    wrong = Sample({"pupil": "x", "category": "nonsense", "optional": "", "words": ""})
    wrong.is_valid()
    chosen = Sample({"pupil": "3", "category": "", "optional": "b", "words": "Said <no>"})
    chosen.is_valid()
    return [plain_widgets(form) for form in (blank, filled, wrong, chosen)]


@pytest.mark.parametrize("form", _forms())
def test_radio_buttons_come_out_as_djangos_templates_write_them(form):
    for name in ("category", "optional", "locked"):
        field = form[name]
        ours = [(str(tag), str(id_), str(label)) for tag, id_, label in _radio_options(field)]
        djangos = [(str(choice.tag()), str(choice.id_for_label), str(choice.choice_label)) for choice in field]
        assert [(parse_html(tag), id_, label) for tag, id_, label in ours] == [
            (parse_html(tag), id_, label) for tag, id_, label in djangos
        ]


@pytest.mark.parametrize("form", _forms())
def test_inputs_come_out_as_djangos_templates_write_them(form):
    for name in ("pupil", "when", "words"):
        field = form[name]
        assert parse_html(str(_widget(field))) == parse_html(str(field.as_widget()))
