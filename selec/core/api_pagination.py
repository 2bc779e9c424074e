"""The one pagination of every list the API answers: cursors, never page numbers, and one
envelope, ``{"next": url | null, "previous": url | null, "results": [...]}``.

A list costs O(page) whatever the caller may see: a cursor names the position after (or
before) which the next rows are read through an index, where an offset would count every row
it skips. Two kinds of list use it:

- a queryset: DRF's own cursor pagination (``paginate_queryset``, as any DRF view) in the
  order the selector gave it, which must end in a unique column (the pk) and be the order of
  an index: the selector knows which index serves its rows, so the list states it once;
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

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from selec.core.numbers import whole_number

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
    # Newest first for a queryset that names no order of its own.
    ordering = ("-pk",)
    _from_selector = False
    _position_field: Field[Any, Any] | None = None
    _previous_position: str | None = None
    _next_position: str | None = None

    def get_page_size(self, request: Request) -> int:
        given = request.query_params.get(self.page_size_query_param or "limit")
        if given is None:
            return self.page_size
        limit = whole_number(given)
        if limit is None or not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValidationError(
                {"limit": [_("A whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}
            )
        return limit

    def get_ordering(
        self, request: Request, queryset: QuerySet[Any], view: APIView
    ) -> tuple[str, ...]:
        """The queryset's own order (the selector's), else ``ordering``. DRF positions the cursor
        on the first column and counts the rows that tie with it; the last column must be
        unique, or rows that tie on every column could be skipped or repeated."""
        ordering = tuple(str(term) for term in queryset.query.order_by) or tuple(self.ordering)
        if ordering[-1].lstrip("-") not in ("pk", "id"):
            raise ValueError(f"A cursor's order must end in the primary key, not {ordering}.")
        return ordering

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        assert view is not None  # DRF's views always pass themselves
        self._position_field = _field_of(queryset, self.get_ordering(request, queryset, view)[0])
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:
            raise not_a_cursor() from exc
        # A position the column cannot hold (a forged cursor) would fail in the database's
        # lookup: refused here like any other cursor that this list did not give.
        if cursor is not None and cursor.position is not None and self._position_field:
            try:
                self._position_field.to_python(cursor.position)
            except (DjangoValidationError, ValueError, TypeError) as exc:
                raise not_a_cursor() from exc
        return cursor

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


def not_a_cursor() -> ValidationError:
    """The refusal of a cursor this list did not give out (a selector's keyset too)."""
    return ValidationError({"cursor": [_("Not a cursor of this list.")]})


def _field_of(queryset: QuerySet[Any], term: str) -> Field[Any, Any]:
    """The column (or annotation) a cursor's position is a value of: the first ordering term,
    which DRF reads as an attribute of the rows (an annotation for a related column)."""
    name = term.lstrip("-")
    if name in queryset.query.annotations:
        return queryset.query.annotations[name].output_field
    field = queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name)
    if not isinstance(field, Field):
        raise FieldDoesNotExist(f"A cursor cannot be positioned on {name}.")
    return field
