"""``get_<field>_display`` of the models whose rows are listed by the dozen reads a table of
labels made once per language (``selec.core.choice_labels``): it must say what Django's own
says, for every choice, in every language, and for a value without a choice."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation

from selec.core.choice_labels import ChoiceLabels, _labels
from selec.core.models import Notification

# Every field with choices of every model that reads its labels from the table.
FIELDS = [
    (model, field.name)
    for model in apps.get_models()
    if issubclass(model, ChoiceLabels)
    for field in model._meta.concrete_fields
    if field.choices
]


def _instance(model: type[models.Model], name: str, value: object) -> models.Model:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    instance = model()
    setattr(instance, field.attname, value)
    return instance


def test_the_listed_models_read_their_labels_from_the_table() -> None:
    # The models whose lists draw a label a row (the notifications, the audit log, the
    # directory, the queues of requests): each has a field with choices here.
    listed = {"notification", "auditevent", "exchange", "disseminationrequest", "product"}
    listed |= {
        "officer",
        "party",
        "agency",
        "inaccuracyflag",
        "subjectrequest",
        "subjectrequestitem",
    }
    assert listed <= {model._meta.model_name for model, _name in FIELDS}


def _djangos_label(instance: models.Model, field: models.Field) -> object:
    # Django's own implementation, which the models' override replaces.
    return models.Model._get_FIELD_display(instance, field)  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize(("model", "name"), FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_each_choice_is_labelled_as_django_labels_it(model, name, language: str) -> None:
    field = model._meta.get_field(name)
    assert field.flatchoices
    with translation.override(language):
        for value, _label in field.flatchoices:
            instance = _instance(model, name, value)
            shown = getattr(instance, f"get_{name}_display")()
            assert shown == _djangos_label(instance, field)
            assert isinstance(shown, str)


@pytest.mark.parametrize(("model", "name"), FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_a_value_without_a_choice_is_shown_as_it_is(model, name) -> None:
    instance = _instance(model, name, "no-such-choice")
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


@pytest.mark.parametrize(("model", "name"), FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_the_labels_are_made_once_a_language_then_read(model, name) -> None:
    values = [value for value, _label in model._meta.get_field(name).flatchoices][:3]
    _labels.cache_clear()
    with translation.override("ro"):
        for value in values * 2:
            getattr(_instance(model, name, value), f"get_{name}_display")()
    assert _labels.cache_info().misses == 1
    assert _labels.cache_info().hits == 2 * len(values) - 1
