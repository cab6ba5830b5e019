"""Forms validate input only; the services in families/services.py do the writing."""

from django import forms

from accounts.models import User
from families import services
from families.models import (
    Carer,
    Consent,
    FollowUpCheck,
    FreshStartInterview,
    HomeVisit,
    Household,
    ReintegrationPlan,
    SchoolVisit,
    SharingDecision,
    Sibling,
    SupportAction,
)
from pru_cases.lib.forms import LongText
from pupils.models import School

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _active_users():
    return User.objects.filter(is_active=True).exclude(role=User.Role.ADMIN).select_related("agency")


class HouseholdForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Household
        fields = services.HOUSEHOLD_FIELDS
        widgets = {"address": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if data.get("interpreter_needed") and not data.get("interpreter_language", "").strip():
            self.add_error("interpreter_language", "Say which language the interpreter needs.")
        return data


class JoinHouseholdForm(forms.Form):
    household = forms.ModelChoiceField(
        queryset=Household.objects.none(),
        label="Existing household",
        help_text="Households sharing the pupil's surname (by name, carer or a pupil on roll).",
    )

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households.filter(status=Household.Status.ACTIVE)


class CarerForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Carer
        fields = services.CARER_FIELDS
        widgets = {"address": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["is_active"]

    def clean(self):
        data = super().clean()
        if (
            not (data.get("phone") or data.get("email") or data.get("address"))
            and data.get("lives_with_pupil") is False
        ):
            self.add_error("phone", "Give a way to reach a carer who lives elsewhere.")
        return data


class SiblingForm(forms.ModelForm):
    class Meta:
        model = Sibling
        fields = services.SIBLING_FIELDS
        widgets = {"date_of_birth": DATE_INPUT}


class ConsentForm(forms.ModelForm):
    status = forms.ChoiceField(
        choices=[(Consent.Status.GIVEN, "Given"), (Consent.Status.REFUSED, "Refused")], label="Decision"
    )

    class Meta:
        model = Consent
        fields = services.CONSENT_FIELDS
        widgets = {"decided_on": DATE_INPUT, "expires_on": DATE_INPUT}

    def __init__(self, *args, carers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_by_carer"].queryset = carers
        self.fields["given_by_carer"].label = "Carer (if a carer decided)"
        self.fields["given_by"].label = "Decided by"

    def clean(self):
        data = super().clean()
        if data.get("expires_on") and data.get("decided_on") and data["expires_on"] < data["decided_on"]:
            self.add_error("expires_on", "The expiry date comes after the decision.")
        return data


class WithdrawConsentForm(forms.Form):
    withdrawn_on = forms.DateField(widget=DATE_INPUT, label="Withdrawn on")
    reason = forms.CharField(max_length=300, label="What was said")


class SharingDecisionForm(forms.ModelForm):
    shared = forms.TypedChoiceField(
        coerce=lambda value: value == "yes", choices=[("yes", "Shared"), ("no", "Not shared")], label="Decision"
    )

    class Meta:
        model = SharingDecision
        fields = services.SHARING_FIELDS
        widgets = {"decided_on": DATE_INPUT, "why": forms.Textarea(attrs={"rows": 2})}


class SupportActionForm(forms.ModelForm):
    class Meta:
        model = SupportAction
        fields = services.SUPPORT_FIELDS
        widgets = {"due_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _active_users()
        self.fields["owner"].required = False
        self.fields["owner"].help_text = "Leave empty to own it yourself."


class SupportActionUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=SupportAction.Status.choices)
    outcome = LongText(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class HomeVisitForm(forms.ModelForm):
    class Meta:
        model = HomeVisit
        fields = services.HOME_VISIT_FIELDS
        widgets = {
            "visited_on": DATE_INPUT,
            "findings": forms.Textarea(attrs={"rows": 3}),
            "follow_ups": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = _active_users()
        self.fields["colleague"].label = "Colleague who went too"


class FreshStartForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = FreshStartInterview
        fields = services.FRESH_START_FIELDS
        widgets = {
            "held_on": DATE_INPUT,
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("positives", "negatives", "goals", "needs", "help_offered")
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = _active_users()
        self.fields["school_staff"].queryset = users.filter(role__in=services.SCHOOL_STAFF_ROLES)
        self.fields["agency_member"].queryset = users.filter(role__in=services.AGENCY_MEMBER_ROLES)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class MdtDiscussedForm(forms.Form):
    discussed_on = forms.DateField(widget=DATE_INPUT, label="Discussed at the MDT on")
    note = forms.CharField(max_length=300, required=False, label="Note for the record")


# Reintegration -----------------------------------------------------------------------------------------


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReadinessForm(VersionForm):
    ready = forms.TypedChoiceField(
        coerce=lambda value: value == "yes",
        choices=[("yes", "Ready to look at a return to mainstream"), ("no", "Not ready yet")],
        widget=forms.RadioSelect,
        label="Readiness decision",
    )
    reason = LongText(widget=forms.Textarea(attrs={"rows": 2}), label="Why")


class PreferencesForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ReintegrationPlan
        fields = services.PREFERENCE_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in services.PREFERENCE_FIELDS}


class ShortlistForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.exclude(phase=School.Phase.ALTERNATIVE))
    reason = forms.CharField(max_length=300, required=False, label="Why this school")


class ArrangeVisitForm(forms.Form):
    shortlisted = forms.ModelChoiceField(queryset=None, label="School")
    visit_on = forms.DateField(widget=DATE_INPUT, label="Visit date")
    accompanied_by = forms.ModelChoiceField(queryset=None, required=False, help_text="Leave empty if you are going.")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shortlisted"].queryset = plan.shortlist.filter(withdrawn=False).select_related("school")
        self.fields["shortlisted"].label_from_instance = lambda entry: entry.school.name
        self.fields["accompanied_by"].queryset = _active_users()


class VisitOutcomeForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(value, label) for value, label in SchoolVisit.Status.choices if value != SchoolVisit.Status.ARRANGED],
        label="Outcome",
    )
    pupil_feedback = LongText(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    parent_feedback = LongText(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    staff_notes = LongText(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SendPreferenceForm(VersionForm):
    """One rank field per shortlisted school (1 = first choice; empty = not wanted)."""

    sent_to = forms.ModelChoiceField(queryset=None, label="Senior staff member")
    note = LongText(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Family's view, in a few lines")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(plan.shortlist.filter(withdrawn=False).select_related("school"))
        for entry in self.entries:
            self.fields[f"rank_{entry.pk}"] = forms.IntegerField(
                min_value=1, max_value=len(self.entries), required=False, label=f"Rank for {entry.school.name}"
            )
        self.fields["sent_to"].queryset = User.objects.filter(
            is_active=True, role__in=[User.Role.SENIOR_LEADER, User.Role.DSL]
        )
        self.order_fields([*(f"rank_{entry.pk}" for entry in self.entries), "sent_to", "note"])

    def clean(self):
        data = super().clean()
        ranks = {entry: data.get(f"rank_{entry.pk}") for entry in self.entries}
        chosen = {entry: rank for entry, rank in ranks.items() if rank}
        if not chosen:
            raise forms.ValidationError("Rank at least one school (1 = the family's first choice).")
        if sorted(chosen.values()) != list(range(1, len(chosen) + 1)):
            raise forms.ValidationError("Use each rank once, starting at 1, with no gaps.")
        data["ranking"] = sorted(chosen, key=chosen.get)
        return data


class AllocateForm(VersionForm):
    # Any school: the admissions panel may place the pupil somewhere that was not on the shortlist.
    school = forms.ModelChoiceField(queryset=School.objects.all(), label="Allocated school")
    start_date = forms.DateField(widget=DATE_INPUT)
    phased_timetable = LongText(widget=forms.Textarea(attrs={"rows": 3}), label="Phased timetable")


class FollowUpForm(forms.Form):
    done_on = forms.DateField(widget=DATE_INPUT, label="Checked on")
    outcome = forms.ChoiceField(choices=FollowUpCheck.Outcome.choices)
    notes = LongText(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ClosePlanForm(VersionForm):
    completed = forms.TypedChoiceField(
        coerce=lambda value: value == "yes",
        choices=[("yes", "Completed: settled at the new school"), ("no", "Closed without a return")],
        label="How the plan ends",
    )
    reason = LongText(widget=forms.Textarea(attrs={"rows": 2}), label="Summary")
