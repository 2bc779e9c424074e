"""The API's strict input fields (selec.core.api_fields): text is text, a boolean is true or
false, and an instant is written as RFC 3339 whatever the zone's offset was."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rest_framework import serializers

from selec.core.api_fields import (
    DecimalTextField,
    FlagField,
    InstantField,
    OptionalCodeField,
    TextField,
)
from taskforces.models import CrimeArea


class _Body(serializers.Serializer):
    text = TextField(required=False, allow_blank=True)
    flag = FlagField(required=False)


def _errors(**data: Any) -> dict[str, Any]:
    body = _Body(data=data)
    assert not body.is_valid()
    return body.errors


@pytest.mark.parametrize("value", [0, 7, 1.5, True, False, [], ["a"], {"a": 1}])
def test_text_refuses_what_is_not_a_string_with_drf_s_message(value: Any) -> None:
    assert _errors(text=value) == {"text": ["Not a valid string."]}


def test_text_keeps_drf_s_rules_for_a_string() -> None:
    body = _Body(data={"text": "  trimmed  "})
    assert body.is_valid(), body.errors
    assert body.validated_data == {"text": "trimmed"}
    assert _errors(text="a\x00b") == {"text": ["Null characters are not allowed."]}


def test_text_is_as_long_as_it_was_sent_as_the_schema_s_max_length_says() -> None:
    class Bounded(serializers.Serializer):
        text = TextField(max_length=5)

    assert Bounded(data={"text": "abcde"}).is_valid()
    for sent in (" abcde", "abcde\n", "abcdef"):
        body = Bounded(data={"text": sent})
        assert not body.is_valid(), sent
        assert body.errors == {"text": ["Ensure this field has no more than 5 characters."]}


@pytest.mark.parametrize(
    ("field", "pattern"),
    [
        (DecimalTextField(max_digits=14, decimal_places=3), r"^-?\d{1,11}(?:\.\d{1,3})?$"),
        (DecimalTextField(max_digits=5, decimal_places=0), r"^-?\d{1,5}$"),
        (DecimalTextField(max_digits=None, decimal_places=2), r"^-?\d+(?:\.\d{1,2})?$"),
    ],
)
def test_a_decimal_s_pattern_follows_its_digits(field: DecimalTextField, pattern: str) -> None:
    assert field.pattern == pattern


@pytest.mark.parametrize("sent", ["12.5", "300", "0.001", "-1", "12345678901.123"])
def test_a_decimal_in_its_pattern_is_read_as_drf_reads_it(sent: str) -> None:
    field = DecimalTextField(max_digits=14, decimal_places=3)
    assert field.to_internal_value(sent) == Decimal(sent)


@pytest.mark.parametrize(
    "sent", ["", "-", ".", "-.", "1.", ".5", " 1", "1e2", "1.2345", "123456789012", 12.5, 3, None]
)
def test_a_decimal_outside_its_pattern_is_not_a_number(sent: Any) -> None:
    # The pattern is the schema's: what it refuses, the field refuses, with DRF's message.
    field = DecimalTextField(max_digits=14, decimal_places=3)
    with pytest.raises(serializers.ValidationError) as refused:
        field.to_internal_value(sent)
    assert refused.value.detail == ["A valid number is required."]
    if isinstance(sent, str):
        assert not re.fullmatch(field.pattern, sent)


@pytest.mark.parametrize("value", [0, 1, "0", "1", "yes", "no", "on", "off", "null", "", None])
def test_a_flag_refuses_what_is_not_a_boolean(value: Any) -> None:
    errors = _errors(flag=value)
    assert errors["flag"] in (["Must be a valid boolean."], ["This field may not be null."])


@pytest.mark.parametrize(
    ("value", "taken"), [(True, True), (False, False), ("true", True), ("False", False)]
)
def test_a_flag_takes_json_booleans_and_their_spelling_in_a_form(value: Any, taken: bool) -> None:
    body = _Body(data={"flag": value})
    assert body.is_valid(), body.errors
    assert body.validated_data == {"flag": taken}


def test_an_instant_is_in_the_zone_unless_its_offset_then_had_seconds(settings) -> None:
    settings.TIME_ZONE = "Europe/Bucharest"
    bucharest = ZoneInfo("Europe/Bucharest")
    field = InstantField()
    assert field.to_representation(dt.datetime(2026, 3, 10, tzinfo=bucharest)) == (
        "2026-03-10T00:00:00+02:00"
    )
    # Bucharest Mean Time, +01:44:24, until 1931: written in UTC.
    assert field.to_representation(dt.datetime(1920, 5, 4, tzinfo=bucharest)) == (
        "1920-05-03T22:15:36Z"
    )
    assert field.to_representation(dt.datetime(78, 7, 29, tzinfo=bucharest)).endswith("Z")


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["NOPE", "DRU\x00", "\x00"])
def test_a_code_that_names_no_row_is_said_to_name_none(code: str) -> None:
    # With a NUL character PostgreSQL refuses the lookup, which DRF answered "Invalid value.".
    field = OptionalCodeField(queryset=CrimeArea.objects.all())
    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation(code)
    (message,) = refused.value.detail
    assert str(message) == f"Object with code={code} does not exist."
