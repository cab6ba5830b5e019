from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from concerns.models import Concern, Escalation, EscalationRoute, StatutoryMeeting
from concerns.selectors import escalation_owners, pru_people
from pru_cases.lib.forms import LongText
from pupils.models import Pupil

# Long enough for a full account of an incident, pasted from a witness statement.
CONCERN_LIMIT = 20_000

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


PICK_THE_PUPIL = "Choose the pupil: type part of their name and pick them from the list."


class ConcernForm(forms.Form):
    pupil = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": PICK_THE_PUPIL, "invalid": PICK_THE_PUPIL},
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

    def __init__(self, *args, pupil: Pupil | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pupil = pupil  # fetched, scoped and audited by the view

    def clean_pupil(self) -> Pupil:
        """The pupil the page was opened for; no query of its own."""
        if self.pupil is None or self.cleaned_data["pupil"] != self.pupil.pk:
            raise ValidationError(PICK_THE_PUPIL, code="invalid_choice")
        return self.pupil


class ConcernReviewForm(forms.Form):
    note = LongText(label="What was done", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SUMMARY_LIMIT = 5_000


class EscalationForm(forms.Form):
    route = forms.ChoiceField(label="Taken to", choices=EscalationRoute.choices)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), help_text="Who follows it up until the outcome is known."
    )
    due_on = forms.DateField(label="Due", widget=DATE_INPUT, help_text="When an answer or the next step is due.")
    outside_reference = forms.CharField(
        label="Outside reference",
        max_length=80,
        required=False,
        help_text="The MASH reference or police log number, when there is one.",
    )
    summary = LongText(
        label="What was passed on", max_length=SUMMARY_LIMIT, rows=4, help_text="What was passed on, to whom, and why."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = escalation_owners()


class EscalationEditForm(EscalationForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class EscalationCloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=[("", "Choose the outcome"), *Escalation.Outcome.choices])
    outcome_note = LongText(label="About the outcome", max_length=SUMMARY_LIMIT, rows=3, required=False)
    outside_reference = forms.CharField(
        label="Outside reference",
        max_length=80,
        required=False,
        help_text="Fill in if the reference came with the outcome; leave blank to keep the one on record.",
    )


class StatutoryMeetingForm(forms.Form):
    kind = forms.ChoiceField(choices=StatutoryMeeting.Kind.choices)
    held_on = forms.DateField(label="Held on", widget=DATE_INPUT)
    attended_by = forms.ModelMultipleChoiceField(
        label="Attended for the PRU", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    others_attending = forms.CharField(
        label="Others from the PRU", max_length=300, required=False, help_text="Anyone not listed above."
    )
    decisions = LongText(label="Decisions", max_length=SUMMARY_LIMIT, rows=5)
    next_on = forms.DateField(label="Next meeting", widget=DATE_INPUT, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended_by"].queryset = pru_people()


class StatutoryMeetingEditForm(StatutoryMeetingForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
