"""Helpers for table rows written in Python (the pupil list, the referral tables): what Django's templates and
`get_FOO_display()` give, without the cost they have on every row."""

import datetime

from django.db.models import Model
from django.utils import timezone
from django.utils.dates import MONTHS_3


def choice_labels(model: type[Model], *names: str) -> dict[str, dict]:
    """For each field of `names`, its stored values and their labels: `labels[name].get(value, value)` is what
    `get_<name>_display()` returns. That method builds the same dictionary again on every call."""
    return {name: dict(model._meta.get_field(name).flatchoices) for name in names}


def day_month_year(moment: datetime.datetime) -> str:
    """`moment` in local time as the `date` filter writes "j M Y" ("4 Mar 2026")."""
    local = timezone.localtime(moment)
    return f"{local.day} {MONTHS_3[local.month].title()} {local.year}"
