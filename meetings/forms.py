"""Forms for meetings: validation only (the services act)."""

from django import forms
from django.db.models import QuerySet

from accounts.models import Agency, Site, User
from meetings.models import Action, Invitee, Meeting, PdfJob
from pru_cases.lib.forms import LongText
from pupils.models import Pupil
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
    people = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="People with an account",
        help_text="Type in the box to narrow the list, then tick everyone to invite.",
    )
    name = forms.CharField(max_length=120, required=False, label="Or a guest's name")
    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), required=False, label="The guest's agency")
    is_family = forms.BooleanField(required=False, label="The guest is a parent or carer")
    allocate = forms.BooleanField(
        required=False,
        label="Also allocate them to the child",
        help_text="Opens the child's record to them beyond this meeting. Left unticked, they are the team around the "
        "child for this meeting only.",
    )

    def __init__(self, *args, meeting: Meeting, may_allocate: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        invited = meeting.invitees.filter(user__isnull=False).values("user_id")
        self.fields["people"].queryset = _people().exclude(pk__in=invited).order_by("last_name", "first_name")
        self.fields["people"].label_from_instance = lambda user: (
            f"{user} · {user.agency}" if user.agency_id else f"{user} · {user.get_role_display()}"
        )
        if meeting.kind != Meeting.Kind.TAC or not may_allocate:
            del self.fields["allocate"]

    def clean(self):
        data = super().clean()
        if not data.get("people") and not (data.get("name") or "").strip() and not self.errors:
            raise forms.ValidationError("Tick the people to invite, or type the name of a guest.")
        return data


class AttendanceForm(forms.Form):
    """Everyone's attendance in one form: one choice per person invited."""

    def __init__(self, *args, invitees: list[Invitee], **kwargs):
        super().__init__(*args, **kwargs)
        self.invitees = invitees
        for invitee in invitees:
            self.fields[f"attendance-{invitee.pk}"] = forms.ChoiceField(
                choices=Invitee.Attendance.choices, initial=invitee.attendance, label=str(invitee), required=False
            )

    def rows(self):
        return [(invitee, self[f"attendance-{invitee.pk}"]) for invitee in self.invitees]

    def attendance(self) -> dict[int, str]:
        """Invitee id -> the attendance chosen; a person left out of the form keeps theirs."""
        chosen = {invitee.pk: self.cleaned_data.get(f"attendance-{invitee.pk}") for invitee in self.invitees}
        return {pk: value for pk, value in chosen.items() if value}


PICK_A_PUPIL = "Choose the pupil: type part of their name and pick them from the list."


class AddPupilForm(forms.Form):
    pupil = forms.ModelChoiceField(
        queryset=Pupil.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"required": PICK_A_PUPIL, "invalid_choice": PICK_A_PUPIL},
    )
    note = forms.CharField(max_length=200, required=False, label="Why")

    def __init__(self, *args, pupils: QuerySet[Pupil], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class DiscussionForm(forms.Form):
    text = LongText(label="What was discussed", widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000)

    def __init__(self, *args, **kwargs):
        # The case shows three forms side by side: their own id prefixes keep every label on its own field.
        kwargs.setdefault("auto_id", "discussion_%s")
        super().__init__(*args, **kwargs)


class DecisionForm(forms.Form):
    text = LongText(
        label="What was decided", widget=forms.Textarea(attrs={"rows": 2}), max_length=20_000, required=False
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
    description = LongText(label="What will be done", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    family_wording = LongText(
        label="How we will say it to the family",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text="For the family's letter, in plain words. Leave empty to use the words above.",
    )
    owner_kind = forms.ChoiceField(label="Who does it", choices=Action.Owner.choices)
    owner_user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Member of staff")
    owner_agency = forms.ModelChoiceField(queryset=Agency.objects.all(), required=False, label="Agency")
    owner_name = forms.CharField(max_length=120, required=False, label="Parent or carer's name")
    due_on = forms.DateField(label="By when", widget=DATE)
    success_criteria = LongText(
        label="How we will know it has worked", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "action_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = _people()


class ProgressForm(forms.Form):
    text = LongText(label="Progress", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(Action.Status.DONE, "Done"), (Action.Status.DROPPED, "Dropped")])
    reason = forms.CharField(max_length=300, required=False, label="Why dropped")
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    summary = LongText(
        label="Summary for the minutes", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000
    )
    carry_over = forms.BooleanField(
        required=False,
        initial=True,
        label="Carry the cases not reached over to the next meeting",
        help_text="Untick only if they need no discussion: they then stay in these minutes as not discussed.",
    )
    next_review_on = forms.DateField(
        label="Next meeting",
        widget=DATE,
        required=False,
        help_text="When the team will meet again: the family's letter gives the date.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SharingBasisForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Site.objects.all(), required=False, empty_label="Every centre without a basis of its own"
    )
    agreement = forms.CharField(
        label="Partnership agreement", max_length=200, help_text="Its title, version and where it is kept."
    )
    agreed_on = forms.DateField(widget=DATE)
    review_on = forms.DateField(widget=DATE, required=False)
    lawful_basis = LongText(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="In the agreement's words: the UK GDPR Article 6 and Article 9 conditions, and the duty it rests on.",
    )
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Core agencies",
        help_text="Every active member of their staff is a core member.",
    )
    people = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Core people",
        help_text="People whose agency is not a core agency.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = (
            _people().exclude(role__in=(User.Role.DSL, User.Role.SENIOR_LEADER)).order_by("last_name", "first_name")
        )
        self.fields["people"].label_from_instance = lambda user: (
            f"{user} · {user.agency}" if user.agency_id else f"{user} · {user.get_role_display()}"
        )

    def clean(self):
        data = super().clean()
        if data.get("agreed_on") and data.get("review_on") and data["review_on"] <= data["agreed_on"]:
            self.add_error("review_on", "The review comes after the agreement: check the dates.")
        return data


class PdfForm(forms.Form):
    kind = forms.ChoiceField(choices=[])

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["kind"].choices = [(k, PdfJob.Kind(k).label) for k in kinds]
