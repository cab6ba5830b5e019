"""The helpers of rows written in Python give what Django's `date` filter and `get_FOO_display()` give."""

import datetime

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from pru_cases.lib.rows import ChoiceLabels, day_month_year
from pupils.models import Pupil
from referrals.models import Referral

MOMENTS = [
    datetime.datetime(2026, 1, 1, 0, 30, tzinfo=datetime.UTC),
    datetime.datetime(2026, 3, 28, 23, 59, tzinfo=datetime.UTC),  # the night the clocks go forward
    datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC),  # already 1 July in London
    datetime.datetime(2026, 12, 31, 23, 59, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_day_month_year_is_the_date_filters_j_m_y_in_local_time(moment):
    assert day_month_year(moment) == date_filter(timezone.localtime(moment), "j M Y")


@pytest.mark.parametrize(
    ("model", "names"),
    [
        (Referral, ("specialism", "urgency", "consent_status", "status")),
        (Pupil, ("send_status", "social_care_status", "status")),
    ],
)
def test_choice_labels_are_what_get_display_gives(model, names):
    labels = ChoiceLabels(model, *names)
    for name in names:
        for value, _label in model._meta.get_field(name).flatchoices:
            record = model(**{name: value})
            assert str(labels(record, name)) == str(getattr(record, f"get_{name}_display")())
        stray = model(**{name: "not-a-choice"})  # a value no longer offered shows as stored, as Django shows it
        assert labels(stray, name) == getattr(stray, f"get_{name}_display")()
