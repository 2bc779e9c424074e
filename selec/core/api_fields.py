"""The API's strict input fields: what the schema says a value is, the only value taken.

DRF's own fields coerce: a ``CharField`` turns the number ``0`` into ``"0"``, a
``BooleanField`` reads ``0``, ``"1"``, ``"yes"`` or ``"on"`` as a boolean. The schema says
``string`` and ``boolean``, and a caller whose system sends a number where it meant text has a
defect it must learn of, not a value silently turned into another. Every input serializer of
the API takes its text and booleans through these fields.
"""

from __future__ import annotations

import datetime as dt
import re
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
    "Not a valid string." (a multipart body's values are strings already). Its length is the
    text's as sent, which the schema's ``maxLength`` bounds: DRF would measure it trimmed, and
    take 301 characters for a field of 300 when one of them is a space at an end."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class DecimalTextField(serializers.DecimalField):
    """A decimal number as a string, written as the schema's pattern (``pattern``) says: an
    optional minus, at least one digit and at most ``max_digits - decimal_places`` of them
    before an optional point, at least one and at most ``decimal_places`` after it. Anything
    else is DRF's "A valid number is required.". DRF's own field also reads JSON numbers,
    exponents, padding spaces and ``"1."``, while the pattern drf-spectacular publishes for it
    (``^-?\\d{0,11}(?:\\.\\d{0,3})?$``) admits ``""``, ``"-"`` and ``"."``, which it refuses: a
    client told one thing was answered another. ``selec.api_schema`` publishes this pattern."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # DRF's bounds, None for none.
        places = self.decimal_places
        whole = None if self.max_digits is None else self.max_digits - (places or 0)
        before = "+" if whole is None else f"{{1,{whole}}}"
        after = "+" if places is None else f"{{1,{places}}}"
        fraction = "" if places == 0 else rf"(?:\.\d{after})?"
        self.pattern = rf"^-?\d{before}{fraction}$"

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not re.fullmatch(self.pattern, data):
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

    def to_internal_value(self, data: Any) -> Any:
        # No code holds a NUL character, and PostgreSQL refuses one in a query, which DRF
        # answers with its bare "Invalid value.": such a code names no row, and says so.
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


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
