"""The reads of the retention review: an agency's review queue, page by page, with its counts,
and the counts per agency the DPO sees.

The queue walks the partial index ``exchange_review_queue`` (sender agency, review date, id)
soonest first and stops after the page: the keyset is the (review date, id) pair. No
permission row is joined per exchange: a row with a review date carries personal data, and on
personal data its sender agency's group holds ``manage_exchange`` exactly when the agency's
party may hold it (``exchanges.policy.grants_for``), a fact of the agency, asked once
(``records.policy.decides_reviews``). One exchange's decision checks its permission rows
(``exchange_to_review``).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.models import Exchange
from exchanges.policy import Perm
from exchanges.selectors import officer_perms
from partners.models import Agency, ContentAccess, Officer, Role
from records.policy import (
    ReviewState,
    decides_reviews,
    due_horizon,
    keeps_review_queue,
    overdue_days,
)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_POSITION = re.compile(r"(?P<day>\d{4}-\d{2}-\d{2})_(?P<id>\d{1,18})")
# What an exchange's reference looks like (SELEC-2026-000123): anything else names nothing and
# never reaches the database.
_REFERENCE = re.compile(r"[A-Za-z0-9-]{1,20}")


@dataclass(frozen=True)
class Position:
    """Where a row stands in the queue: its review date, then its id."""

    day: dt.date
    id: int


def encode_position(position: Position) -> str:
    """``2026-03-01_42``: the review date and the id."""
    return f"{position.day.isoformat()}_{position.id}"


def decode_position(value: str) -> Position | None:
    """The position a page link or an API cursor carries; None when it is not one."""
    match = _POSITION.fullmatch(value)
    if match is None:
        return None
    try:
        day = dt.date.fromisoformat(match["day"])
    except ValueError:
        return None
    return Position(day=day, id=int(match["id"]))


def review_today() -> dt.date:
    """Today in the installation's time zone, the one review dates are counted in (whatever
    the zone the officer reads the page in)."""
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


@dataclass(frozen=True)
class ReviewRow:
    exchange: Exchange  # with its crime area; no content
    state: ReviewState
    overdue_days: int


@dataclass(frozen=True)
class ReviewPage:
    rows: list[ReviewRow]
    has_previous: bool
    has_next: bool

    @property
    def first(self) -> Position | None:
        return _position_of(self.rows[0]) if self.rows else None

    @property
    def last(self) -> Position | None:
        return _position_of(self.rows[-1]) if self.rows else None


def _position_of(row: ReviewRow) -> Position:
    review_due_on = row.exchange.review_due_on
    assert review_due_on is not None  # the queue holds only exchanges with a review date
    return Position(day=review_due_on, id=row.exchange.pk)


@dataclass(frozen=True)
class ReviewCounts:
    due: int
    overdue: int


def _state_filter(today: dt.date, state: ReviewState | None) -> Q:
    if state == ReviewState.OVERDUE:
        return Q(review_due_on__lt=today)
    if state == ReviewState.DUE:
        return Q(review_due_on__gte=today, review_due_on__lte=due_horizon(today))
    return Q(review_due_on__lte=due_horizon(today))


def with_review_queue(officer: Officer) -> Officer:
    """The officer, when they keep a review queue (``records.policy.keeps_review_queue``); 404,
    as for a page that does not exist, to anybody else."""
    if not keeps_review_queue(
        has_agency=officer.agency_id is not None, is_active=officer.is_active
    ):
        raise Http404(_("No such page."))
    return officer


def _provided_by(officer: Officer) -> QuerySet[Exchange]:
    """What the officer's agency sent, if it decides on its personal data; else nothing."""
    agency = officer.agency if officer.agency_id is not None else None
    if agency is None or not decides_reviews(
        has_agency=True, is_active=officer.is_active, party_status=agency.party.status
    ):
        return Exchange.objects.none()
    return Exchange.objects.filter(sender_agency_id=agency.pk)


def _queue(officer: Officer) -> QuerySet[Exchange]:
    """What the officer's agency reviews: its exchanges with a pending review date."""
    # An erasure clears the review date (nothing is left to review): the date alone decides,
    # and the counts are read from the index alone.
    return _provided_by(officer).filter(review_due_on__isnull=False)


def _beyond(position: Position, *, forward: bool) -> Q:
    """The rows after ``position`` in the walk's direction. The bound on the date alone is
    redundant with the rest, but starts the index scan at the position (the disjunction alone
    would be a filter over every row before it)."""
    op = "gt" if forward else "lt"
    return Q(**{f"review_due_on__{op}e": position.day}) & (
        Q(**{f"review_due_on__{op}": position.day}) | Q(**{f"id__{op}": position.id})
    )


def review_queue_page(
    officer: Officer,
    *,
    state: ReviewState | None = None,
    after: Position | None = None,
    before: Position | None = None,
    limit: int = PAGE_SIZE,
    today: dt.date | None = None,
) -> ReviewPage:
    """A page of the agency's reviews due within ``DUE_WITHIN_DAYS`` or overdue (``state``
    narrows to one), soonest first: the rows after ``after`` or just before ``before``. One
    query; no OFFSET, no COUNT."""
    today = today or review_today()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = (
        _queue(officer)
        .filter(_state_filter(today, state))
        .select_related("crime_area")
        # Lists never show content: only the metadata the page shows is read.
        .only(
            "reference", "kind", "sent_at", "review_due_on", "crime_area__name", "crime_area__code"
        )
    )
    if before is not None:
        batch = list(
            rows.filter(_beyond(before, forward=False)).order_by("-review_due_on", "-id")[
                : limit + 1
            ]
        )
        has_previous, has_next = len(batch) > limit, True
        batch = batch[:limit][::-1]
    else:
        if after is not None:
            rows = rows.filter(_beyond(after, forward=True))
        batch = list(rows.order_by("review_due_on", "id")[: limit + 1])
        has_previous, has_next = after is not None, len(batch) > limit
        batch = batch[:limit]
    if not batch and (after is not None or before is not None):
        # Nothing beyond the cursor (decided since, or a hand-made address): the first page.
        return review_queue_page(officer, state=state, limit=limit, today=today)
    return ReviewPage(
        rows=[_row(exchange, today) for exchange in batch],
        has_previous=has_previous,
        has_next=has_next,
    )


def _row(exchange: Exchange, today: dt.date) -> ReviewRow:
    review_due_on = exchange.review_due_on
    assert review_due_on is not None
    return ReviewRow(
        exchange=exchange,
        state=ReviewState.OVERDUE if review_due_on < today else ReviewState.DUE,
        overdue_days=overdue_days(today=today, review_due_on=review_due_on),
    )


def review_counts(officer: Officer, *, today: dt.date | None = None) -> ReviewCounts:
    """How many of the agency's reviews are due within ``DUE_WITHIN_DAYS`` and how many are
    overdue, in one query (an index scan of the agency's rows up to the horizon)."""
    today = today or review_today()
    counted = (
        _queue(officer)
        .filter(review_due_on__lte=due_horizon(today))
        .aggregate(
            due=Count(
                "id", filter=Q(review_due_on__gte=today, review_due_on__lte=due_horizon(today))
            ),
            overdue=Count("id", filter=Q(review_due_on__lt=today)),
        )
    )
    return ReviewCounts(due=counted["due"], overdue=counted["overdue"])


@dataclass(frozen=True)
class AgencyReviewCounts:
    agency_id: int
    agency: str
    party_id: int
    party: str
    due: int
    overdue: int


def review_counts_by_agency(*, today: dt.date | None = None) -> list[AgencyReviewCounts]:
    """For the DPO: the reviews due within ``DUE_WITHIN_DAYS`` and overdue, per provider
    agency that has any, most overdue first. One grouped query.

    Grouped by the agency (its key), not by the exchanges' columns with the agency's name and
    party beside: PostgreSQL then sorted every exchange counted by those four keys before
    counting (240,000 of them at a million generated exchanges, spilling to disk: 195 ms),
    where now it hashes them into one counter per agency (98 ms)."""
    today = today or review_today()
    rows = (
        Agency.objects.filter(
            sent_exchanges__review_due_on__isnull=False,
            sent_exchanges__review_due_on__lte=due_horizon(today),
        )
        .annotate(
            due=Count("sent_exchanges", filter=Q(sent_exchanges__review_due_on__gte=today)),
            overdue=Count("sent_exchanges", filter=Q(sent_exchanges__review_due_on__lt=today)),
        )
        .values("pk", "name", "party_id", "party__code", "due", "overdue")
        .order_by("-overdue", "-due", "party__code", "name")
    )
    return [
        AgencyReviewCounts(
            agency_id=row["pk"],
            agency=row["name"],
            party_id=row["party_id"],
            party=row["party__code"],
            due=row["due"],
            overdue=row["overdue"],
        )
        for row in rows
    ]


def agencies_with_overdue_reviews(*, today: dt.date) -> list[AgencyReviewCounts]:
    """The agencies whose reviews are overdue, with their counts: whom the escalation tells."""
    return [row for row in review_counts_by_agency(today=today) if row.overdue]


def exchange_to_review(officer: Officer, reference: str) -> Exchange:
    """The exchange the reference names, if the officer's agency provided it (holds
    ``manage_exchange`` on it); 404 otherwise, whether it does not exist, is another's, or the
    officer only received it."""
    if not _REFERENCE.fullmatch(reference):
        raise Http404(_("No exchange matches the given query."))
    exchange = (
        _provided_by(officer)
        .filter(reference=reference)
        .select_related("crime_area", "sender_agency__party")
        .first()
    )
    # The agency's permission rows decide, as for every act of the provider.
    if exchange is None or Perm.MANAGE not in officer_perms(officer, exchange):
        raise Http404(_("No exchange matches the given query."))
    return exchange


def officers_told_of_overdue_reviews() -> list[Officer]:
    """Everyone the escalation may tell (``records.policy.told_of_overdue_reviews`` chooses
    per agency): the active NFP officers whose access is confirmed, and the DPOs."""
    return list(
        Officer.objects.filter(
            is_active=True,
            content_access=ContentAccess.CONFIRMED,
            role__in=[Role.NFP_OFFICER, Role.DPO],
        ).select_related("agency")
    )
