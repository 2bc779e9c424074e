"""The inbox page's query string: the filters (``exchanges.filters``), the keyset cursor and
the paging links.

The filter form is a GET form, so every view of the inbox is an address to bookmark or share,
and the paging links carry the keyset cursor together with the filters. A value that does not
parse (a bad date, an unknown priority, a tampered cursor) is reported above the table and
ignored: the rest of the filters still apply. The API reads the same filters, but answers 400
for such a value, and its cursor travels in its own ``cursor`` parameter (``exchanges.api_views``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

# The filters' day span and day bounds, named here too for the page's callers.
from exchanges.filters import FIRST_FILTER_DAY as FIRST_FILTER_DAY
from exchanges.filters import LAST_FILTER_DAY as LAST_FILTER_DAY
from exchanges.filters import InboxFilterForm, InboxFilterSet
from exchanges.selectors_inbox import InboxPage, InboxQuery, InboxRow, InboxSort, Position
from exchanges.selectors_inbox import day_bounds as day_bounds
from exchanges.selectors_subjects import ListedSubject
from partners.models import Officer, Role

CURSOR_PARAMETERS = ("after", "before")
_CURSOR = re.compile(r"(?P<at>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)_(?P<id>\d{1,18})")


def encode_position(position: Position) -> str:
    """``2026-03-01T09:30:00.123456Z_42``: the sort column's value in UTC, and the id."""
    return f"{position.at.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}_{position.id}"


def decode_position(value: str) -> Position | None:
    match = _CURSOR.fullmatch(value)
    if match is None:
        return None
    try:
        at = dt.datetime.fromisoformat(match["at"])
    except ValueError:
        return None
    return Position(at=at, id=int(match["id"]))


class CursorField(forms.CharField):
    default_error_messages = {
        "invalid": _("The page position in the address is not valid: the first page is shown.")
    }

    def clean(self, value: str) -> Position | None:
        value = super().clean(value)
        if not value:
            return None
        position = decode_position(value)
        if position is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return position


class InboxPageForm(InboxFilterForm):
    """The page's form: the filters, and the keyset cursors its paging links carry (not shown
    in the form)."""

    after = CursorField(required=False, widget=forms.HiddenInput)
    before = CursorField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("after") and data.get("before"):
            self.add_error("before", CursorField.default_error_messages["invalid"])
        return data


class InboxPageFilterSet(InboxFilterSet):
    class Meta(InboxFilterSet.Meta):
        form = InboxPageForm


@dataclass(frozen=True)
class InboxRequest:
    form: InboxPageForm
    query: InboxQuery
    after: Position | None
    before: Position | None


def parse_inbox_request(
    params: QueryDict, *, officer: Officer, now: dt.datetime | None = None
) -> InboxRequest:
    """The filters and cursor of the page's query string; the invalid ones are left out (the
    form keeps their errors for the page)."""
    filters = InboxPageFilterSet(params, nfp=officer.role == Role.NFP_OFFICER)
    query = filters.inbox_query(officer, now)
    data = filters.form.cleaned_data  # only the fields that parsed
    return InboxRequest(
        form=filters.form, query=query, after=data.get("after"), before=data.get("before")
    )


def saved_query(params: QueryDict, form: InboxPageForm) -> str:
    """The filters and order of the page's query string worth saving: the fields the inbox
    understands and accepts (``form``, the page's form bound to ``params`` and validated, as
    ``parse_inbox_request`` leaves it), without the page's position."""
    kept = [
        (key, value)
        for key, values in params.lists()
        if key in form.fields and key not in CURSOR_PARAMETERS and key not in form.errors
        for value in values
        if value
    ]
    return urlencode(kept)


def _params_without(params: QueryDict, dropped: tuple[str, ...]) -> list[tuple[str, str]]:
    """The query string's pairs, in order, but those of the ``dropped`` parameters."""
    return [
        (key, value) for key, values in params.lists() if key not in dropped for value in values
    ]


@dataclass(frozen=True)
class PageLink:
    url: str
    label: str


# The paging links' words in each order: (towards the first rows, towards the last rows).
_PAGE_LABELS = {
    InboxSort.NEWEST: (_("Newer"), _("Older")),
    InboxSort.OLDEST: (_("Older"), _("Newer")),
    InboxSort.DUE: (_("Due sooner"), _("Due later")),
}


def page_links(params: QueryDict, page: InboxPage) -> tuple[PageLink | None, PageLink | None]:
    """The links to the previous and next pages: the same filters, another cursor."""
    kept = _params_without(params, CURSOR_PARAMETERS)
    earlier_label, later_label = _PAGE_LABELS[page.sort]
    previous = next_ = None
    if page.has_previous and page.first is not None:
        query = urlencode([*kept, ("before", encode_position(page.first))])
        previous = PageLink(url=f"?{query}", label=str(earlier_label))
    if page.has_next and page.last is not None:
        query = urlencode([*kept, ("after", encode_position(page.last))])
        next_ = PageLink(url=f"?{query}", label=str(later_label))
    return previous, next_


@dataclass(frozen=True)
class ListedRow:
    """A row of the page and the subject it shows (or why it withholds it)."""

    row: InboxRow
    subject: ListedSubject


@dataclass(frozen=True)
class SortLink:
    """A column heading's link: the same filters in the column's order (the first page), and
    the order the column is in now, for ``aria-sort`` ("none" when the list is not in it)."""

    url: str
    aria_sort: str


def sort_links(params: QueryDict, current: InboxSort) -> dict[str, SortLink]:
    """The sortable columns' links, by column: "sent" turns between newest and oldest first,
    "due" sorts by the due date, soonest first."""
    kept = _params_without(params, (*CURSOR_PARAMETERS, "sort"))

    def link(sort: InboxSort, aria_sort: str) -> SortLink:
        return SortLink(url="?" + urlencode([*kept, ("sort", sort.value)]), aria_sort=aria_sort)

    sent = {
        InboxSort.NEWEST: link(InboxSort.OLDEST, "descending"),
        InboxSort.OLDEST: link(InboxSort.NEWEST, "ascending"),
    }.get(current, link(InboxSort.NEWEST, "none"))
    due = link(InboxSort.DUE, "ascending" if current == InboxSort.DUE else "none")
    return {"sent": sent, "due": due}
