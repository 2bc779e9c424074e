"""``{{ some_timedelta|duration }}``: a length of time as words (``selec.core.durations``)."""

from __future__ import annotations

import datetime as dt

from django import template

from selec.core.durations import humanised_duration

register = template.Library()


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """ "30 minutes" for ``timedelta(minutes=30)``; "" for nothing."""
    return "" if value is None else humanised_duration(value)
