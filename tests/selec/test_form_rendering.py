"""The forms' renderer writes the stock widgets and labels exactly as Django's templates do."""

from __future__ import annotations

import datetime as dt
import difflib
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


class _Typeless(forms.Widget):
    """A hand-made widget drawn by the text input's template: no input type in its context."""

    template_name = "django/forms/widgets/text.html"


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
        (forms.TextInput(attrs={"maxlength": 20, "required": True, "placeholder": TRICKY}), TRICKY),
        (forms.TextInput(), None),
        (_Typeless(), "x"),
        (forms.TextInput(), ""),
        (forms.NumberInput(attrs={"min": 0, "step": 0.5}), 0),
        (forms.EmailInput(), "a@b.c"),
        (forms.URLInput(), "https://x/?a=1&b=2"),
        (forms.PasswordInput(render_value=True), "s3cret<"),
        (forms.HiddenInput(), mark_safe("<kept>")),
        (forms.DateInput(attrs={"type": "date"}), dt.date(2026, 12, 7)),
        (forms.DateTimeInput(), dt.datetime(2026, 12, 7, 10, 30)),
        (forms.TimeInput(), dt.time(10, 30)),
        (forms.CheckboxInput(), True),
        (forms.CheckboxInput(attrs={"class": "flag"}), False),
        (forms.FileInput(attrs={"accept": ".pdf"}), None),
        (forms.Textarea(attrs={"rows": 8}), "line 1\n<line 2> & 'three'"),
        (forms.Textarea(), ""),
        (forms.Textarea(), None),
        (
            forms.RadioSelect(attrs={"id": "id_kind", "class": "choices"}),
            "b",
        ),
        (forms.RadioSelect(choices=[("a", "A"), ("b", TRICKY)]), "b"),
        (
            forms.RadioSelect(
                attrs={"id": "id_g"}, choices=[("G <1>", [("a", "A"), ("b", "B")]), ("c", "C")]
            ),
            "c",
        ),
        (
            forms.CheckboxSelectMultiple(
                attrs={"id": "id_to", "required": True},
                choices=[(1, gettext_lazy("Kind")), (2, "two"), (3, TRICKY)],
            ),
            [2, 3],
        ),
    ],
)
def test_a_widget_is_written_as_djangos_templates_write_it(widget, value) -> None:
    for language in ("en", "ro"):
        with override(language):
            ours, djangos = _both(widget, "field<name>", value)
            assert ours == djangos


class _Everything(forms.Form):
    name = forms.CharField(label=TRICKY, help_text="Help & <em>more</em>")
    count = forms.IntegerField(label="", required=False)
    kind = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect, label="Kind")
    # A fieldset with help: its legend, and the fieldset described by the help.
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", TRICKY)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Kind"),
    )
    flag = forms.BooleanField(required=False, label=gettext_lazy("Kind"))
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError(["Not <this> & not that.", "Nor this."])


@pytest.mark.parametrize("auto_id", ["id_%s", False])
@pytest.mark.parametrize("label_suffix", [None, "", " →"])
def test_labels_and_whole_forms_are_written_as_djangos_templates_write_them(
    auto_id, label_suffix
) -> None:
    data = {"name": "<x>", "count": "not a number", "kind": "z"}
    for bound in (None, data):
        ours = _Everything(
            bound, auto_id=auto_id, label_suffix=label_suffix, renderer=FormRenderer()
        )
        djangos = _Everything(
            bound, auto_id=auto_id, label_suffix=label_suffix, renderer=DjangoTemplates()
        )
        assert ours.as_div() == djangos.as_div()
        assert ours.as_p() == djangos.as_p()
        assert ours.as_table() == djangos.as_table()
        assert str(ours.non_field_errors()) == str(djangos.non_field_errors())
        for name in ours.fields:
            assert ours[name].as_field_group() == djangos[name].as_field_group()
            assert str(ours[name].errors) == str(djangos[name].errors)
            assert ours[name].label_tag(attrs={"class": "x"}) == djangos[name].label_tag(
                attrs={"class": "x"}
            )
            assert ours[name].legend_tag() == djangos[name].legend_tag()


def test_the_project_renders_its_forms_with_it(settings) -> None:
    assert settings.FORM_RENDERER == "selec.core.form_rendering.FormRenderer"
    form = forms.Form()
    assert isinstance(form.renderer, FormRenderer)


_FORM = re.compile(r"<form.*?</form>", re.DOTALL)
# What differs from one drawing of a page to the next: the CSRF token, the idempotency key,
# and the compose form's due date if sent now (template text, counted from the moment).
_PER_REQUEST = re.compile(r'value="([0-9a-f]{32}|[0-9A-Za-z]{64})"')
_FROM_NOW = re.compile(r'<p id="due-line".*?</p>|<script id="due-dates".*?</script>', re.DOTALL)


def _forms_of(client, path: str) -> list[str]:
    page = client.get(path).content.decode()
    return [_FROM_NOW.sub("…", _PER_REQUEST.sub('value="…"', form)) for form in _FORM.findall(page)]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["exchanges:inbox", "exchanges:compose"])
def test_the_pages_forms_are_the_templates_own(url_name, settings, login, lo_ro) -> None:
    """The inbox's filters and the compose form (every agency, crime area and task force among
    their options, the entities' fields), drawn by both renderers."""
    client = login(lo_ro)
    ours = _forms_of(client, reverse(url_name))
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    djangos = _forms_of(client, reverse(url_name))
    assert sum(form.count("<option") for form in ours) >= 20
    assert sum(form.count("<input") for form in ours) >= 10
    assert len(ours) == len(djangos)
    for mine, theirs in zip(ours, djangos, strict=True):
        assert mine == theirs, "\n".join(
            difflib.unified_diff(theirs.splitlines(), mine.splitlines(), lineterm="", n=1)
        )
