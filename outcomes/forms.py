"""Forms for the outcome measures. Validation only: the services act."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from accounts.models import Site
from outcomes import sdq
from outcomes.models import DestinationFollowUp, Exclusion, FamilyFeedback, PassSurvey, ReadingTest, SDQResponse
from outcomes.models.measures import FEEDBACK_QUESTIONS, PASS_FACTORS, Occasion

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The box ticked, by position on the paper form ("blank": not answered). The item wording is never shown.
BOX_CHOICES = [("", "blank"), ("0", "0 · not true"), ("1", "1 · somewhat true"), ("2", "2 · certainly true")]
IMPACT_CHOICES = [
    ("", "blank"),
    ("0", "0 · not at all"),
    ("1", "1 · only a little"),
    ("2", "2 · quite a lot"),
    ("3", "3 · a great deal"),
]
IMPACT_LABELS = {
    "distress": "Impact: distress",
    "home": "Impact: home life",
    "friendships": "Impact: friendships",
    "classroom": "Impact: classroom learning",
    "leisure": "Impact: leisure activities",
    "peers": "Impact: peer relationships",
}
HAS_DIFFICULTIES_CHOICES = [("", "Not completed"), ("no", "No"), ("yes", "Yes")]


def item_field_name(item: int) -> str:
    return f"item_{item}"


class SDQForm(forms.Form):
    informant = forms.ChoiceField(choices=SDQResponse.Informant.choices)
    occasion = forms.ChoiceField(choices=Occasion.choices)
    completed_on = forms.DateField(widget=DATE_INPUT)
    help_given = forms.BooleanField(required=False, label="Help was given to complete it")
    help_detail = forms.CharField(required=False, max_length=200, label="Who helped, and how")
    has_difficulties = forms.ChoiceField(
        choices=HAS_DIFFICULTIES_CHOICES, required=False, label="Impact supplement: difficulties reported?"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in sdq.ITEMS:
            self.fields[item_field_name(item)] = forms.TypedChoiceField(
                label=f"Item {item}",
                choices=BOX_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
        for name, label in IMPACT_LABELS.items():
            self.fields[f"impact_{name}"] = forms.TypedChoiceField(
                label=label,
                choices=IMPACT_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )

    def item_fields(self):
        return [self[item_field_name(item)] for item in sdq.ITEMS]

    def impact_fields(self):
        return [self[f"impact_{name}"] for name in IMPACT_LABELS]

    def clean_completed_on(self) -> datetime.date:
        day = self.cleaned_data["completed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The questionnaire cannot have been completed in the future.")
        return day

    def clean(self):
        data = super().clean()
        answered = [item for item in sdq.ITEMS if data.get(item_field_name(item)) is not None]
        if not answered:
            raise forms.ValidationError("Tick the box for each item the respondent answered.")
        informant = data.get("informant")
        if data.get("has_difficulties") == "yes" and informant in sdq.IMPACT_ITEMS:
            expected = set(sdq.IMPACT_ITEMS[informant])
            for name in IMPACT_LABELS:
                value = data.get(f"impact_{name}")
                if value is not None and name not in expected:
                    self.add_error(f"impact_{name}", f"This question is not on the {informant} form.")
        if data.get("help_given") and not (data.get("help_detail") or "").strip():
            self.add_error(
                "help_detail", "Say who helped and how (for example: questions read aloud by the key worker)."
            )
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        has = {"yes": True, "no": False}.get(data.get("has_difficulties") or "")
        return {
            "informant": data["informant"],
            "occasion": data["occasion"],
            "completed_on": data["completed_on"],
            "help_given": data["help_given"],
            "help_detail": data.get("help_detail", ""),
            "answers": {item: data.get(item_field_name(item)) for item in sdq.ITEMS},
            "has_difficulties": has,
            "impact_answers": {name: data.get(f"impact_{name}") for name in IMPACT_LABELS} if has else None,
        }


class AttendanceImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns: upn, date, session, mark (see below).")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Choose a .csv file exported from the MIS.")
        return upload


def academic_year_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def cohort_choices() -> list[tuple[str, str]]:
    this_year = academic_year_start(timezone.localdate()).year
    return [("", "All cohorts")] + [
        (str(year), f"Joined in {year}/{str(year + 1)[-2:]}") for year in range(this_year, this_year - 6, -1)
    ]


class OversightFilterForm(forms.Form):
    """Site, period and cohort (the academic year a pupil joined the PRU)."""

    site = forms.ModelChoiceField(queryset=Site.objects.all(), required=False, empty_label="All sites")
    start = forms.DateField(required=False, widget=DATE_INPUT, label="From")
    end = forms.DateField(required=False, widget=DATE_INPUT, label="To")
    cohort = forms.TypedChoiceField(choices=(), required=False, coerce=int, empty_value=None)
    informant = forms.ChoiceField(choices=SDQResponse.Informant.choices, required=False, label="SDQ informant")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = cohort_choices()
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["start"] = data.get("start") or academic_year_start(today)
        data["end"] = data.get("end") or today
        data["informant"] = data.get("informant") or SDQResponse.Informant.SELF
        if data["end"] < data["start"]:
            self.add_error("end", "The end of the period is before its start.")
        elif (data["end"] - data["start"]).days > 366 * 5:
            self.add_error("start", "Choose a period of five years or less.")
        return data


class ReadingTestForm(forms.ModelForm):
    reading_age_years = forms.IntegerField(min_value=4, max_value=20, label="Reading age: years")
    reading_age_extra_months = forms.IntegerField(min_value=0, max_value=11, label="and months", initial=0)

    class Meta:
        model = ReadingTest
        fields = ["occasion", "tested_on", "standard_age_score"]
        widgets = {"tested_on": DATE_INPUT}

    def clean(self):
        data = super().clean()
        if data.get("reading_age_years") is not None and data.get("reading_age_extra_months") is not None:
            data["reading_age_months"] = data.pop("reading_age_years") * 12 + data.pop("reading_age_extra_months")
        return data


class PassSurveyForm(forms.ModelForm):
    class Meta:
        model = PassSurvey
        fields = ["occasion", "completed_on", *(name for name, _ in PASS_FACTORS)]
        widgets = {"completed_on": DATE_INPUT}


class ExclusionForm(forms.ModelForm):
    class Meta:
        model = Exclusion
        fields = ["kind", "school", "start_date", "days", "reason"]
        widgets = {"start_date": DATE_INPUT}


class DestinationFollowUpForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = DestinationFollowUp
        fields = ["checkpoint", "status", "detail", "checked_on"]
        widgets = {"checked_on": DATE_INPUT}


class FamilyFeedbackForm(forms.ModelForm):
    class Meta:
        model = FamilyFeedback
        fields = ["moment", "respondent", "given_on", *(name for name, _ in FEEDBACK_QUESTIONS), "difference_made"]
        widgets = {
            "given_on": DATE_INPUT,
            **{name: forms.RadioSelect(choices=[(n, str(n)) for n in range(1, 6)]) for name, _ in FEEDBACK_QUESTIONS},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, _ in FEEDBACK_QUESTIONS:
            self.fields[name].widget.choices = [("", "skip")] + [(n, str(n)) for n in range(1, 6)]


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=160, label="Why is it being withdrawn?")
