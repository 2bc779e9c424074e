"""Dates typed as the region writes them (selec/formats/en/formats.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.conf import settings
from django.utils import formats, translation

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


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_language_of_the_pages_reads_iso_and_dd_mm_yyyy_and_never_a_short_year(
    language: str,
) -> None:
    with translation.override(language):
        for typed in ("2026-03-01", "01.03.2026"):
            form = _Form({"day": typed, "moment": f"{typed} 14:30"})
            assert form.is_valid(), (language, typed, form.errors)
            assert form.cleaned_data["day"] == dt.date(2026, 3, 1)
        assert not _Form({"day": "01.01.50", "moment": "2026-03-01 14:30"}).is_valid()
        # Month first is nobody's order here: where slashes are read (Greek, Turkish), the
        # day comes first; elsewhere they are refused.
        form = _Form({"day": "03/01/2026", "moment": "2026-03-01 14:30"})
        assert not form.is_valid() or form.cleaned_data["day"] == dt.date(2026, 1, 3)


def test_dates_and_numbers_are_printed_the_way_of_the_readers_language() -> None:
    day = dt.date(2026, 3, 1)
    with translation.override("bg"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "01.03.2026"
        assert formats.number_format(1234.5, 1) == "1234,5"
    with translation.override("hu"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "2026.03.01."
    with translation.override("en"):
        assert formats.number_format(1234.5, 1, force_grouping=True) == "1,234.5"
