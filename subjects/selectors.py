"""Reads of data subject requests: the blind-index search, the DPO's requests and a provider's
queue. No audit here: ``subjects.services`` records the reads that reveal personal data.

The search reads metadata only (references, providers, dates, crime areas, token kinds):
never an exchange's subject, body or entities, which stay encrypted in the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import partial, reduce
from operator import or_

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from hits.blind_index import current_scheme
from hits.models import EntityToken
from hits.selectors import matched_labels
from selec.core.paging import Keyset, Page, keyset_page, parsed_day_and_id, parsed_id
from subjects.identifiers import TokenPair
from subjects.models import ItemStatus, RequestStatus, SubjectRequest, SubjectRequestItem
from subjects.policy import item_overdue, request_status

PAGE_SIZE = 50
# An exchange's columns a list never reads: its content.
_CONTENT = ("subject", "body", "restriction_text")

# --- The search -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectMatch:
    """An exchange holding the person: its metadata and which identifiers matched."""

    exchange_id: int
    reference: str
    sent_at: dt.datetime
    crime_area: str
    agency_id: int
    agency_name: str
    party_code: str
    erased_at: dt.datetime | None
    matched: tuple[str, ...]  # token kinds (hits.blind_index.TokenKind)

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    @property
    def matched_labels(self) -> list[str]:
        return matched_labels(list(self.matched))

    @property
    def provider(self) -> str:
        return f"{self.party_code} {self.agency_name}"


def subject_matches(pairs: list[TokenPair]) -> list[SubjectMatch]:
    """Every exchange, of any provider, with an entity holding one of the tokens: one query on
    the (kind, token) index, O(matches). Grouped by provider, then oldest first."""
    if not pairs:
        return []
    by_kind: dict[str, list[str]] = {}
    for kind, token in pairs:
        by_kind.setdefault(kind, []).append(token)
    wanted = reduce(or_, (Q(kind=kind, token__in=tokens) for kind, tokens in by_kind.items()))
    rows = EntityToken.objects.filter(wanted, scheme=current_scheme()).values_list(
        "entity__exchange_id",
        "kind",
        "entity__exchange__reference",
        "entity__exchange__sent_at",
        "entity__exchange__crime_area__name",
        "entity__exchange__sender_agency_id",
        "entity__exchange__sender_agency__name",
        "entity__exchange__sender_agency__party__code",
        "entity__exchange__erased_at",
    )
    found: dict[int, SubjectMatch] = {}
    kinds: dict[int, set[str]] = {}
    for exchange_id, kind, reference, sent_at, area, agency_id, agency, party, erased_at in rows:
        kinds.setdefault(exchange_id, set()).add(kind)
        found[exchange_id] = SubjectMatch(
            exchange_id=exchange_id,
            reference=reference,
            sent_at=sent_at,
            crime_area=area,
            agency_id=agency_id,
            agency_name=agency,
            party_code=party,
            erased_at=erased_at,
            matched=(),
        )
    matches = [replace(m, matched=tuple(sorted(kinds[pk]))) for pk, m in found.items()]
    return sorted(matches, key=lambda m: (m.party_code, m.agency_name, m.sent_at, m.reference))


# --- The DPO's requests -------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    request: SubjectRequest
    items_total: int
    items_answered: int
    status: RequestStatus


def _request_row(request: SubjectRequest, today: dt.date) -> RequestRow:
    total, answered = request.items_total, request.items_answered  # type: ignore[attr-defined]
    return RequestRow(
        request=request,
        items_total=total,
        items_answered=answered,
        status=request_status(
            answered=request.answered_at is not None, due_on=request.due_on, today=today
        ),
    )


def _items_counted(**narrowed: str) -> Coalesce:
    """The number of the request's items (those ``narrowed``), read for each row of the page
    once it is cut: a subquery on the items' request index, never a count of every request."""
    items = (
        SubjectRequestItem.objects.filter(request=OuterRef("pk"), **narrowed)
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(items, output_field=IntegerField()), 0)


def _requests_counted() -> QuerySet[SubjectRequest]:
    # The identifiers and the note stay encrypted: a list shows neither.
    return (
        SubjectRequest.objects.defer("identifiers", "note")
        .select_related("created_by")
        .annotate(
            items_total=_items_counted(),
            items_answered=_items_counted(status=ItemStatus.ANSWERED),
        )
    )


def _id_after(value: str) -> Q | None:
    pk = parsed_id(value)
    return None if pk is None else Q(pk__lt=pk)


def _id_before(value: str) -> Q | None:
    pk = parsed_id(value)
    return None if pk is None else Q(pk__gt=pk)


# Newest first, on the primary key.
REQUEST_KEYSET: Keyset[SubjectRequest] = Keyset(
    order=("-id",), after=_id_after, before=_id_before, position=lambda r: str(r.pk)
)


def request_page(
    *, today: dt.date, after: str | None = None, before: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[RequestRow], Page[SubjectRequest]]:
    """The requests, newest first, with their progress: one query."""
    page = keyset_page(_requests_counted(), REQUEST_KEYSET, after=after, before=before, limit=limit)
    return [_request_row(r, today) for r in page.rows], page


def request_get(reference: str, *, today: dt.date) -> RequestRow:
    """One request with its progress; 404 when the reference names none."""
    request = _requests_counted().defer(None).filter(reference=reference).first()
    if request is None:
        raise Http404("No such request.")
    return _request_row(request, today)


# --- Items -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    item: SubjectRequestItem
    overdue: bool

    @property
    def matched_labels(self) -> list[str]:
        return matched_labels(self.item.matched)


def _item_rows(items: list[SubjectRequestItem], today: dt.date) -> list[ItemRow]:
    return [
        ItemRow(
            item=item,
            overdue=item_overdue(
                pending=item.status == ItemStatus.PENDING, due_on=item.due_on, today=today
            ),
        )
        for item in items
    ]


def request_items(request: SubjectRequest, *, today: dt.date) -> list[ItemRow]:
    """The request's items, by provider, with their answers (decrypted when read): one query."""
    items = (
        SubjectRequestItem.objects.filter(request=request)
        .select_related("exchange", "provider_agency__party", "answered_by")
        .defer(*(f"exchange__{column}" for column in _CONTENT))
        .order_by("provider_agency__party__code", "provider_agency__name", "id")
    )
    return _item_rows(list(items), today)


def _queue_rows(agency_id: int) -> QuerySet[SubjectRequestItem]:
    # What a provider sees of a request: its reference, kind and due date; never the person's
    # identifiers nor how the request came in.
    return (
        SubjectRequestItem.objects.filter(provider_agency_id=agency_id)
        .select_related("request", "exchange", "answered_by")
        .defer(
            "request__identifiers",
            "request__note",
            *(f"exchange__{column}" for column in _CONTENT),
        )
    )


def _queue_position(item: SubjectRequestItem) -> str:
    return f"{item.status}|{item.due_on.isoformat()}|{item.pk}"


def _parsed_queue_position(value: str) -> tuple[str, dt.date, int] | None:
    status, _, rest = value.partition("|")
    parsed = parsed_day_and_id(rest, "|")
    if status not in ItemStatus.values or parsed is None:
        return None
    return status, *parsed


def _queue_beyond(value: str, *, after: bool) -> Q | None:
    """The rows after the position (the next page's) or before it (the previous page's), in
    the queue's order: status descending, then due date and id ascending."""
    parsed = _parsed_queue_position(value)
    if parsed is None:
        return None
    status, due_on, pk = parsed
    # Status descends, the rest ascends: their comparisons go opposite ways.
    on_status, on_rest = ("lt", "gt") if after else ("gt", "lt")
    return (
        Q(**{f"status__{on_status}": status})
        | Q(status=status, **{f"due_on__{on_rest}": due_on})
        | Q(status=status, due_on=due_on, **{f"pk__{on_rest}": pk})
    )


# Pending first ("pending" sorts after "answered"), the soonest due first: the order of the
# index ``subject_item_queue``.
QUEUE_KEYSET: Keyset[SubjectRequestItem] = Keyset(
    order=("-status", "due_on", "id"),
    after=partial(_queue_beyond, after=True),
    before=partial(_queue_beyond, after=False),
    position=_queue_position,
)


def item_page(
    agency_id: int,
    *,
    today: dt.date,
    after: str | None = None,
    before: str | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[ItemRow], Page[SubjectRequestItem]]:
    """The items addressed to the agency, pending first, soonest due first: one query."""
    page = keyset_page(
        _queue_rows(agency_id), QUEUE_KEYSET, after=after, before=before, limit=limit
    )
    return _item_rows(page.rows, today), page


def item_get_for_provider(agency_id: int, pk: int, *, today: dt.date) -> ItemRow:
    """One item of the agency's queue; 404 for another agency's, as for one that does not
    exist."""
    item = _queue_rows(agency_id).filter(pk=pk).first() if parsed_id(str(pk)) else None
    if item is None:
        raise Http404("No such item.")
    return _item_rows([item], today)[0]
