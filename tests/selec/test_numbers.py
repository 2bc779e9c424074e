"""Whole numbers read from addresses, files and the environment: ASCII digits, within a bigint."""

from __future__ import annotations

import pytest

from selec.core.numbers import LARGEST_BIGINT, whole_number


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("42", 42), ("007", 7)])
def test_ascii_digits_are_read(text: str, number: int) -> None:
    assert whole_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        " 1",
        "1 ",
        "-1",
        "+1",
        "1.0",
        "1e3",
        "ten",
        # Digits to str.isdigit, not to int: read, they raised ValueError.
        "²",
        "①",
        # Digits int reads, of other scripts: not what anybody types in an address.
        "٣",
        "\uff11\uff12",  # fullwidth 12
    ],
)
def test_anything_else_is_none(text: str | None) -> None:
    assert whole_number(text) is None


def test_a_number_past_the_bound_is_none() -> None:
    assert whole_number(str(LARGEST_BIGINT)) == LARGEST_BIGINT
    assert whole_number(str(LARGEST_BIGINT + 1)) is None
    assert whole_number("26", at_most=25) is None
    assert whole_number("25", at_most=25) == 25
