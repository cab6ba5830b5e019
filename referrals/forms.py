from django import forms
from django.utils import timezone

from accounts.models import Agency, User
from pru_cases.lib.forms import LongText
from referrals.models import INFORMATION_AGENCY_KINDS, Referral, Specialism
from referrals.selectors import specialists_for

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReferralForm(forms.Form):
    specialism = forms.ChoiceField(label="Specialism requested", choices=Specialism.choices)
    reasons = LongText(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="What has been seen, and what help is asked for.",
    )
    tried = LongText(
        label="Already tried in the universal offer",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        help_text="So specialist work never duplicates what the centre already offers.",
    )
    consent_status = forms.ChoiceField(label="Consent (pupil / parent or carer)", choices=Referral.Consent.choices)
    urgency = forms.ChoiceField(choices=Referral.Urgency.choices)


class TriageForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(value, Referral.Status(value).label) for value in Referral.TRIAGED], widget=forms.RadioSelect
    )
    specialist = forms.ModelChoiceField(queryset=User.objects.none(), required=False, help_text="For an allocation.")
    duplication_reason = forms.CharField(
        max_length=300, required=False, help_text="Only when the pupil already has an open intervention of this kind."
    )
    offer = forms.CharField(
        label="Universal offer", max_length=200, required=False, help_text="For a signpost, e.g. small-group literacy."
    )
    reason = forms.CharField(label="Reason for declining", max_length=300, required=False)
    escalation = forms.ChoiceField(choices=[("", "---------"), *Referral.Escalation.choices], required=False)
    note = forms.CharField(label="Note for the record", max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = specialists_for(referral.specialism)
        self.fields["version"].initial = referral.version


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("", "---------"), *Referral.Outcome.choices])
    note = LongText(label="Outcome note", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class SessionForm(forms.Form):
    held_on = forms.DateField(widget=DATE_INPUT, initial=timezone.localdate)
    minutes = forms.IntegerField(min_value=5, max_value=480, initial=45)
    attended = forms.BooleanField(required=False, initial=True, label="The pupil attended")
    notes = LongText(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False)
    health_notes = LongText(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        help_text="Seen only by health staff and the DSL.",
    )

    def __init__(self, *args, show_health: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_health:
            del self.fields["health_notes"]


class InterventionForm(forms.Form):
    review_date = forms.DateField(widget=DATE_INPUT, required=False)
    goals = LongText(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class InformationRequestForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(kind__in=INFORMATION_AGENCY_KINDS))
    contact = forms.CharField(
        label="Of whom", max_length=160, required=False, help_text="Person, team or local authority."
    )
    question = LongText(label="What was asked", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    asked_on = forms.DateField(widget=DATE_INPUT, initial=timezone.localdate)
    due_by = forms.DateField(widget=DATE_INPUT, required=False, help_text="Leave blank for two weeks after asking.")


class AnswerForm(forms.Form):
    answered_on = forms.DateField(widget=DATE_INPUT, initial=timezone.localdate)
    answer = LongText(label="What they said", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False)
