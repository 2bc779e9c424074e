"""Inaccuracy flags as an officer may see them: those filed on the exchanges their agency
provided (to answer), those their agency filed (to follow), and one flag to answer. Every
other flag is "not found".

The lists are read a page at a time by keyset on the flag's id (``flag_page``; the API pages
the same querysets with its cursor), so a page costs its own rows whatever the agency holds.
The exchange comes along without its content: a flag names its exchange by reference only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from exchanges.models import Exchange
from exchanges.policy import Perm
from exchanges.selectors import exchange_ids_with_perm
from partners.models import Officer
from records.models import FlagStatus, InaccuracyFlag

NO_FLAG = gettext_lazy("No inaccuracy flag matches the given query.")


class FlagRole(StrEnum):
    """A flag as the officer's agency stands to it."""

    RECEIVED = "received"  # filed on an exchange the agency provided: the agency answers it
    FILED = "filed"  # filed by the agency


def _flag_rows() -> QuerySet[InaccuracyFlag]:
    return InaccuracyFlag.objects.select_related(
        "exchange", "flagging_agency__party", "flagged_by", "answered_by"
    ).defer("exchange__subject", "exchange__body", "exchange__restriction_text")


def _received(officer: Officer) -> Q:
    # The agency's own exchanges (it holds MANAGE on them alone, as their provider).
    return Q(
        exchange_id__in=exchange_ids_with_perm(officer, Perm.MANAGE),
        exchange__sender_agency_id=officer.agency_id,
    )


def _filed(officer: Officer) -> Q:
    # Filed by the agency, on exchanges it still sees.
    return Q(
        flagging_agency_id=officer.agency_id,
        exchange_id__in=exchange_ids_with_perm(officer, Perm.VIEW),
    )


def flags_of(
    officer: Officer, *, role: FlagRole | None = None, status: FlagStatus | None = None
) -> QuerySet[InaccuracyFlag]:
    """The flags the officer's agency received or filed (``role``; both when None), newest
    first. None for an officer of no agency: flags are between agencies."""
    if not officer.is_active or officer.agency_id is None:
        return InaccuracyFlag.objects.none()
    if role == FlagRole.RECEIVED:
        scope = _received(officer)
    elif role == FlagRole.FILED:
        scope = _filed(officer)
    else:
        scope = _received(officer) | _filed(officer)
    rows = _flag_rows().filter(scope)
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-pk")


def flag_to_answer(officer: Officer, pk: int) -> InaccuracyFlag:
    """A flag filed on an exchange the officer's agency provided; 404 otherwise."""
    flag = flags_of(officer, role=FlagRole.RECEIVED).filter(pk=pk).first()
    if flag is None:
        raise Http404(NO_FLAG)
    return flag


def flag_shown(officer: Officer, pk: int) -> InaccuracyFlag:
    """A flag the officer's agency received or filed; 404 otherwise."""
    flag = flags_of(officer).filter(pk=pk).first()
    if flag is None:
        raise Http404(NO_FLAG)
    return flag


def open_flag_of_agency(exchange: Exchange, agency_id: int | None) -> InaccuracyFlag | None:
    """The agency's flag on the exchange that awaits the provider's answer, if any."""
    if agency_id is None:
        return None
    return (
        InaccuracyFlag.objects.filter(
            exchange=exchange, flagging_agency_id=agency_id, status=FlagStatus.OPEN
        )
        .only("pk", "uuid", "flagged_at")
        .first()
    )


@dataclass(frozen=True)
class FlagPage:
    rows: list[InaccuracyFlag]
    # The ids the pages before and after start from; None where there is none.
    previous: int | None
    next: int | None


def flag_page(
    rows: QuerySet[InaccuracyFlag],
    *,
    after: int | None = None,
    before: int | None = None,
    limit: int,
    oldest_first: bool = False,
) -> FlagPage:
    """One page of ``rows`` in id order (oldest or newest first): the rows after ``after``, or
    the page just before ``before``, or the first page. One query."""
    forward, backward = ("pk", "-pk") if oldest_first else ("-pk", "pk")
    beyond, behind = ("pk__gt", "pk__lt") if oldest_first else ("pk__lt", "pk__gt")
    if before is not None:
        batch = list(rows.filter(**{behind: before}).order_by(backward)[: limit + 1])
        has_previous, has_next = len(batch) > limit, True
        batch = batch[:limit][::-1]
    else:
        if after is not None:
            rows = rows.filter(**{beyond: after})
        batch = list(rows.order_by(forward)[: limit + 1])
        has_previous, has_next = after is not None, len(batch) > limit
        batch = batch[:limit]
    return FlagPage(
        rows=batch,
        previous=batch[0].pk if batch and has_previous else None,
        next=batch[-1].pk if batch and has_next else None,
    )
