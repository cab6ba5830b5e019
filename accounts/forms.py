import datetime

from django import forms

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BreakGlassForm(forms.Form):
    """Find one pupil by UPN, or by surname and date of birth; the reason is required and goes to the DSL."""

    upn = forms.CharField(
        label="UPN",
        max_length=13,
        required=False,
        help_text="13 characters, if you have it.",
    )
    last_name = forms.CharField(label="Surname", max_length=80, required=False)
    date_of_birth = forms.DateField(required=False, widget=DATE_INPUT)
    reason = forms.CharField(
        min_length=20,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why you need this record now. The designated safeguarding lead is told straight away.",
    )

    def clean(self):
        data = super().clean()
        has_upn = bool(data.get("upn", "").strip())
        has_name = bool(data.get("last_name", "").strip()) and isinstance(data.get("date_of_birth"), datetime.date)
        if not (has_upn or has_name) and not self.errors.get("date_of_birth"):
            raise forms.ValidationError("Give the pupil's UPN, or their surname and date of birth.")
        return data


class EmailPreferenceForm(forms.Form):
    email_preference = forms.ChoiceField(
        label="Reminder emails",
        choices=[],
        widget=forms.RadioSelect,
        help_text="Reminders always appear under Notifications. Emails never name a pupil: they link here.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import EmailPreference

        self.fields["email_preference"].choices = EmailPreference.choices
