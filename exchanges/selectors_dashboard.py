"""What waits for the officer's agency on the dashboard (for an NFP officer, their country's
agencies): its receipts unread, unacknowledged, overdue and due today, each list bounded and
read in the order of the receipts' partial indexes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import BooleanField, Case, Q, QuerySet, When
from django.utils import timezone

from exchanges.models import Recipient
from exchanges.selectors import officer_scope, view_granted
from exchanges.selectors_inbox import local_day
from partners.models import Officer
from partners.selectors import agencies_by_id

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Overdue(TypedDict):
    is_overdue: bool


@dataclass(frozen=True)
class WorkList:
    receipts: list[WithAnnotations[Recipient, Overdue]]
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


def agency_work(
    officer: Officer, *, now: dt.datetime | None = None, limit: int = DASHBOARD_LIMIT
) -> AgencyWork | None:
    """The receipts of the scope on exchanges the officer may see, each list bounded: four
    queries for an agency's officer, eight for an NFP officer (whose party's agencies are read
    one by one, see ``_first_of_each_agency``), and one for the agencies they name, as a
    request loads the officer (with their groups and their party's agencies; a query more for
    each otherwise). None for secretariat staff, who hold no receipts."""
    scope = officer_scope(officer)
    if scope is None:
        return None
    now = now or timezone.now()
    # The receipts of the scope, most urgent first, read in that order from the partial
    # indexes of ``Recipient`` (their urgency and due date are the exchange's, copied), each
    # checked as it is read (``view_granted``): a list is cut after the receipts the officer
    # may see, so that receipts whose view was withdrawn (a party became an observer) take no
    # place in it.
    ordering = ("urgency", "due_at", "pk")
    receipts = Recipient.objects.filter(scope.receipts()).filter(
        view_granted(officer, exchange_column="exchange_id")
    )
    open_requests = receipts.filter(awaits_answer=True, answered_at__isnull=True)
    start, end = local_day(officer, now)
    agency_ids = scope.held_agency_ids()

    def first(candidates: QuerySet[Recipient]) -> WorkList:
        if len(agency_ids) > 1:
            shown = Q(pk__in=_first_of_each_agency(candidates, agency_ids, ordering, limit + 1))
        else:
            # The first ids found alone, in a subquery of their own (its LIMIT keeps it apart):
            # joined to the exchanges, senders and parties shown, the planner would rather
            # read and sort every open receipt of the agency.
            shown = Q(pk__in=candidates.order_by(*ordering).values("pk")[: limit + 1])
        # With its exchange alone: the agencies are read once for the four lists (below).
        # Joined here, the sending and the receiving agency with their parties made each
        # list's query one of seven relations, which PostgreSQL took longer to plan (2.5 ms
        # at 100,000 exchanges) than to run; with the exchange only, 0.4 ms.
        found = list(
            Recipient.objects.filter(shown)
            .select_related("exchange")
            # The subject is listed (``exchanges.services.listing``), the body never.
            .defer("exchange__body")
            .annotate(is_overdue=_overdue(now))
            .order_by(*ordering)
        )
        return WorkList(receipts=found[:limit], more=len(found) > limit)

    work = AgencyWork(
        unread=first(receipts.filter(read_at__isnull=True)),
        unacknowledged=first(receipts.filter(acknowledged_at__isnull=True)),
        overdue=first(open_requests.filter(due_at__lt=now)),
        due_today=first(open_requests.filter(due_at__gte=start, due_at__lt=end)),
    )
    _attach_agencies(work)
    return work


def _attach_agencies(work: AgencyWork) -> None:
    """Give each receipt shown its agency, and its exchange the sender, with their parties:
    one query for the four lists, one instance per agency named."""
    shown = [
        receipt
        for listed in (work.unread, work.unacknowledged, work.overdue, work.due_today)
        for receipt in listed.receipts
    ]
    if not shown:
        return
    agencies = agencies_by_id(
        {receipt.agency_id for receipt in shown}
        | {receipt.exchange.sender_agency_id for receipt in shown}
    )
    for receipt in shown:
        receipt.agency = agencies[receipt.agency_id]
        receipt.exchange.sender_agency = agencies[receipt.exchange.sender_agency_id]


def _first_of_each_agency(
    candidates: QuerySet[Recipient],
    agency_ids: tuple[int, ...],
    ordering: tuple[str, ...],
    count: int,
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
