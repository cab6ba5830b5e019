"""Helpers for table rows written in Python (the pupil list, the referral tables): what Django's templates and
`get_FOO_display()` give, without the cost they have on every row."""

import datetime

from django.db.models import Model
from django.utils import timezone
from django.utils.dates import MONTHS_3


class ChoiceLabels:
    """`labels(record, name)` is what `record.get_<name>_display()` returns, for each field of `names`.

    That method builds the field's dictionary of choices again on every call; these are built once."""

    def __init__(self, model: type[Model], *names: str):
        self._labels = {name: dict(model._meta.get_field(name).flatchoices) for name in names}

    def __call__(self, record: Model, name: str):
        value = getattr(record, name)
        return self._labels[name].get(value, value)


def day_month_year(moment: datetime.datetime) -> str:
    """`moment` in local time as the `date` filter writes "j M Y" ("4 Mar 2026")."""
    local = timezone.localtime(moment)
    return f"{local.day} {MONTHS_3[local.month].title()} {local.year}"
