"""Whole numbers as an address, a file or the environment writes them: ASCII digits only.

``str.isdigit`` is true of other digits too, some of which ``int`` does not read ("²", "①"):
checked with it and then read with ``int``, "?limit=²" answered with a server error. And a
number that PostgreSQL cannot hold (past a bigint) fails in the query that uses it."""

from __future__ import annotations

# The largest number a PostgreSQL bigint holds: ids, limits and offsets.
LARGEST_BIGINT = 2**63 - 1


def whole_number(text: str | None, *, at_most: int = LARGEST_BIGINT) -> int | None:
    """The number ``text`` writes in ASCII digits (no sign, no spaces), if it is at most
    ``at_most``; None for anything else."""
    if not text or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= at_most else None
