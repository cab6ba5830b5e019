from django import forms
from django.db.models import QuerySet

from concerns.models import Concern
from pru_cases.lib.forms import LongText
from pupils.models import Pupil

# Long enough for a full account of an incident, pasted from a witness statement.
CONCERN_LIMIT = 20_000

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ConcernForm(forms.Form):
    pupil = forms.ModelChoiceField(
        queryset=Pupil.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose the pupil: type part of their name and pick them from the list.",
            "invalid_choice": "Choose the pupil: type part of their name and pick them from the list.",
        },
    )
    category = forms.ChoiceField(choices=Concern.Category.choices, widget=forms.RadioSelect)
    seen = LongText(
        label="What was seen or heard",
        max_length=CONCERN_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Facts only: what happened, where, and the pupil's own words if they said something.",
    )
    occurred_at = forms.DateTimeField(
        label="When", widget=DATETIME_INPUT, required=False, help_text="Leave blank for now."
    )

    def __init__(self, *args, pupils: QuerySet[Pupil], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils


class ConcernReviewForm(forms.Form):
    note = LongText(label="What was done", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
