"""The forms' renderer: Django's, with the options of a select box written in Python.

Django's select template includes a template for each option, and that one another for the
option's attributes: the inbox's filter form lists about 120 options and the forms that pick
agencies every agency, and the two includes per option were a fifth of the inbox page's
time. ``FormRenderer`` writes the same markup, character for character (the tests compare
it with Django's templates), for every select box whose options use Django's own option
template; any other template, and a select box with another option template, is rendered
by the templates as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class FormRenderer(DjangoTemplates):
    """Django's template renderer, with the select boxes written by ``select_html``."""

    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if template_name == SELECT_TEMPLATE and _options_are_plain(context["widget"]):
            return select_html(context["widget"])
        return super().render(template_name, context, request)


def _options_are_plain(widget: Mapping[str, Any]) -> bool:
    return all(
        option["template_name"] == OPTION_TEMPLATE
        for _name, options, _index in widget["optgroups"]
        for option in options
    )


def select_html(widget: Mapping[str, Any]) -> str:
    """What ``select.html`` renders for the widget's context (stripped, as a renderer answers):
    its options, in their groups, each as ``select_option.html`` renders it."""
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
