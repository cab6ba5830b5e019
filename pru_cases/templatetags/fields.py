"""`{% plain_field field %}`: one form field in Bootstrap's markup (label, widget, help text, errors), in Python.

Drawn by templates/_field.html on busy pages instead of crispy-forms. A template that loops over a select's options
costs about a millisecond a field; this costs a few microseconds an option. The widget's class comes from
`pru_cases.lib.forms.plain_widgets`.
"""

from django import forms, template
from django.forms import BoundField
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def plain_field(field: BoundField) -> SafeString:
    if field.is_hidden:
        plain = type(field.field.widget) is forms.HiddenInput and not field.field.show_hidden_initial
        return _widget(field) if plain else mark_safe(str(field))
    if field.widget_type == "radioselect":
        return _radios(field)
    if field.widget_type == "checkbox":
        return format_html(
            '<div class="mb-3"><div class="form-check">{} <label class="form-check-label" for="{}">{}</label></div>'
            "{}{}</div>",
            field,
            field.auto_id,
            field.label,
            _help(field),
            _errors(field),
        )
    required = mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""
    return format_html(
        '<div class="mb-3"><label class="form-label" for="{}">{}{}</label>{}{}{}</div>',
        field.auto_id,
        field.label,
        required,
        _select(field) if getattr(field.field.widget, "plain_select", False) else _widget(field),
        _help(field),
        _errors(field),
    )


def _radios(field: BoundField) -> SafeString:
    required = mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""
    choices = format_html_join(
        "",
        '<div class="form-check">{} <label class="form-check-label" for="{}">{}</label></div>',
        _radio_options(field),
    )
    return format_html(
        '<fieldset class="mb-3"><legend class="form-label fs-6">{}{}</legend>{}{}{}</fieldset>',
        field.label,
        required,
        choices,
        _help(field),
        _errors(field),
    )


def _radio_options(field: BoundField):
    """(input, id, label) of each radio button, written as Django's radio templates write them (two templates a
    button); a radio widget with options in groups or attributes of its own but a class is left to Django."""
    widget = field.field.widget
    choices = list(widget.choices)
    if (
        type(widget) is not forms.RadioSelect
        or set(widget.attrs) - {"class"}
        or any(isinstance(label, list | tuple) for _value, label in choices)
    ):
        return [(choice.tag(), choice.id_for_label, choice.choice_label) for choice in field]
    chosen = set(widget.format_value(field.value()))
    shared = {**widget.attrs, **field.build_widget_attrs({"id": field.auto_id} if field.auto_id else {})}
    name = escape(field.html_name)
    options = []
    for index, (value, label) in enumerate(choices):
        value = "" if value is None else str(value)
        attrs = dict(shared)
        if "id" in attrs:
            attrs["id"] = f"{attrs['id']}_{index}"
        if value in chosen:
            attrs["checked"] = True
        tag = mark_safe(f'<input type="radio" name="{name}" value="{escape(value)}"{_attributes(attrs)}>')
        options.append((tag, attrs.get("id", ""), label))
    return options


def _attributes(attrs: dict) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them: True alone, False left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _select(field: BoundField) -> SafeString:
    """A plain single-choice select (see pru_cases.lib.forms._mark_plain_select): its options written here."""
    widget = field.field.widget
    current = field.value()
    current = "" if current is None else str(current)
    attributes = [f'name="{escape(field.html_name)}"', f'class="{escape(widget.attrs.get("class", ""))}"']
    if field.help_text:
        attributes.append(f'aria-describedby="{escape(field.auto_id)}_helptext"')
    if field.errors:
        attributes.append('aria-invalid="true"')
    if widget.plain_required:
        attributes.append("required")
    attributes.append(f'id="{escape(field.auto_id)}"')
    options = []
    for value, label in widget.plain_choices:
        value = "" if value is None else str(value)
        selected = " selected" if value == current else ""
        options.append(f'<option value="{escape(value)}"{selected}>{escape(label)}</option>')
    return mark_safe(f"<select {' '.join(attributes)}>{''.join(options)}</select>")


# Widgets drawn here exactly as Django's templates draw them (input.html, textarea.html and attrs.html).
_INPUTS = (
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.DateInput,
    forms.TimeInput,
    forms.DateTimeInput,
    forms.HiddenInput,
)


def _widget(field: BoundField) -> SafeString:
    widget = field.field.widget
    if type(widget) not in (*_INPUTS, forms.Textarea) or field.field.localize:
        return field.as_widget()
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    rendered = _attributes(context["attrs"])
    if isinstance(widget, forms.Textarea):
        value = escape(context["value"]) if context["value"] else ""
        return mark_safe(f'<textarea name="{escape(context["name"])}"{rendered}>\n{value}</textarea>')
    value = "" if context["value"] is None else f' value="{escape(str(context["value"]))}"'
    return mark_safe(f'<input type="{escape(context["type"])}" name="{escape(context["name"])}"{value}{rendered}>')


def _help(field: BoundField) -> SafeString | str:
    if not field.help_text:
        return ""
    return format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text)


def _errors(field: BoundField) -> SafeString:
    return format_html_join(
        "", '<div class="invalid-feedback d-block"><strong>{}</strong></div>', ((error,) for error in field.errors)
    )
