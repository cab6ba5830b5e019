import datetime

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.models import Agency, User
from pru_cases.lib.forms import LongText
from pupils.models import HealthRecord, Pupil
from pupils.services import HEALTH_EDITABLE_FIELDS, PUPIL_EDITABLE_FIELDS, may_change_field

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PupilForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Pupil
        fields = PUPIL_EDITABLE_FIELDS
        widgets = {"date_of_birth": DATE_INPUT, "entry_date": DATE_INPUT, "exit_date": DATE_INPUT}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_worker"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(role=User.Role.ADMIN)
            .exclude(agency__kind__in=Agency.HEALTH_KINDS)  # pupils.services._check_key_worker
        )
        self.fields["upn"].help_text = "Optional: 13 characters, as on the school's records."
        # The centre and the key worker decide who sees the pupil. Offered only to those whose role may change
        # them (pupils.services.ACCESS_FIELD_ACTIONS); shown read-only to others, and a disabled field always
        # keeps the saved value, whatever is posted.
        current_site = self.instance.site_id if self.instance.pk else user.site_id
        if not may_change_field(user, "site"):
            self.fields["site"].disabled = True
            self.fields["site"].initial = current_site
            self.fields["site"].queryset = self.fields["site"].queryset.filter(pk=current_site)
            self.fields["site"].help_text = "The DSL or a senior leader moves a pupil to another centre."
        if not may_change_field(user, "key_worker"):
            self.fields["key_worker"].disabled = True
            self.fields["key_worker"].queryset = User.objects.filter(pk=self.instance.key_worker_id)
            self.fields["key_worker"].help_text = "The DSL or a senior leader names the key worker."
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_upn(self) -> str:
        return self.cleaned_data["upn"].strip().upper()

    def clean_date_of_birth(self) -> datetime.date:
        dob = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob >= today:
            raise forms.ValidationError("The date of birth must be in the past.")
        if today.year - dob.year > 25:
            raise forms.ValidationError("This date of birth makes the pupil older than 25: check the year.")
        return dob

    def clean_entry_date(self) -> datetime.date:
        entry = self.cleaned_data["entry_date"]
        if entry > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError("The entry date is more than a year away: check the year.")
        return entry

    def clean(self):
        data = super().clean()
        if data.get("exit_date") and data.get("entry_date") and data["exit_date"] < data["entry_date"]:
            self.add_error("exit_date", "The exit date cannot be before the entry date.")
        if data.get("exit_destination") and not data.get("exit_date"):
            self.add_error("exit_date", "Give the exit date with the destination.")
        return data


class NeedLevelForm(forms.Form):
    level = forms.TypedChoiceField(coerce=int, choices=())
    reason = forms.CharField(max_length=300, widget=forms.TextInput, help_text="What changed, in a line.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            (level, f"{level}: {label}") for level, label in settings.LEVEL_OF_NEED_LABELS.items()
        ]


class ArchiveForm(forms.Form):
    reason = forms.CharField(max_length=200, help_text="For example: left the area, record opened in error.")


class AllocationForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(
            is_active=True, role__in=[User.Role.SPECIALIST, User.Role.FAMILY_WORKER, User.Role.STAFF]
        ).select_related("agency"),
        label="Professional",
    )
    reason = forms.CharField(max_length=200, required=False)


class HealthRecordForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = HealthRecord
        fields = HEALTH_EDITABLE_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in HEALTH_EDITABLE_FIELDS}


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
    reason = LongText(
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
