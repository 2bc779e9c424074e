"""The API's strict input fields: what the schema says a value is, the only value taken.

DRF's own fields coerce: a ``CharField`` turns the number ``0`` into ``"0"``, a
``BooleanField`` reads ``0``, ``"1"``, ``"yes"`` or ``"on"`` as a boolean. The schema says
``string`` and ``boolean``, and a caller whose system sends a number where it meant text has a
defect it must learn of, not a value silently turned into another. Every input serializer of
the API takes its text and booleans through these fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

# The spellings of a boolean in a multipart/form-data body, where every value is a string:
# those of JSON, as the schema says ``boolean``.
_FORM_BOOLEANS = {"true": True, "false": False}


class TextField(serializers.CharField):
    """Text, and only text: a number, a boolean, a list or an object is refused with DRF's own
    "Not a valid string." (a multipart body's values are strings already)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class FlagField(serializers.BooleanField):
    """A boolean: JSON's ``true`` or ``false``, or those words in a multipart body. Neither
    ``0``/``1`` nor ``"yes"``/``"on"``, which DRF's ``BooleanField`` would read."""

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in _FORM_BOOLEANS:
            return _FORM_BOOLEANS[data.lower()]
        self.fail("invalid", input=data)


@extend_schema_field({"type": "string"})
class OptionalCodeField(serializers.SlugRelatedField):
    """A row named by its code, or none: left out, ``null``, or empty. Empty is how a multipart
    body (which has no null) says none, and DRF's related fields read it so in JSON too; the
    schema says so (no ``minLength``), and the field's description should."""

    def __init__(self, *, nullable: bool = True, **kwargs: Any) -> None:
        # ``nullable=False`` for a form body's schema, where none is said empty, never null.
        super().__init__(slug_field="code", required=False, allow_null=nullable, **kwargs)


class InstantField(serializers.DateTimeField):
    """An instant, as RFC 3339 writes one (the schema's ``date-time``): in the current zone, or
    in UTC where the zone's offset then was not whole minutes (the local mean times before the
    zones were standardised: Bucharest was +01:44:24 until 1931)."""

    def to_representation(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            zone = getattr(self, "timezone", None) or self.default_timezone()
            offset = value.astimezone(zone if isinstance(zone, dt.tzinfo) else None).utcoffset()
            if offset is not None and offset % dt.timedelta(minutes=1):
                return _IN_UTC.to_representation(value)
        return super().to_representation(value)


_IN_UTC = serializers.DateTimeField(default_timezone=dt.UTC)


class DayField(serializers.DateField):
    """A calendar day (YYYY-MM-DD). In a multipart body an empty value is not a day either: DRF
    would read it as null, where the schema says a date; a caller with no day leaves the field
    out."""

    def get_value(self, dictionary: Any) -> Any:
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)
