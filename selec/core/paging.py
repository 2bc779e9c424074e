"""Keyset pages of a list, for the pages and the API alike: the rows after a
position (the next page) or the last page of those before one (the previous page), read in the
order of an index and stopped after the page, whatever the list's length.

A position is text (a cursor's or a link's), made by the list from its last or first row and
parsed back by the list; a position the list did not make parses to None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import QueryDict

from selec.core.numbers import whole_number

M = TypeVar("M", bound=Model)
R = TypeVar("R")


@dataclass(frozen=True)
class Page(Generic[M]):
    rows: list[M]
    # Where the next page starts; None on the last page.
    next_position: str | None
    # Where the previous page ends; None on the first page.
    previous_position: str | None


@dataclass(frozen=True)
class Keyset(Generic[M]):
    """A list's order and how its positions read: ``order`` is the index's order (its last
    term unique), ``after``/``before`` the rows past or ahead of a position, ``position`` the
    position of a row."""

    order: Sequence[str]
    after: Callable[[str], Q | None]
    before: Callable[[str], Q | None]
    position: Callable[[M], str]

    def reversed_order(self) -> list[str]:
        return [term[1:] if term.startswith("-") else f"-{term}" for term in self.order]


class NotAPosition(ValueError):
    """A position the list did not give out."""


def keyset_page(
    rows: QuerySet[M],
    keyset: Keyset[M],
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int,
) -> Page[M]:
    """One page of ``rows`` (one query); NotAPosition for a position the list cannot read."""
    if before is not None:
        ahead = keyset.before(before)
        if ahead is None:
            raise NotAPosition(before)
        batch = list(rows.filter(ahead).order_by(*keyset.reversed_order())[: limit + 1])
        has_previous, has_next = len(batch) > limit, True
        batch = batch[:limit][::-1]
    else:
        if after is not None:
            past = keyset.after(after)
            if past is None:
                raise NotAPosition(after)
            rows = rows.filter(past)
        batch = list(rows.order_by(*keyset.order)[: limit + 1])
        has_next, has_previous = len(batch) > limit, after is not None
        batch = batch[:limit]
    return Page(
        rows=batch,
        next_position=keyset.position(batch[-1]) if batch and has_next else None,
        previous_position=keyset.position(batch[0]) if batch and has_previous else None,
    )


def parsed_id(value: str) -> int | None:
    """A row id a position names, or None."""
    return whole_number(value) or None


def parsed_day_and_id(value: str, separator: str) -> tuple[dt.date, int] | None:
    """The day and the row id a position names ("2026-03-01_42" with "_"), or None."""
    day, _, pk = value.partition(separator)
    try:
        parsed_day = dt.date.fromisoformat(day)
    except ValueError:
        return None
    parsed = parsed_id(pk)
    return None if parsed is None else (parsed_day, parsed)


def page_at_address(params: QueryDict, read: Callable[..., R]) -> tuple[R, bool]:
    """What ``read(after=, before=)`` answers for the position a page's address names (its
    ``after`` or ``before``), and whether that position had to be dropped: a hand-made or
    damaged link reads the list's first page instead, which the page says."""
    try:
        return read(after=params.get("after"), before=params.get("before")), False
    except NotAPosition:
        return read(after=None, before=None), True
