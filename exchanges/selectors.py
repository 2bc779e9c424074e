"""Scoped reads of exchanges. An officer reaches an exchange only through an object permission
held by one of their groups (agency, NFP); everything else answers 404, the same as for an
exchange that does not exist."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.lookups import IsNull
from django.http import Http404
from django.utils import timezone

from exchanges.models import (
    Attachment,
    DisseminationRequest,
    DisseminationStatus,
    Exchange,
    ExchangeGroupObjectPermission,
    ExchangeKind,
    Recipient,
)
from exchanges.policy import Perm
from partners.capabilities import statuses_that_may_hold
from partners.models import Agency, Officer, Role
from partners.selectors import officer_group_ids
from selec.core.digests import DigestPurpose, keyed_digest
from selec.core.object_permissions import permission_id, permissions_by_id
from taskforces.models import CrimeArea, TaskForce

PAGE_SIZE = 50
# The one answer for an attachment that does not exist and for one whose exchange the officer
# may not see. Django's debug page shows an Http404's message: the exchange's own message
# ("No exchange matches...") would tell the two apart.
NO_ATTACHMENT = "No attachment matches the given query."


def _ids_with_perm(officer: Officer, perm: Perm) -> QuerySet[ExchangeGroupObjectPermission]:
    # The permission rows of the officer's groups, as a subquery; never a global permission.
    # The permission's id is a constant (see ``permission_id``): the planner then walks the
    # page's index and probes the rows of each exchange, whatever the officer may see.
    return ExchangeGroupObjectPermission.objects.filter(
        group_id__in=officer_group_ids(officer),
        permission_id=permission_id("exchanges", perm),
    ).values("content_object_id")


def exchanges_visible_to(officer: Officer) -> QuerySet[Exchange]:
    if not officer.is_active:
        return Exchange.objects.none()
    return Exchange.objects.filter(pk__in=_ids_with_perm(officer, Perm.VIEW))


def officer_perms(officer: Officer, exchange: Exchange) -> frozenset[Perm]:
    return officer_perms_by_exchange(officer, [exchange.pk])[exchange.pk]


def require_perm(officer: Officer, exchange: Exchange, perm: Perm) -> frozenset[Perm]:
    """404 if the officer may not see the exchange; 403 if they may see it but not do this."""
    perms = officer_perms(officer, exchange)
    if Perm.VIEW not in perms:
        raise Http404("No exchange matches the given query.")
    if perm not in perms:
        raise PermissionDenied(
            f"You may read {exchange.reference} but not {perm.value.replace('_exchange', '').replace('_', ' ')} it."
        )
    return perms


def exchange_get_for_officer(
    officer: Officer, *, reference: str | None = None, pk: int | None = None
) -> Exchange:
    lookup = Q(reference=reference) if reference is not None else Q(pk=pk)
    exchange = (
        exchanges_visible_to(officer)
        .filter(lookup)
        .select_related("sender_agency__party", "author", "crime_area", "task_force", "in_reply_to")
        .first()
    )
    if exchange is None:
        raise Http404("No exchange matches the given query.")
    return exchange


# --- The filtered inbox and the agency's work on the dashboard ------------------------------
#
# Both read relative to the officer's scope: their agency for a liaison officer, every agency of
# their party for an officer of a National Focal Point (who reviews the country's traffic). The
# scope only narrows what ``exchanges_visible_to`` allows; it never widens it.


@dataclass(frozen=True)
class Scope:
    agency_id: int | None = None
    party_id: int | None = None

    def receipts(self) -> Q:
        """The receipts (``Recipient`` rows) held by the scope."""
        if self.party_id is not None:
            return Q(agency__party_id=self.party_id)
        return Q(agency_id=self.agency_id)

    def senders(self) -> Q:
        """The exchanges sent from the scope."""
        if self.party_id is not None:
            return Q(sender_agency__party_id=self.party_id)
        return Q(sender_agency_id=self.agency_id)

    def holds(self, agency_id: int, party_id: int) -> bool:
        if self.party_id is not None:
            return party_id == self.party_id
        return agency_id == self.agency_id


def officer_scope(officer: Officer) -> Scope | None:
    """None for secretariat staff: exchanges are not theirs to read."""
    if officer.agency_id is None:
        return None
    if officer.role == Role.NFP_OFFICER:
        assert officer.agency is not None
        return Scope(party_id=officer.agency.party_id)
    return Scope(agency_id=officer.agency_id)


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
    receipts: list[Recipient]
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


def _receipts_exist(scope: Scope | None, condition: Q) -> Exists:
    receipts = Recipient.objects.filter(exchange=OuterRef("pk")).filter(condition)
    if scope is not None:
        receipts = receipts.filter(scope.receipts())
    return Exists(receipts)


def _followed_receipts(scope: Scope, condition: Q, on_sent: Q | None = None) -> Q:
    """A receipt the officer follows meets the condition (see ``InboxQuery``). ``on_sent``,
    the same condition said otherwise for the receipts of what the scope sent (which are
    looked up by exchange, not by the scope's agency)."""
    return Q(_receipts_exist(scope, condition)) | (
        scope.senders() & Q(_receipts_exist(None, condition if on_sent is None else on_sent))
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
) -> InboxPage:
    """A page of the officer's visible exchanges narrowed by ``query``, in its sort order, by
    keyset: the rows after ``after`` (the next page) or just before ``before`` (the previous
    one). One query for the rows and one for their receipts; no OFFSET, no COUNT."""
    scope = officer_scope(officer)
    if scope is None:
        return InboxPage(rows=[], has_previous=False, has_next=False, sort=query.sort)
    now = now or timezone.now()
    limit = max(1, min(limit, 200))
    column, descending = SORT_KEYS[query.sort]
    forward = [f"-{column}", "-id"] if descending else [column, "id"]
    backward = [column, "id"] if descending else [f"-{column}", "-id"]
    rows = (
        exchanges_visible_to(officer)
        .filter(_inbox_filter(scope, query, now))
        .select_related("crime_area")
        # Lists never show content: leave the ciphertext in the database.
        .defer("subject", "body")
    )
    if before is not None:
        batch = list(
            rows.filter(_beyond(column, not descending, before)).order_by(*backward)[: limit + 1]
        )
        has_previous, has_next = len(batch) > limit, True
        batch = batch[:limit][::-1]
    else:
        if after is not None:
            rows = rows.filter(_beyond(column, descending, after))
        batch = list(rows.order_by(*forward)[: limit + 1])
        has_previous, has_next = after is not None, len(batch) > limit
        batch = batch[:limit]
    if not batch and (after is not None or before is not None):
        # Nothing beyond the cursor (rows gone since, or a hand-made address): the first page.
        return inbox_search(officer, query, limit=limit, now=now)
    attach_receipts(batch)
    return InboxPage(
        rows=[_inbox_row(scope, exchange, now) for exchange in batch],
        has_previous=has_previous,
        has_next=has_next,
        sort=query.sort,
    )


def attach_receipts(exchanges: list[Exchange]) -> None:
    """Give each exchange its receipts, in order, as ``listed_receipts``, and the sender's and
    each recipient's agency with its party: two queries whatever the number of exchanges.
    One instance per agency named, not one per mention: a page names a few dozen agencies on
    hundreds of rows, and building model instances is most of what a page costs in Python."""
    listed: dict[int, list[Recipient]] = {exchange.pk: [] for exchange in exchanges}
    for receipt in Recipient.objects.filter(exchange_id__in=listed).order_by("pk"):
        listed[receipt.exchange_id].append(receipt)
    named = {e.sender_agency_id for e in exchanges}
    named.update(r.agency_id for receipts in listed.values() for r in receipts)
    agencies = Agency.objects.select_related("party").in_bulk(named)
    for exchange in exchanges:
        exchange.sender_agency = agencies[exchange.sender_agency_id]
        exchange.listed_receipts = listed[exchange.pk]
        for receipt in exchange.listed_receipts:
            receipt.agency = agencies[receipt.agency_id]


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


@dataclass(frozen=True)
class WorkList:
    receipts: list[Recipient]
    more: bool  # more receipts than shown wait (the inbox lists them all)


@dataclass(frozen=True)
class AgencyWork:
    """What waits for the officer's agency (for an NFP officer, their country's agencies):
    receipts, most urgent first, each list bounded."""

    unread: WorkList
    unacknowledged: WorkList
    overdue: WorkList
    due_today: WorkList


DASHBOARD_LIMIT = 20


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


def agency_work(
    officer: Officer, *, now: dt.datetime | None = None, limit: int = DASHBOARD_LIMIT
) -> AgencyWork | None:
    """The receipts of the scope on exchanges the officer may see, each list bounded: five
    queries for an agency's officer, ten for an NFP officer (whose party's agencies are read
    one by one, see ``_first_of_each_agency``). None for secretariat staff, who hold no
    receipts."""
    scope = officer_scope(officer)
    if scope is None:
        return None
    now = now or timezone.now()
    # The receipts of the scope, most urgent first, read in that order from the partial
    # indexes of ``Recipient`` (their urgency and due date are the exchange's, copied), each
    # checked as it is read (``_viewed_by``): a list is cut after the receipts the officer may
    # see, so that receipts whose view was withdrawn (a party became an observer) take no
    # place in it.
    ordering = ("urgency", "due_at", "pk")
    receipts = Recipient.objects.filter(scope.receipts()).filter(_viewed_by(officer))
    open_requests = receipts.filter(awaits_answer=True, answered_at__isnull=True)
    start, end = local_day(officer, now)
    agency_ids = scope_agency_ids(scope)

    def first(candidates: QuerySet[Recipient]) -> WorkList:
        if len(agency_ids) > 1:
            shown = Q(pk__in=_first_of_each_agency(candidates, agency_ids, ordering, limit + 1))
        else:
            # The first ids found alone, in a subquery of their own (its LIMIT keeps it apart):
            # joined to the exchanges, senders and parties shown, the planner would rather
            # read and sort every open receipt of the agency.
            shown = Q(pk__in=candidates.order_by(*ordering).values("pk")[: limit + 1])
        found = list(
            Recipient.objects.filter(shown)
            .select_related(
                "exchange__sender_agency__party", "exchange__crime_area", "agency__party"
            )
            .defer("exchange__subject", "exchange__body")
            .annotate(is_overdue=_overdue(now))
            .order_by(*ordering)
        )
        return WorkList(receipts=found[:limit], more=len(found) > limit)

    return AgencyWork(
        unread=first(receipts.filter(read_at__isnull=True)),
        unacknowledged=first(receipts.filter(acknowledged_at__isnull=True)),
        overdue=first(open_requests.filter(due_at__lt=now)),
        due_today=first(open_requests.filter(due_at__gte=start, due_at__lt=end)),
    )


def _viewed_by(officer: Officer) -> IsNull:
    """The receipt's exchange is one the officer may see: one of their groups holds its view
    permission (by the permission's id, see ``_ids_with_perm``).

    A scalar subquery (``(SELECT ... LIMIT 1) IS NOT NULL``), not EXISTS: PostgreSQL turns an
    EXISTS into a join, and then hashes every permission row of the officer's groups (an NFP's
    reach the whole country's traffic) and sorts every open receipt, where this is one index
    probe per receipt read, in the order of the receipt's partial index, until the list is
    full."""
    return IsNull(
        Subquery(
            ExchangeGroupObjectPermission.objects.filter(
                group_id__in=officer_group_ids(officer),
                permission_id=permission_id("exchanges", Perm.VIEW),
                content_object_id=OuterRef("exchange_id"),
            ).values("content_object_id")[:1]
        ),
        False,
    )


def scope_agency_ids(scope: Scope) -> list[int]:
    """The agencies whose receipts the scope holds (one query for a party's)."""
    if scope.party_id is None:
        assert scope.agency_id is not None
        return [scope.agency_id]
    return list(Agency.objects.filter(party_id=scope.party_id).values_list("pk", flat=True))


def _first_of_each_agency(
    candidates: QuerySet[Recipient], agency_ids: list[int], ordering: tuple[str, ...], count: int
) -> list[int]:
    """The ids of the first ``count`` candidates in ``ordering``, found as the first ``count``
    of each agency in one query: each is an ordered scan of an index led by the agency, which
    stops after ``count`` rows. Over several agencies at once PostgreSQL reads every open
    receipt of them all and sorts them (an NFP's party holds tens of thousands)."""
    keys = [key for key in ordering if key != "pk"]
    first, *others = [
        candidates.filter(agency_id=agency_id).order_by(*ordering).values_list(*keys, "pk")[:count]
        for agency_id in agency_ids
    ]
    rows = first.union(*others, all=True) if others else first
    return [row[-1] for row in sorted(rows)[:count]]


def _overdue(now: dt.datetime) -> Case:
    return Case(
        When(awaits_answer=True, answered_at__isnull=True, due_at__lt=now, then=True),
        default=False,
        output_field=BooleanField(),
    )


# --- The thread page and the dissemination queue -------------------------------------------


def _thread_rows(officer: Officer) -> QuerySet[Exchange]:
    """Visible exchanges with everything the thread page shows of them, prefetched."""
    return (
        exchanges_visible_to(officer)
        .select_related("sender_agency__party", "author", "in_reply_to")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=Recipient.objects.select_related("agency__party").order_by("pk"),
            ),
            Prefetch(
                "dissemination_requests",
                queryset=DisseminationRequest.objects.select_related(
                    "requesting_agency__party", "requested_by"
                )
                .prefetch_related(
                    Prefetch("target_agencies", queryset=Agency.objects.select_related("party"))
                )
                .order_by("requested_at", "pk"),
            ),
        )
    )


def thread_messages(officer: Officer, exchange: Exchange) -> list[Exchange]:
    """Every message of the exchange's thread (its root and the replies) the officer may see,
    oldest first: a fixed number of queries whatever the length of the thread."""
    root_id = exchange.thread_root_id or exchange.pk
    return list(
        _thread_rows(officer)
        .filter(Q(pk=root_id) | Q(thread_root_id=root_id))
        .order_by("sent_at", "pk")
    )


def officer_perms_by_exchange(
    officer: Officer, exchange_ids: list[int]
) -> dict[int, frozenset[Perm]]:
    """``officer_perms`` for many exchanges in one query."""
    found: dict[int, set[Perm]] = {pk: set() for pk in exchange_ids}
    if officer.is_active and exchange_ids:
        # By the permission's id (known to the process, see ``permission_id``): no join to
        # the permission table.
        perm_of = permissions_by_id("exchanges", Perm)
        for exchange_id, perm_id in ExchangeGroupObjectPermission.objects.filter(
            content_object_id__in=exchange_ids, group_id__in=officer_group_ids(officer)
        ).values_list("content_object_id", "permission_id"):
            found[exchange_id].add(perm_of[perm_id])
    return {pk: frozenset(perms) for pk, perms in found.items()}


def attachment_get_for_officer(officer: Officer, attachment_id: int) -> Attachment:
    """An attachment, with its exchange, if the officer may see that exchange; 404 otherwise,
    the same answer whether the attachment does not exist or is not theirs to see."""
    attachment = (
        Attachment.objects.select_related("exchange")
        .filter(pk=attachment_id, exchange_id__in=exchanges_visible_to(officer).values("pk"))
        .first()
    )
    if attachment is None:
        raise Http404(NO_ATTACHMENT)
    return attachment


def restriction_text_now(exchange: Exchange) -> str:
    """The exchange's H3 text as stored now, decrypted: not as the instance at hand was loaded,
    so that a text the provider has just changed is the one confirmed and checked."""
    return Exchange.objects.only("uuid", "restriction_text").get(pk=exchange.pk).restriction_text


def restriction_digest(text: str) -> str:
    """What a confirmation keeps of the H3 text confirmed (``RestrictionConfirmation``)."""
    return keyed_digest(DigestPurpose.RESTRICTION_TEXT, text)


def agencies_to_add(officer: Officer, exchange: Exchange) -> list[Agency]:
    """Agencies an exchange could still be forwarded or disseminated to: not the officer's own,
    not its sender, not a current recipient, of a party that takes part in SELEC (and, when the
    exchange carries personal data, one that may hold it). Ordered by party, then name."""
    statuses = statuses_that_may_hold(personal_data=exchange.personal_data)
    return list(
        Agency.objects.select_related("party")
        .filter(party__status__in=statuses)
        .exclude(pk__in=Recipient.objects.filter(exchange=exchange).values("agency_id"))
        .exclude(pk=exchange.sender_agency_id)
        .exclude(pk=officer.agency_id or 0)
        .order_by("party__name", "-is_national_focal_point", "name")
    )


def _dissemination_rows() -> QuerySet[DisseminationRequest]:
    return DisseminationRequest.objects.select_related(
        "exchange", "requesting_agency__party", "requested_by", "decided_by"
    ).prefetch_related(
        Prefetch("target_agencies", queryset=Agency.objects.select_related("party").order_by("pk"))
    )


def dissemination_requests_to_decide(
    officer: Officer, *, limit: int = 500
) -> list[DisseminationRequest]:
    """Pending requests on the exchanges the officer's agency provided (those it manages),
    oldest first."""
    if not officer.is_active or officer.agency_id is None:
        return []
    return list(
        _dissemination_rows()
        .filter(
            status=DisseminationStatus.PENDING,
            exchange_id__in=_ids_with_perm(officer, Perm.MANAGE),
            exchange__sender_agency_id=officer.agency_id,
        )
        .order_by("requested_at", "pk")[:limit]
    )


def dissemination_requests_filed_by_agency(
    officer: Officer, *, limit: int = 500
) -> list[DisseminationRequest]:
    """The requests the officer's agency filed, on exchanges it still sees, newest first."""
    if not officer.is_active or officer.agency_id is None:
        return []
    return list(
        _dissemination_rows()
        .filter(
            requesting_agency_id=officer.agency_id,
            exchange_id__in=_ids_with_perm(officer, Perm.VIEW),
        )
        .order_by("-requested_at", "-pk")[:limit]
    )


def dissemination_request_for_officer(officer: Officer, pk: int) -> DisseminationRequest:
    """A dissemination request on an exchange the officer may see; 404 otherwise."""
    request = (
        DisseminationRequest.objects.select_related("exchange")
        .filter(pk=pk, exchange_id__in=exchanges_visible_to(officer).values("pk"))
        .first()
    )
    if request is None:
        raise Http404("No dissemination request matches the given query.")
    return request


# --- The REST API's reads (exchanges/api.py) ------------------------------------------------


def dissemination_requests_on_exchange(
    officer: Officer, exchange: Exchange, *, limit: int = 500
) -> list[DisseminationRequest]:
    """The dissemination requests filed on an exchange that the officer may see: every one for
    the provider (who decides them), the requests of the officer's own agency for the others.
    404 unless the officer may see the exchange."""
    perms = officer_perms(officer, exchange)
    if Perm.VIEW not in perms:
        raise Http404("No exchange matches the given query.")
    rows = _dissemination_rows().filter(exchange=exchange)
    if Perm.MANAGE not in perms:
        if officer.agency_id is None:
            return []
        rows = rows.filter(requesting_agency_id=officer.agency_id)
    return list(rows.order_by("requested_at", "pk")[:limit])


def attachment_id_of_exchange(exchange: Exchange, attachment_id: int) -> int:
    """The attachment's id if it belongs to this exchange; 404 otherwise (an attachment is
    reached only through its own exchange's address)."""
    if not Attachment.objects.filter(pk=attachment_id, exchange=exchange).exists():
        raise Http404(NO_ATTACHMENT)
    return attachment_id


def references_visible_to(officer: Officer, exchange_ids: list[int]) -> dict[int, str]:
    """The references of those exchanges the officer may see, in one query (the others stay
    unnamed: a reply's parent may be out of the officer's reach)."""
    ids = [pk for pk in exchange_ids if pk is not None]
    if not ids:
        return {}
    return dict(exchanges_visible_to(officer).filter(pk__in=ids).values_list("pk", "reference"))


def exchange_for_api(
    officer: Officer, *, reference: str | None = None, pk: int | None = None
) -> Exchange:
    """``exchange_get_for_officer`` with the receipts the API shows, in two more queries."""
    exchange = exchange_get_for_officer(officer, reference=reference, pk=pk)
    attach_receipts([exchange])
    return exchange
