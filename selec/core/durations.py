"""A length of time as an officer reads it: "30 minutes", "1 hour", "1 day, 2 hours", never
"0:30:00" (how Python prints a ``timedelta``). Translated with Django's own plural forms."""

from __future__ import annotations

import datetime as dt

from django.utils.timesince import timesince

# An instant to measure from: timesince() counts calendar units between two moments, and a
# fixed one (no month of 28 days in between) keeps a duration the same whenever it is shown.
_EPOCH = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)


def humanised_duration(duration: dt.timedelta, *, depth: int = 2) -> str:
    """``duration`` in its largest units, at most ``depth`` of them ("1 hour, 30 minutes")."""
    # timesince() separates a number from its unit with a non-breaking space; a plain one
    # reads the same and stays searchable in an e-mail.
    return timesince(_EPOCH, _EPOCH + duration, depth=depth).replace("\xa0", " ")
