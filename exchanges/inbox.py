"""The inbox's filters, read from the query string.

The filter form is a GET form, so every view of the inbox is an address to bookmark or share,
and the paging links carry the keyset cursor together with the filters. A value that does not
parse (a bad date, an unknown priority, a tampered cursor) is reported above the table and
ignored: the rest of the filters still apply.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchanges.models import ExchangeKind, Priority
from exchanges.selectors_inbox import (
    Direction,
    InboxPage,
    InboxQuery,
    InboxSort,
    Position,
    ReceiptStatus,
    day_bounds,
    local_day,
    officer_zone,
)
from partners.models import Officer, Role
from taskforces.models import CrimeArea, TaskForce

CURSOR_PARAMETERS = ("after", "before")
_CURSOR = re.compile(r"(?P<at>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)_(?P<id>\d{1,18})")
_REFERENCE = re.compile(r"SELEC(-(\d{1,4}(-\d{0,6})?)?)?")
_BARE_REFERENCE = re.compile(r"\d{4}(-\d{0,6})?")


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


# The days a date filter may name: the span the statistics cover (analytics.tables). A day
# outside any span is refused with the other filter errors; at the calendar's ends it could not
# even be turned into the bounds of a day (9999-12-31 has no next day: OverflowError, 500).
FIRST_FILTER_DAY = dt.date(1990, 1, 1)
LAST_FILTER_DAY = dt.date(2100, 12, 31)


class DayField(forms.DateField):
    """A day of a date filter (YYYY-MM-DD), within FIRST_FILTER_DAY and LAST_FILTER_DAY."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def validate(self, value: dt.date | None) -> None:
        super().validate(value)
        if value is not None and not FIRST_FILTER_DAY <= value <= LAST_FILTER_DAY:
            raise forms.ValidationError(
                _("Choose a day from %(first)s to %(last)s, not %(day)s."),
                code="out_of_range",
                params={
                    "first": FIRST_FILTER_DAY.isoformat(),
                    "last": LAST_FILTER_DAY.isoformat(),
                    "day": value.isoformat(),
                },
            )


class InboxFilterForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=20,
        help_text=_("A whole reference, or its beginning: SELEC-2026-"),
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[
            (Direction.ALL.value, _("Incoming and outgoing")),
            (Direction.INCOMING.value, _("Incoming")),
            (Direction.OUTGOING.value, _("Outgoing")),
        ],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *ExchangeKind.choices]
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *Priority.choices]
    )
    status = forms.ChoiceField(
        label=_("Receipt status"),
        required=False,
        choices=[
            ("", _("Any status")),
            (ReceiptStatus.UNREAD.value, _("Not read")),
            (ReceiptStatus.UNACKNOWLEDGED.value, _("Awaiting acknowledgement")),
            (ReceiptStatus.ANSWERED.value, _("Answered")),
            (ReceiptStatus.UNANSWERED.value, _("Not answered")),
        ],
    )
    crime_area = forms.ChoiceField(label=_("Crime area"), required=False)
    task_force = forms.ChoiceField(label=_("Task force"), required=False)
    sent_from = DayField(label=_("Sent from"))
    sent_to = DayField(label=_("Sent until"))
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    unread = forms.BooleanField(label=_("Unread by your agency"), required=False)
    due_today = forms.BooleanField(label=_("Due today"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            (InboxSort.NEWEST.value, _("Newest first")),
            (InboxSort.OLDEST.value, _("Oldest first")),
            (InboxSort.DUE.value, _("Due date, soonest first")),
        ],
    )
    # The keyset cursors: carried by the paging links, not shown in the form.
    after = CursorField(required=False, widget=forms.HiddenInput)
    before = CursorField(required=False, widget=forms.HiddenInput)

    FILTER_FIELDS = (
        "reference",
        "direction",
        "kind",
        "priority",
        "status",
        "crime_area",
        "task_force",
        "sent_from",
        "sent_to",
        "overdue",
        "unread",
        "due_today",
    )

    def __init__(self, *args: Any, nfp: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if nfp:
            self.fields["unread"].label = _("Unread by an agency of your country")
        # self.fields holds the ChoiceFields declared above; the stubs type them as plain Fields.
        self.fields["crime_area"].choices = [  # type: ignore[attr-defined]
            ("", _("Any crime area")),
            *CrimeArea.objects.order_by("position", "name").values_list("code", "name"),
        ]
        self.fields["task_force"].choices = [  # type: ignore[attr-defined]
            ("", _("Any task force")),
            *TaskForce.objects.order_by("position", "name").values_list("code", "name"),
        ]

    def clean_reference(self) -> str:
        value = self.cleaned_data["reference"].strip().upper()
        if _BARE_REFERENCE.fullmatch(value):
            value = f"SELEC-{value}"
        if value and not _REFERENCE.fullmatch(value):
            raise forms.ValidationError(
                _("A reference looks like SELEC-2026-000123; give it whole or its beginning."),
                code="invalid",
            )
        return value

    def clean(self) -> dict[str, object]:
        # Form.clean() answers cleaned_data itself (the stubs allow a subclass's None).
        super().clean()
        data = self.cleaned_data
        start, end = data.get("sent_from"), data.get("sent_to")
        if start and end and end < start:
            self.add_error("sent_to", _("The end of the date range comes before its start."))
        if data.get("after") and data.get("before"):
            self.add_error("before", CursorField.default_error_messages["invalid"])
        return data

    @property
    def is_filtered(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.FILTER_FIELDS) or (
            self.cleaned_data.get("direction") not in (None, "", Direction.ALL)
        )


@dataclass(frozen=True)
class InboxRequest:
    form: InboxFilterForm
    query: InboxQuery
    after: Position | None
    before: Position | None


def parse_inbox_request(
    params: QueryDict, *, officer: Officer, now: dt.datetime | None = None
) -> InboxRequest:
    """The filters and cursor of the query string; the invalid ones are left out (the form
    keeps their errors for the page)."""
    form = InboxFilterForm(params, nfp=officer.role == Role.NFP_OFFICER)
    form.is_valid()
    data = form.cleaned_data  # only the fields that parsed
    sent_from, sent_before = day_bounds(
        data.get("sent_from"), data.get("sent_to"), officer_zone(officer)
    )
    due_from = due_before = None
    if data.get("due_today"):
        due_from, due_before = local_day(officer, now or timezone.now())
    query = InboxQuery(
        direction=Direction(data.get("direction") or Direction.ALL),
        kind=data.get("kind") or "",
        priority=data.get("priority") or "",
        status=ReceiptStatus(data["status"]) if data.get("status") else None,
        crime_area=data.get("crime_area") or "",
        task_force=data.get("task_force") or "",
        overdue=bool(data.get("overdue")),
        unread=bool(data.get("unread")),
        sent_from=sent_from,
        sent_before=sent_before,
        due_from=due_from,
        due_before=due_before,
        reference=data.get("reference") or "",
        sort=InboxSort(data.get("sort") or InboxSort.NEWEST),
    )
    return InboxRequest(form=form, query=query, after=data.get("after"), before=data.get("before"))


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
    kept = [
        (key, value)
        for key, values in params.lists()
        if key not in CURSOR_PARAMETERS
        for value in values
    ]
    earlier_label, later_label = _PAGE_LABELS[page.sort]
    previous = next_ = None
    if page.has_previous and page.first is not None:
        query = urlencode([*kept, ("before", encode_position(page.first))])
        previous = PageLink(url=f"?{query}", label=str(earlier_label))
    if page.has_next and page.last is not None:
        query = urlencode([*kept, ("after", encode_position(page.last))])
        next_ = PageLink(url=f"?{query}", label=str(later_label))
    return previous, next_
