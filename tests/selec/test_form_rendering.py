"""The forms' renderer writes select boxes exactly as Django's templates do."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from selec.core.form_rendering import FormRenderer

TRICKY = "<b>\"Tom\" & 'Jerry'</b>"


def _both(widget: forms.Widget, name: str, value: object) -> tuple[str, str]:
    return (
        widget.render(name, value, renderer=FormRenderer()),
        widget.render(name, value, renderer=DjangoTemplates()),
    )


class _OwnOptionTemplate(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.Select(choices=[("", "---------"), ("a", "A"), ("b", TRICKY)]), "b"),
        (forms.Select(choices=[(TRICKY, "tricky value"), ("2", "two")]), TRICKY),
        # Groups, and an option outside them.
        (
            forms.Select(
                choices=[
                    ("Group <1>", [("a", "A"), ("b", "B")]),
                    ("c", "C"),
                    ("Group 2", [("d", "D")]),
                ]
            ),
            "d",
        ),
        (
            forms.SelectMultiple(
                attrs={"size": 12, "required": True, "disabled": False, "data-x": 'q"<'},
                choices=[(1, "one"), (2, "two"), (3, "three")],
            ),
            [1, 3],
        ),
        # Labels and values that are not plain strings: lazy, numbers, dates, marked safe.
        (
            forms.Select(
                choices=[
                    (None, gettext_lazy("Kind")),
                    (2025, 2025),
                    (dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
                    (1.5, 1.5),
                    (mark_safe("<i>safe</i>"), mark_safe("<i>safe label</i>")),
                ]
            ),
            2025,
        ),
        (forms.NullBooleanSelect(), True),
        (forms.Select(attrs={"id": "id_x", "class": "a&b"}, choices=[]), None),
        # Another option template: rendered by the templates, the same.
        (_OwnOptionTemplate(choices=[("a", "A")]), "a"),
    ],
)
def test_a_select_box_is_written_as_djangos_templates_write_it(widget, value) -> None:
    for language in ("en", "ro"):
        with override(language):
            ours, djangos = _both(widget, "field<name>", value)
            assert ours == djangos


def test_the_project_renders_its_forms_with_it(settings) -> None:
    assert settings.FORM_RENDERER == "selec.core.form_rendering.FormRenderer"
    form = forms.Form()
    assert isinstance(form.renderer, FormRenderer)


_SELECT = re.compile(r"<select.*?</select>", re.DOTALL)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["exchanges:inbox", "exchanges:compose"])
def test_the_pages_select_boxes_are_the_templates_own(page, settings, login, lo_ro) -> None:
    """The inbox's filters and the compose form, with every agency, crime area and task force
    among their options, drawn by both renderers."""
    client = login(lo_ro)
    ours = _SELECT.findall(client.get(reverse(page)).content.decode())
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    djangos = _SELECT.findall(client.get(reverse(page)).content.decode())
    assert len(ours) >= 3
    assert sum(select.count("<option") for select in ours) >= 20
    assert ours == djangos
