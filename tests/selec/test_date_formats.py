"""Dates typed as the region writes them (selec/formats/en/formats.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms

from exchanges.filters import DayField


class _Form(forms.Form):
    day = forms.DateField()
    moment = forms.DateTimeField()


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("01.03.2026", dt.date(2026, 3, 1)),
        ("1.3.2026", dt.date(2026, 3, 1)),
    ],
)
def test_a_day_is_read_in_iso_and_as_dd_mm_yyyy(typed: str, day: dt.date) -> None:
    form = _Form({"day": typed, "moment": f"{typed} 14:30"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == day
    assert form.cleaned_data["moment"].date() == day
    assert form.cleaned_data["moment"].time() == dt.time(14, 30)


@pytest.mark.parametrize("typed", ["03/01/2026", "3/1/26", "Mar 1 2026", "31.02.2026", "01.01.50"])
def test_a_day_in_the_us_order_with_a_short_year_or_impossible_is_refused_not_misread(
    typed: str,
) -> None:
    form = _Form({"day": typed, "moment": "2026-03-01 14:30"})
    assert not form.is_valid()
    assert "day" in form.errors


def test_the_inbox_filters_read_dd_mm_yyyy_too() -> None:
    field = DayField()
    assert field.clean("15.06.2025") == dt.date(2025, 6, 15)
