"""``get_<field>_display`` of the models whose rows are listed by the dozen reads a table of
labels made once per language (``selec.core.choice_labels``): it must say what Django's own
says, for every choice, in every language, and for a value without a choice."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import models
from django.utils import translation

from selec.core.choice_labels import _labels
from selec.core.models import AuditEvent, Notification

# Each listed model's field with choices, and an instance to ask.
FIELDS = [
    (Notification, "kind", lambda value: Notification(kind=value)),
    (AuditEvent, "action", lambda value: AuditEvent(action=value)),
]


def _djangos_label(instance: models.Model, field: models.Field) -> object:
    # Django's own implementation, which the models' override replaces.
    return models.Model._get_FIELD_display(instance, field)  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize(("model", "name", "make"), FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_each_choice_is_labelled_as_django_labels_it(model, name, make, language: str) -> None:
    field = model._meta.get_field(name)
    assert field.flatchoices
    with translation.override(language):
        for value, _label in field.flatchoices:
            instance = make(value)
            shown = getattr(instance, f"get_{name}_display")()
            assert shown == _djangos_label(instance, field)
            assert isinstance(shown, str)


@pytest.mark.parametrize(("model", "name", "make"), FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_a_value_without_a_choice_is_shown_as_it_is(model, name, make) -> None:
    instance = make("no-such-choice")
    assert getattr(instance, f"get_{name}_display")() == "no-such-choice"
    assert _djangos_label(instance, model._meta.get_field(name)) == "no-such-choice"


def test_the_label_follows_the_language_of_the_moment() -> None:
    notification = Notification(kind=Notification._meta.get_field("kind").flatchoices[0][0])
    labels = {}
    for language in ("en", "ro", "bg"):
        with translation.override(language):
            labels[language] = notification.get_kind_display()
            # Asked again in the same language: the same label.
            assert notification.get_kind_display() == labels[language]
    # Each language its own label (a table kept for the first language would answer all).
    assert len(set(labels.values())) == 3


@pytest.mark.parametrize(("model", "name", "make"), FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_the_labels_are_made_once_a_language_then_read(model, name, make) -> None:
    values = [value for value, _label in model._meta.get_field(name).flatchoices][:3]
    _labels.cache_clear()
    with translation.override("ro"):
        for value in values * 2:
            getattr(make(value), f"get_{name}_display")()
    assert _labels.cache_info().misses == 1
    assert _labels.cache_info().hits == 2 * len(values) - 1
