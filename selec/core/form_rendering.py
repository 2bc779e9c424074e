"""The forms' renderer: Django's, with its stock widgets, labels, fields and error lists
written in Python.

Django renders every widget and label through templates that include others (a select box
two per option, a text input its ``input.html`` and that one the attributes'): the inbox's
filter form lists about 120 options, and the includes per option were a fifth of the inbox
page's time; the compose form draws some eighty widgets in fifty-odd fields, each field its
own template and error list. ``FormRenderer`` writes the same markup, character for
character (the tests compare it with Django's templates), for the inputs, text areas, select
boxes, lists of radio buttons or checkboxes, labels, fields and error lists of Django's own
templates; any other template, and a choice widget whose options use another
template, is rendered by the templates as before.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.forms import BoundField
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData

_WIDGETS = "django/forms/widgets/"
SELECT_TEMPLATE = f"{_WIDGETS}select.html"
OPTION_TEMPLATE = f"{_WIDGETS}select_option.html"
# The widgets whose template is only ``input.html`` included.
INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
        "password", "search", "tel", "text", "time", "url",
    )
)  # fmt: skip
TEXTAREA_TEMPLATE = f"{_WIDGETS}textarea.html"
# Radio buttons and checkboxes listed: ``multiple_input.html``, each option ``input_option.html``.
CHOICE_LIST_TEMPLATES = frozenset((f"{_WIDGETS}radio.html", f"{_WIDGETS}checkbox_select.html"))
CHOICE_OPTION_TEMPLATES = frozenset(
    (f"{_WIDGETS}radio_option.html", f"{_WIDGETS}checkbox_option.html")
)
LABEL_TEMPLATE = "django/forms/label.html"
FIELD_TEMPLATE = "django/forms/field.html"
# ``default.html`` is ``ul.html`` included.
ERROR_LIST_TEMPLATES = frozenset(
    ("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html")
)


class FormRenderer(DjangoTemplates):
    """Django's template renderer, with the stock widgets, labels, fields and error lists
    written in Python."""

    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        written = _written(template_name, context)
        if written is None:
            return super().render(template_name, context, request)
        return written.strip()  # as Django's renderer strips what its templates render


def _written(template_name: str, context: Mapping[str, Any]) -> str | None:
    """The template's markup for the context, or None for a template written by Django's."""
    if template_name == LABEL_TEMPLATE:
        return label_html(context)
    if template_name == FIELD_TEMPLATE:
        return field_html(context["field"])
    if template_name in ERROR_LIST_TEMPLATES:
        return error_list_html(context)
    widget = context.get("widget")
    if widget is None:
        return None
    if template_name in INPUT_TEMPLATES:
        return input_html(widget)
    if template_name == TEXTAREA_TEMPLATE:
        return textarea_html(widget)
    if template_name == SELECT_TEMPLATE and _options_use(widget, {OPTION_TEMPLATE}):
        return select_html(widget)
    if template_name in CHOICE_LIST_TEMPLATES and _options_use(widget, CHOICE_OPTION_TEMPLATES):
        return choice_list_html(widget)
    return None


def _options_use(widget: Mapping[str, Any], templates: Collection[str]) -> bool:
    return all(
        option["template_name"] in templates
        for _name, options, _index in widget["optgroups"]
        for option in options
    )


def input_html(widget: Mapping[str, Any]) -> str:
    """``input.html`` (a widget without an input type, which only a hand-made one could be,
    gets the template's empty text)."""
    value = widget.get("value")
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_text(widget.get("type", ""))}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs_html(widget['attrs'])}>\n"
    )


def textarea_html(widget: Mapping[str, Any]) -> str:
    """``textarea.html``."""
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs_html(widget["attrs"])}>\n{value}</textarea>'


def label_html(context: Mapping[str, Any]) -> str:
    """``label.html``: a field's label, in its tag when the field has an id."""
    label = _text(context["label"])
    if not context["use_tag"]:
        return label
    tag = _text(context["tag"])
    return f"<{tag}{_attrs_html(context['attrs'] or {})}>{label}</{tag}>"


def field_html(field: BoundField) -> str:
    """``field.html``: the field's label (its legend in a fieldset), help text, errors and
    widget, with the template's line breaks (the renderer strips the ends)."""
    fieldset = field.use_fieldset
    label = ""
    if field.label:
        label = _text(field.legend_tag() if fieldset else field.label_tag())
    if fieldset:
        described = field.aria_describedby
        aria = f' aria-describedby="{_text(described)}"' if described else ""
        head = f"\n  <fieldset{aria}>\n  {label}\n"
    else:
        head = f"\n  {label}\n"
    help_html = ""
    if field.help_text:
        help_id = f' id="{_text(field.auto_id)}_helptext"' if field.auto_id else ""
        # ``|safe``: the help text is the form's own markup.
        help_html = f'<div class="helptext"{help_id}>{field.help_text}</div>'
    closing = "</fieldset>" if fieldset else ""
    return f"{head}\n{help_html}\n{_text(field.errors)}\n{_text(field)}{closing}\n"


def error_list_html(context: Mapping[str, Any]) -> str:
    """``ul.html``: a field's or a form's errors, nothing when there are none."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    error_id = f' id="{_text(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_text(error)}</li>" for error in errors)
    return f'<ul class="{_text(context["error_class"])}"{error_id}>{items}</ul>'


def select_html(widget: Mapping[str, Any]) -> str:
    """``select.html``: its options, in their groups, each as ``select_option.html`` writes it."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        parts.extend(
            f'\n  <option value="{_formatted(option["value"])}"{_attrs_html(option["attrs"])}>'
            f"{_text(option['label'])}</option>\n"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def choice_list_html(widget: Mapping[str, Any]) -> str:
    """``multiple_input.html``: each option in a ``div``, as ``input_option.html`` writes it."""
    attrs = widget["attrs"]
    box_id = f' id="{_text(attrs["id"])}"' if attrs.get("id") else ""
    box_class = f' class="{_text(attrs["class"])}"' if attrs.get("class") else ""
    parts = [f"<div{box_id}{box_class}>"]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        parts.extend(f"<div>\n    {_input_option_html(option)}\n</div>" for option in options)
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _input_option_html(option: Mapping[str, Any]) -> str:
    """``radio_option.html`` and ``checkbox_option.html`` (``input_option.html``)."""
    field = input_html(option)
    if not option["wrap_label"]:
        return f"{field}\n"
    option_id = option["attrs"].get("id")
    label_for = f' for="{_text(option_id)}"' if option_id else ""
    return f"<label{label_for}>{field} {_text(option['label'])}</label>\n"


def _attrs_html(attrs: Mapping[str, Any]) -> str:
    """``attrs.html``: each attribute but those set to False; True ones without a value."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: formatted without localising (a tuple as its text),
    and escaped unless the value was marked safe."""
    formatted = "%s" % (str(value) if isinstance(value, tuple) else value)
    return formatted if isinstance(value, SafeData) else escape(formatted)


def _text(value: Any) -> str:
    """``{{ value }}`` in an autoescaped template: localised, then escaped unless safe."""
    return str(render_value_in_context(value, _TEMPLATE_DEFAULTS))


# Only read (time zone, localisation and escaping as a template's context has them by default).
_TEMPLATE_DEFAULTS = Context()
