"""The labels of a field's choices, for pages that list many rows."""

from __future__ import annotations

import functools
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

# A value with no choice: Django's ``get_<field>_display`` shows the value itself.
_NO_LABEL = object()


class ChoiceLabels(models.Model):
    """``get_<field>_display`` read from a table of the field's labels made once per
    language, for models whose rows are listed by the dozen.

    Django's own builds a table of every choice at each call, hashing each label, a lazy
    translation that looks itself up in the catalogue to be hashed: the notifications page,
    fifty rows whose kind has some thirty choices, made 1,500 such lookups for its fifty
    labels, most of its time. The choices are fixed once the apps are ready (those declared
    by the apps, ``selec.core.choices_registry``, are registered then)."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        value = getattr(self, field.attname)
        label = _labels(field, get_language()).get(make_hashable(value), _NO_LABEL)
        return force_str(value, strings_only=True) if label is _NO_LABEL else label


# Room for every field with choices of every model in every language (22 and 11 today).
@functools.lru_cache(maxsize=1024)
def _labels(field: models.Field[Any, Any], language: str | None) -> dict[Any, str]:
    """The field's choices, value to label, in the active language (``language``, which
    keys the table)."""
    return {make_hashable(value): force_str(label) for value, label in field.flatchoices}
