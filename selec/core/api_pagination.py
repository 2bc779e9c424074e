"""The one pagination of every list the API answers: cursors, never page numbers, and one
envelope, ``{"next": url | null, "previous": url | null, "results": [...]}``.

A list costs O(page) whatever the caller may see: a cursor names the position after (or
before) which the next rows are read through an index, where an offset would count every row
it skips. Two kinds of list use it:

- a queryset: DRF's own cursor pagination on an ordering that ends in a unique column
  (``paginate_queryset``, as any DRF view);
- a page a selector computes with its own keyset (the inbox's sorts, the hits' pairs): the
  view asks ``selector_cursor`` for where to start, the selector reads the page, and
  ``selector_page`` takes the rows with the selector's positions of the first and last row.

Either way the caller sees the same ``cursor`` and ``limit`` parameters and the same envelope.
A cursor that does not decode, or a limit outside 1..``max_page_size``, is refused with 400
rather than ignored: a caller that asked for something else must not silently get a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class SelectorCursor:
    """Where a selector's keyset page starts: after a position, before one, or at the start."""

    after: str | None = None
    before: str | None = None


class CursorPage(CursorPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "limit"
    page_size_query_description = f"Rows per page, 1 to {MAX_PAGE_SIZE} ({DEFAULT_PAGE_SIZE})."
    cursor_query_description = "Where the page starts: the `next` or `previous` link's cursor."
    max_page_size = MAX_PAGE_SIZE
    # Newest first by default; a list with another order sets its own (ending in a unique one).
    ordering = ("-pk",)
    _from_selector = False
    _previous_position: str | None = None
    _next_position: str | None = None

    def get_page_size(self, request: Request) -> int:
        given = request.query_params.get(self.page_size_query_param or "limit")
        if given is None:
            return self.page_size
        if not given.isdigit() or not 1 <= int(given) <= MAX_PAGE_SIZE:
            raise ValidationError({"limit": [f"A whole number from 1 to {MAX_PAGE_SIZE}."]})
        return int(given)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({"cursor": ["Not a cursor of this list."]}) from exc

    # --- Pages a selector computes -----------------------------------------------------------

    def selector_cursor(self, request: Request) -> SelectorCursor:
        """Where the selector's page starts, from the request's cursor (and its page size)."""
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.cursor = self.decode_cursor(request)
        if self.cursor is None or self.cursor.position is None:
            return SelectorCursor()
        # A string, as DRF decodes it (its stubs say int: the position of an integer column).
        position = str(self.cursor.position)
        if self.cursor.reverse:
            return SelectorCursor(before=position)
        return SelectorCursor(after=position)

    def selector_page(
        self, rows: list[Any], *, previous_position: str | None, next_position: str | None
    ) -> list[Any]:
        """The page a selector read, with the positions its neighbours start from (None where
        there is no neighbour): ``get_paginated_response`` links them as for a queryset."""
        self.page = rows
        self._from_selector = True
        self._previous_position, self._next_position = previous_position, next_position
        return rows

    def get_next_link(self) -> str | None:
        if not self._from_selector:
            return super().get_next_link()
        if self._next_position is None:
            return None
        return self.encode_cursor(self._cursor_at(self._next_position, reverse=False))

    def get_previous_link(self) -> str | None:
        if not self._from_selector:
            return super().get_previous_link()
        if self._previous_position is None:
            return None
        return self.encode_cursor(self._cursor_at(self._previous_position, reverse=True))

    @staticmethod
    def _cursor_at(position: str, *, reverse: bool) -> Cursor:
        # DRF encodes a position as the string it is given; its stubs type it as an int.
        return Cursor(offset=0, reverse=reverse, position=position)  # type: ignore[arg-type]

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PAGE_SIZE,
                    "default": DEFAULT_PAGE_SIZE,
                }
        return parameters
