"""Helpers for write views, which all have one shape:

    form = SomeForm(request.POST)
    if not form.is_valid():
        return render(request, template, context | {"form": form}, status=400)
    try:
        services.thing_do(..., **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        return render(request, template, context | {"form": form}, status=show_refusal(form, refusal))
    messages.success(request, "Done.")
    return redirect(...)

The form is shown again with what the user typed and why it was not saved: 400 for input the service refused,
403 for a person it refused, 409 when someone else saved first.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from pru_cases.lib.conflicts import EditConflict


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
    form.data[form.add_prefix("version")] = latest_version


def show_refusal(
    form: forms.BaseForm, refusal: ValidationError | PermissionDenied, *, edited: QuerySet | None = None
) -> int:
    """Put a service's refusal on `form` (the user's input stays in it) and return the status to show it with.

    409 for an `EditConflict`: with `edited` (the record being edited, as a one-row queryset read only now) the
    next save is based on its latest version, so saving again applies this edit on top of the other person's.
    403 when the service refused this person, 400 when it refused the input.
    """
    if isinstance(refusal, EditConflict):
        if edited is None:
            add_service_errors(form, refusal)
        else:
            show_edit_conflict(form, refusal, latest_version=edited.values_list("version", flat=True).get())
        return 409
    if isinstance(refusal, PermissionDenied):
        form.add_error(None, str(refusal) or "You may not do this.")
        return 403
    add_service_errors(form, refusal)
    return 400


# Bootstrap's class for each kind of widget, for forms drawn with templates/_field.html instead of crispy-forms.
_WIDGET_CLASSES = {"select": "form-select", "checkbox": "form-check-input", "radioselect": "form-check-input"}


def plain_widgets(form: forms.BaseForm) -> forms.BaseForm:
    """Give each visible widget of `form` Bootstrap's class, so templates/_field.html can draw it as it is.

    On busy pages this replaces crispy-forms, which costs several milliseconds a form to lay out the same markup.
    """
    for field in form.fields.values():
        widget = field.widget
        if widget.is_hidden:
            continue
        kind = widget.__class__.__name__.lower()
        kind = "select" if "select" in kind and "radio" not in kind else kind.removesuffix("input")
        css = _WIDGET_CLASSES.get(kind, "form-control")
        if css not in widget.attrs.get("class", "").split():
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        _mark_plain_select(field)
    return form


def _mark_plain_select(field: forms.Field) -> None:
    """Let templates/_field.html write a plain single-choice select's options itself.

    Django draws each <option> through two more templates, which on a filter form of a few selects costs more than the
    rest of the page's markup. Only a plain `Select` with no attributes but its class qualifies, and a model choice only
    when it starts with an empty choice (so deciding on `required` never runs its query).
    """
    widget = field.widget
    if type(widget) is not forms.Select or set(widget.attrs) - {"class"}:
        return
    if isinstance(field, forms.ModelChoiceField):
        starts_empty = field.empty_label is not None
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        starts_empty = bool(choices) and choices[0][0] in ("", None)
    else:
        return
    if any(isinstance(label, list | tuple) for _value, label in getattr(field, "_choices", [])):
        return  # option groups: left to Django
    widget.plain_select = True
    widget.plain_required = field.required and starts_empty
    widget.plain_choices = _Choices(field)


class _Choices:
    """A field's choices, read once as the template loops over them.

    It has no len(): the template's loop would otherwise ask a model choice field to count its rows first.
    """

    def __init__(self, field: forms.ChoiceField):
        self.field = field

    def __iter__(self):
        field = self.field
        if not isinstance(field, forms.ModelChoiceField) or field.queryset._prefetch_related_lookups:
            return iter(field.choices)
        # The rows in one plain query: the widget's own iterator opens a server-side cursor (DECLARE, FETCH, CLOSE:
        # three round trips) for a list of a few dozen options.
        choices = field.iterator(field)
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        return iter(empty + [choices.choice(row) for row in field.queryset])


# Over-long text is refused by the server with the whole text kept in the form, never cut by the browser.
TOO_LONG = (
    "This is %(show_value)d characters; the limit is %(limit_value)d. Nothing was cut: shorten it and save again."
)


class LongText(forms.CharField):
    """A text area for an account in someone's own words (a concern, a discussion, a reason).

    It has no `maxlength` attribute, since a browser silently cuts pasted text at it: the limit is the server's,
    which refuses more with TOO_LONG and shows the whole text again; the page counts the characters as they are typed
    (`data-limit`, static/js/app.js)."""

    default_error_messages = {"max_length": TOO_LONG}

    def __init__(self, *, rows: int = 4, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        if self.max_length is not None:
            attrs["data-limit"] = str(self.max_length)
        return attrs
