"""The filtered inbox: a page of the exchanges the officer may see, narrowed by an
``InboxQuery`` and paged by keyset in the sort's order, and the officer's local days its date
filters (and the dashboard's "due today") are read in. The API's list reads the same pages."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from exchanges.models import Exchange, ExchangeKind, ListedReceipt, Recipient, SavedInboxFilter
from exchanges.selectors import Scope, attach_receipts, exchanges_visible_to, officer_scope
from partners.models import Officer
from taskforces.models import CrimeArea, TaskForce

PAGE_SIZE = 50


class Direction(StrEnum):
    ALL = "all"
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class ReceiptStatus(StrEnum):
    UNREAD = "unread"
    UNACKNOWLEDGED = "unacknowledged"
    ANSWERED = "answered"
    UNANSWERED = "unanswered"


class InboxSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    DUE = "due"


# The keyset of each sort: (column, descending). The id breaks ties in the same direction.
SORT_KEYS: dict[InboxSort, tuple[str, bool]] = {
    InboxSort.NEWEST: ("sent_at", True),
    InboxSort.OLDEST: ("sent_at", False),
    InboxSort.DUE: ("due_at", False),
}


@dataclass(frozen=True)
class InboxQuery:
    """What the inbox is narrowed to; every field empty (the default) means no narrowing.

    Receipt states (``status``, ``overdue``) concern the receipts the officer follows: those of
    their scope on what it received, and every recipient's on what it sent. ``unread`` is the
    scope's own unread receipts only. Times are bounds: ``*_from`` inclusive, ``*_before``
    exclusive."""

    direction: Direction = Direction.ALL
    kind: str = ""
    priority: str = ""
    status: ReceiptStatus | None = None
    crime_area: str = ""  # CrimeArea.code
    task_force: str = ""  # TaskForce.code
    overdue: bool = False
    unread: bool = False
    sent_from: dt.datetime | None = None
    sent_before: dt.datetime | None = None
    due_from: dt.datetime | None = None
    due_before: dt.datetime | None = None
    reference: str = ""  # exact, or the beginning of one ("SELEC-2026-")
    sort: InboxSort = InboxSort.NEWEST


@dataclass(frozen=True)
class Position:
    """Keyset position of a row in a sort: the sort column's value and the id."""

    at: dt.datetime
    id: int


@dataclass(frozen=True)
class InboxRow:
    exchange: Exchange
    outgoing: bool
    # The receipts the officer follows: every recipient's on what the scope sent, the scope's
    # own on what it received (not how other recipients handle it).
    receipts: list[ListedReceipt]
    overdue: bool


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    # Whether there may be rows before the first / after the last one, in the sort's order.
    has_previous: bool
    has_next: bool
    sort: InboxSort

    def position(self, row: InboxRow) -> Position:
        column, _ = SORT_KEYS[self.sort]
        return Position(getattr(row.exchange, column), row.exchange.pk)

    @property
    def first(self) -> Position | None:
        return self.position(self.rows[0]) if self.rows else None

    @property
    def last(self) -> Position | None:
        return self.position(self.rows[-1]) if self.rows else None


def _row_has_receipt(where: Q) -> Exists:
    """The exchange of the outer row has a receipt that meets ``where``."""
    return Exists(Recipient.objects.filter(exchange=OuterRef("pk")).filter(where))


def _receipts_exist(scope: Scope, condition: Q) -> Exists:
    """A receipt of the scope's own meets the condition."""
    return _row_has_receipt(condition & scope.receipts())


def _followed_receipts(scope: Scope, condition: Q, on_sent: Q | None = None) -> Q:
    """A receipt the officer follows meets the condition (see ``InboxQuery``). ``on_sent``,
    the same condition said otherwise for the receipts of what the scope sent (which are
    looked up by exchange, not by the scope's agency).

    One EXISTS with the two cases inside, not two joined by OR: PostgreSQL turns an EXISTS
    under an OR into a hash of every receipt meeting the condition (every unanswered receipt
    of every agency, read before the first row), where this one is probed by exchange, row
    by row down the page's index, and stops with the page."""
    sent = condition if on_sent is None else on_sent
    return Q(
        _row_has_receipt((condition & scope.receipts()) | (sent & scope.sent_the_outer_exchange()))
    )


# A receipt of a request not answered yet (``Recipient.awaits_answer`` copies the exchange's
# kind), as the partial index ``receipt_awaiting_answer`` holds them.
_AWAITING_ANSWER = Q(awaits_answer=True, answered_at__isnull=True)


def _inbox_filter(scope: Scope, query: InboxQuery, now: dt.datetime) -> Q:
    where = Q()
    if query.direction == Direction.INCOMING:
        where &= Q(_receipts_exist(scope, Q()))
    elif query.direction == Direction.OUTGOING:
        where &= scope.senders()
    if query.kind:
        where &= Q(kind=query.kind)
    if query.priority:
        where &= Q(priority=query.priority)
    # By the id found from the code (a subquery run once): a join on the code would hide from
    # the planner that the index led by the column serves the filter in the page's order.
    if query.crime_area:
        where &= Q(
            crime_area_id=Subquery(CrimeArea.objects.filter(code=query.crime_area).values("pk")[:1])
        )
    if query.task_force:
        where &= Q(
            task_force_id=Subquery(TaskForce.objects.filter(code=query.task_force).values("pk")[:1])
        )
    if query.status == ReceiptStatus.UNREAD:
        where &= _followed_receipts(scope, Q(read_at__isnull=True))
    elif query.status == ReceiptStatus.UNACKNOWLEDGED:
        where &= _followed_receipts(scope, Q(acknowledged_at__isnull=True))
    elif query.status == ReceiptStatus.ANSWERED:
        where &= Q(kind=ExchangeKind.REQUEST) & _followed_receipts(
            scope, Q(answered_at__isnull=False)
        )
    elif query.status == ReceiptStatus.UNANSWERED:
        where &= Q(kind=ExchangeKind.REQUEST) & _followed_receipts(
            scope, _AWAITING_ANSWER, on_sent=Q(answered_at__isnull=True)
        )
    if query.overdue:
        # The receipt's own copy of the due date: the receipts awaiting an answer are read
        # from their partial index, not from every unanswered receipt of the scope.
        # The exchange's own kind and due date are checked beside: on what the scope sent,
        # any unanswered receipt (found by the exchange's index) is an overdue one.
        where &= Q(kind=ExchangeKind.REQUEST, due_at__lt=now) & _followed_receipts(
            scope, _AWAITING_ANSWER & Q(due_at__lt=now), on_sent=Q(answered_at__isnull=True)
        )
    if query.unread:
        where &= Q(_receipts_exist(scope, Q(read_at__isnull=True)))
    if query.sent_from is not None:
        where &= Q(sent_at__gte=query.sent_from)
    if query.sent_before is not None:
        where &= Q(sent_at__lt=query.sent_before)
    if query.due_from is not None:
        where &= Q(due_at__gte=query.due_from)
    if query.due_before is not None:
        where &= Q(due_at__lt=query.due_before)
    if query.reference:
        where &= Q(reference__startswith=query.reference)
    return where


def _beyond(column: str, descending: bool, position: Position) -> Q:
    """The rows after ``position`` when walking in the given direction.

    The bound on the column alone (``<=`` or ``>=``) is redundant with the rest but lets
    PostgreSQL start the index scan at the position: the disjunction alone is a filter, and a
    deep page would read every row before it."""
    op = "lt" if descending else "gt"
    return Q(**{f"{column}__{op}e": position.at}) & (
        Q(**{f"{column}__{op}": position.at}) | Q(**{f"id__{op}": position.id})
    )


def inbox_search(
    officer: Officer,
    query: InboxQuery,
    *,
    after: Position | None = None,
    before: Position | None = None,
    limit: int = PAGE_SIZE,
    now: dt.datetime | None = None,
    subjects: bool = False,
) -> InboxPage:
    """A page of the officer's visible exchanges narrowed by ``query``, in its sort order, by
    keyset: the rows after ``after`` (the next page) or just before ``before`` (the previous
    one). One query for the rows and one for their receipts; no OFFSET, no COUNT. The subjects
    are loaded only for a page that shows them (``exchanges.services.listing``)."""
    scope = officer_scope(officer)
    if scope is None:
        return InboxPage(rows=[], has_previous=False, has_next=False, sort=query.sort)
    now = now or timezone.now()
    limit = max(1, min(limit, 200))
    column, descending = SORT_KEYS[query.sort]
    forward = [f"-{column}", "-id"] if descending else [column, "id"]
    backward = [column, "id"] if descending else [f"-{column}", "-id"]
    matching = exchanges_visible_to(officer).filter(_inbox_filter(scope, query, now))
    if before is not None:
        batch = _page_rows(
            matching.filter(_beyond(column, not descending, before)),
            backward,
            limit + 1,
            subjects=subjects,
        )
        has_previous, has_next = len(batch) > limit, True
        batch = batch[:limit][::-1]
    else:
        if after is not None:
            matching = matching.filter(_beyond(column, descending, after))
        batch = _page_rows(matching, forward, limit + 1, subjects=subjects)
        has_previous, has_next = after is not None, len(batch) > limit
        batch = batch[:limit]
    if not batch and (after is not None or before is not None):
        # Nothing beyond the cursor (rows gone since, or a hand-made address): the first page.
        return inbox_search(officer, query, limit=limit, now=now, subjects=subjects)
    attach_receipts(batch)
    return InboxPage(
        rows=[_inbox_row(scope, exchange, now) for exchange in batch],
        has_previous=has_previous,
        has_next=has_next,
        sort=query.sort,
    )


def _page_rows(
    matching: QuerySet[Exchange], order: list[str], count: int, *, subjects: bool
) -> list[Exchange]:
    """The first ``count`` exchanges of ``matching`` in ``order``: their ids found first, then
    the rows loaded by id, in one statement.

    The ids come from the index that serves the order (the time, or the filter's column with
    the time), which carries them and the columns the filters read: each entry is checked
    against the officer's permission rows before its row is read. Read in one step instead,
    every row walked past would be fetched from the table first: an officer who may see few
    exchanges (an observer sees 0.5 %) walks two hundred entries for each row shown, and
    fetching the rows of the others was most of the page's time (an observer's page of one
    crime area at a million exchanges: 38,000 rows fetched for 51 shown, 145 ms)."""
    ids = matching.order_by(*order).values("pk")[:count]
    return list(
        Exchange.objects.filter(pk__in=ids)
        .select_related("crime_area")
        # The body is never listed: its ciphertext stays in the database, and so does the
        # subject's unless the page shows subjects.
        .defer(*(("body",) if subjects else ("subject", "body")))
        .order_by(*order)
    )


def _inbox_row(scope: Scope, exchange: Exchange, now: dt.datetime) -> InboxRow:
    recipients = exchange.listed_receipts
    sender = exchange.sender_agency
    outgoing = scope.holds(sender.pk, sender.party_id)
    receipts = (
        recipients
        if outgoing
        else [r for r in recipients if scope.holds(r.agency_id, r.agency.party_id)]
    )
    overdue = (
        exchange.kind == ExchangeKind.REQUEST
        and exchange.due_at < now
        and any(r.answered_at is None for r in receipts)
    )
    return InboxRow(exchange=exchange, outgoing=outgoing, receipts=receipts, overdue=overdue)


def officer_zone(officer: Officer) -> zoneinfo.ZoneInfo:
    """The officer's own time zone (the site's when they chose none)."""
    return zoneinfo.ZoneInfo(officer.time_zone or settings.TIME_ZONE)


def day_bounds(
    first: dt.date | None, last: dt.date | None, zone: zoneinfo.ZoneInfo
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The moments a range of whole days covers in the zone: from the start of ``first`` to the
    start of the day after ``last`` (exclusive); None where the range is open. The days are
    today or those the inbox's DayField accepts, so the day after ``last`` always exists."""
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone) if first else None
    end = (
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone) if last else None
    )
    return start, end


def local_day(officer: Officer, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The bounds of the officer's current day in their own time zone."""
    zone = officer_zone(officer)
    today = now.astimezone(zone).date()
    start, end = day_bounds(today, today, zone)
    assert start is not None
    assert end is not None
    return start, end


def saved_inbox_filters(officer: Officer) -> list[SavedInboxFilter]:
    """The officer's own saved views of the inbox, by name."""
    return list(SavedInboxFilter.objects.filter(officer=officer).order_by("name"))
