from django import forms

from accounts.models import EmailPreference

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EmailPreferenceForm(forms.Form):
    email_preference = forms.ChoiceField(
        label="Reminder emails",
        choices=[],
        widget=forms.RadioSelect,
        help_text="Reminders always appear under Notifications. Emails never name a pupil: they link here.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["email_preference"].choices = EmailPreference.choices
