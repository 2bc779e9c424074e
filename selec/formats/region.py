"""The dates every language of the pages reads (each ``selec/formats/<language>/formats.py``
takes these): ISO (what date pickers send) and ``dd.mm.yyyy`` (what an officer of the region
types, and national systems send), plus the language's own day-first forms. Never a two-digit
year (``01.01.50`` would be 2050) and never the US month-first order.
The output formats (how pages print dates and numbers) are Django's own for each language."""

from __future__ import annotations

_TIMES = ("%H:%M:%S", "%H:%M")


def date_input_formats(*own: str) -> list[str]:
    return ["%Y-%m-%d", "%d.%m.%Y", *own]


def datetime_input_formats(*own: str) -> list[str]:
    return [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S.%f",
        "%Y-%m-%d %H:%M",
        *(f"{day} {time}" for day in ("%d.%m.%Y", *own) for time in _TIMES),
    ]
