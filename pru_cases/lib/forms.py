"""Helpers for views that show a service's refusal on the form the user filled in."""

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Attach a service's ValidationError to `form`: per field where the form has that field, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def show_edit_conflict(form: forms.BaseForm, error: ValidationError, *, latest_version: int) -> None:
    """Keep the user's edit in `form`, say why it was not saved, and base the next save on the latest version.

    Saving the form again then applies this edit on top of what the other person saved.
    """
    add_service_errors(form, error)
    form.data = form.data.copy()
    form.data["version"] = latest_version
