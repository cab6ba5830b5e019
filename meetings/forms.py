"""Forms for meetings: validation only (the services act)."""

from django import forms
from django.db.models import QuerySet

from accounts.models import Agency, Site, User
from meetings.models import Action, Invitee, Meeting, PdfJob
from referrals.models import Referral

DATE = forms.DateInput(attrs={"type": "date"})


def _people() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(role=User.Role.ADMIN).select_related("agency")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(choices=Meeting.Kind.choices)
    title = forms.CharField(max_length=160)
    held_on = forms.DateField(label="Date", widget=DATE)
    starts_at = forms.TimeField(label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.CharField(max_length=120, required=False)
    site = forms.ModelChoiceField(
        queryset=Site.objects.all(),
        required=False,
        help_text="An MDT for one centre picks up that centre's pupils only.",
    )
    pupil = forms.IntegerField(
        label="Pupil (TAC only)", required=False, widget=forms.HiddenInput, help_text="Set from the pupil page."
    )
    recurrence = forms.ChoiceField(choices=Meeting.Recurrence.choices, initial=Meeting.Recurrence.NONE)
    chair = forms.ModelChoiceField(queryset=User.objects.none())
    minute_taker = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    invite = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = _people().filter(role__in=(User.Role.DSL, User.Role.SENIOR_LEADER))
        self.fields["minute_taker"].queryset = _people()
        self.fields["invite"].queryset = _people()


class InviteeForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Person")
    name = forms.CharField(max_length=120, required=False, label="Or a guest's name")
    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), required=False)
    is_family = forms.BooleanField(required=False, label="Parent or carer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _people()


class AttendanceForm(forms.Form):
    invitee = forms.IntegerField(widget=forms.HiddenInput)
    attendance = forms.ChoiceField(choices=Invitee.Attendance.choices)


class AddPupilForm(forms.Form):
    pupil = forms.IntegerField(label="Pupil number (from the pupil page address)", min_value=1)
    note = forms.CharField(max_length=200, required=False, label="Why")


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class DiscussionForm(forms.Form):
    text = forms.CharField(label="What was discussed", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, **kwargs):
        # The case shows three forms side by side: their own id prefixes keep every label on its own field.
        kwargs.setdefault("auto_id", "discussion_%s")
        super().__init__(*args, **kwargs)


class DecisionForm(forms.Form):
    text = forms.CharField(
        label="What was decided", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False
    )
    referral = forms.ModelChoiceField(
        queryset=Referral.objects.none(), required=False, label="Triage a referral", empty_label="(no triage)"
    )
    outcome = forms.ChoiceField(
        choices=[("", "(choose)")] + [(s.value, s.label) for s in Referral.TRIAGED],
        required=False,
        label="Triage outcome",
    )
    specialist = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Allocate to")
    duplication_reason = forms.CharField(max_length=300, required=False, label="Why a second intervention is needed")
    offer = forms.CharField(max_length=200, required=False, label="Universal offer signposted to")
    reason = forms.CharField(max_length=300, required=False, label="Reason for declining")
    escalation = forms.ChoiceField(choices=[("", "(choose)")] + list(Referral.Escalation.choices), required=False)

    def __init__(self, *args, referrals: QuerySet | None = None, **kwargs):
        kwargs.setdefault("auto_id", "decision_%s")
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = referrals if referrals is not None else Referral.objects.none()
        self.fields["specialist"].queryset = _people().filter(role__in=(User.Role.SPECIALIST, User.Role.FAMILY_WORKER))

    def clean(self):
        data = super().clean()
        if data.get("referral") and not data.get("outcome"):
            self.add_error("outcome", "Choose the triage outcome for this referral.")
        if not data.get("referral") and not (data.get("text") or "").strip():
            self.add_error("text", "Write what was decided.")
        return data


class ActionForm(forms.Form):
    description = forms.CharField(label="What will be done", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    owner_kind = forms.ChoiceField(label="Who does it", choices=Action.Owner.choices)
    owner_user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Member of staff")
    owner_agency = forms.ModelChoiceField(queryset=Agency.objects.all(), required=False, label="Agency")
    owner_name = forms.CharField(max_length=120, required=False, label="Parent or carer's name")
    due_on = forms.DateField(label="By when", widget=DATE)
    success_criteria = forms.CharField(
        label="How we will know it has worked", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "action_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = _people()


class ProgressForm(forms.Form):
    text = forms.CharField(label="Progress", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(Action.Status.DONE, "Done"), (Action.Status.DROPPED, "Dropped")])
    reason = forms.CharField(max_length=300, required=False, label="Why dropped")
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PdfForm(forms.Form):
    kind = forms.ChoiceField(choices=[])

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["kind"].choices = [(k, PdfJob.Kind(k).label) for k in kinds]
