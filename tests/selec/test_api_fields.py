"""The API's strict input fields (selec.core.api_fields): text is text, a boolean is true or
false, and an instant is written as RFC 3339 whatever the zone's offset was."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rest_framework import serializers

from selec.core.api_fields import FlagField, InstantField, TextField


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
