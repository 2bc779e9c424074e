"""Scoped reads of hits, and how much of the other side each officer is shown.

An officer of an agency sees the hits of their agency's exchanges (an NFP officer: of every
agency of their party), an analyst every hit; nobody else any. A hit stays hidden while either
provider's party may not hold personal data (an observer, a former member), and the other
side of a hit is reduced to one sentence while its exchange is under H2 — both read from the
current status and restrictions each time, so a downgrade or a tightening applies at once.
What is shown of a side is metadata only: reference, provider, handling codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange
from exchanges.selectors import Scope, officer_scope
from hits.blind_index import TokenKind
from hits.models import Hit
from hits.policy import (
    hit_shows_other_side,
    may_be_matched,
    offers_hit_details_request,
    sees_every_hit,
)
from partners.models import Agency, Officer, PartyStatus, Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

# What the other side of a hit reads while its exchange is under H2 (not to be disseminated):
# not even its reference or its provider leaves the provider without its permission.
MASKED_SIDE = _("A provider holds a match; contact the SELEC analyst.")

# What matched, in words: the kind of entity and, where it says which, the attribute.
MATCH_LABELS: dict[str, StrOrPromise] = {
    TokenKind.PERSON: _("Person (name and date of birth)"),
    TokenKind.PERSON_NAME: _("Person's name"),
    TokenKind.VEHICLE_PLATE: _("Vehicle (registration plate)"),
    TokenKind.VEHICLE_VIN: _("Vehicle (VIN)"),
    TokenKind.DOCUMENT_NUMBER: _("Document"),
    TokenKind.PHONE: _("Phone"),
    TokenKind.COMPANY: _("Company"),
    TokenKind.BANK_ACCOUNT: _("Bank account"),
}

# Party statuses whose agencies may hold personal data, and so take part in hits.
MATCHABLE_STATUSES = tuple(status.value for status in PartyStatus if may_be_matched(status))


def matched_labels(token_kinds: list[str]) -> list[str]:
    return [str(MATCH_LABELS.get(kind, kind)) for kind in token_kinds]


@dataclass(frozen=True)
class HitSide:
    """One provider's side of a hit: metadata of its exchange, never its content."""

    reference: str
    agency_id: int
    agency_name: str
    party_id: int
    party_code: str
    handling_codes: list[str]
    under_h2: bool

    @classmethod
    def of(cls, exchange: Exchange, sender: Agency | None = None) -> HitSide:
        """The side of ``exchange``; ``sender`` is its sender as loaded with the hit (the
        hit's copy of it), else the exchange's own is read."""
        agency = sender or exchange.sender_agency
        return cls(
            reference=exchange.reference,
            agency_id=agency.pk,
            agency_name=agency.name,
            party_id=agency.party_id,
            party_code=agency.party.code,
            handling_codes=exchange.handling_codes,
            under_h2=exchange.restrict_dissemination,
        )

    @property
    def provider(self) -> str:
        return f"{self.party_code} {self.agency_name}"


@dataclass(frozen=True)
class ShownSide:
    """A side as one officer sees it: ``side`` is None when it is masked (H2)."""

    side: HitSide | None
    yours: bool

    @property
    def masked(self) -> bool:
        return self.side is None

    @property
    def notice(self) -> str:
        return str(MASKED_SIDE) if self.side is None else ""


@dataclass(frozen=True)
class HitRow:
    id: int
    created_at: dt.datetime
    matched: list[str]
    # The officer's side first (side A for an analyst), then the other one.
    first: ShownSide
    second: ShownSide
    # The compose page prefilled to ask the other side for the details ("" when not offered).
    request_details_url: str

    @property
    def sides(self) -> tuple[ShownSide, ShownSide]:
        return (self.first, self.second)


def _in_scope(scope: Scope | None, side: HitSide) -> bool:
    return scope is not None and scope.holds(side.agency_id, side.party_id)


def is_analyst(officer: Officer) -> bool:
    """The SELEC analyst, who sees every hit and both its sides (decided in the policy)."""
    return sees_every_hit(role=officer.role, has_agency=officer.agency_id is not None)


def matchable_agencies() -> dict[int, Agency]:
    """The agencies whose party may be matched now, with their parties, by id: one query of
    the directory's size. A hit counts only while both its agencies are among them."""
    return (
        Agency.objects.select_related("party")
        .filter(party__status__in=MATCHABLE_STATUSES)
        .in_bulk()
    )


def hits_visible_to(
    officer: Officer, matchable: Mapping[int, Agency] | None = None
) -> QuerySet[Hit]:
    """The hits the officer may see (see the module's docstring). ``matchable``: the
    agencies ``matchable_agencies`` answers, when the caller has them already."""
    if not officer.is_active:
        return Hit.objects.none()
    analyst = is_analyst(officer)
    scope = None if analyst else officer_scope(officer)
    if not analyst and (scope is None or not _scope_may_be_matched(officer)):
        return Hit.objects.none()
    # Agencies as constants, not joins to their parties' status: the query reads one table,
    # each side's index finds the scope's hits, and the planner weighs how many the scope has
    # against walking the newest hits of all. Joined, the page took longer to plan than to
    # read; through the exchanges, an agency with few hits walked every hit to find them.
    ids = list(matchable_agencies() if matchable is None else matchable)
    hits = Hit.objects.filter(agency_a__in=ids, agency_b__in=ids)
    if scope is None:
        return hits
    held = scope.held_agency_ids()
    return hits.filter(Q(agency_a__in=held) | Q(agency_b__in=held))


def _scope_may_be_matched(officer: Officer) -> bool:
    """Whether the party of the officer's scope (their agency's) may have hits now. A hit
    counts only while both its providers' parties may be matched: an observer's or a former
    member's scope has none, which the query would otherwise find out by walking every hit
    of every party (a quarter of a second at a million exchanges, for an empty page)."""
    agency = officer.agency
    return agency is not None and may_be_matched(agency.party.status)


def _loaded(hits: QuerySet[Hit]) -> QuerySet[Hit]:
    # Metadata only: the subject and body stay encrypted in the database. The providers come
    # from ``matchable_agencies``, one instance each, not joined to every row.
    return hits.select_related("exchange_a", "exchange_b").defer(
        "exchange_a__subject", "exchange_a__body", "exchange_b__subject", "exchange_b__body"
    )


def request_details_url(side: HitSide) -> str:
    query = urlencode(
        {
            "to": side.agency_id,
            # Translators: the subject of a request for a hit's details; an exchange's reference.
            "subject": gettext("Details on hit with %(reference)s") % {"reference": side.reference},
        },
        quote_via=quote,
    )
    return f"{reverse('exchanges:compose')}?{query}"


def hit_row(officer: Officer, hit: Hit, agencies: Mapping[int, Agency]) -> HitRow:
    """The hit as the officer sees it (a hit of their scope, or any hit for an analyst), its
    providers taken from ``agencies`` (those it was found visible with)."""
    a = HitSide.of(hit.exchange_a, agencies[hit.agency_a_id])
    b = HitSide.of(hit.exchange_b, agencies[hit.agency_b_id])
    analyst = is_analyst(officer)
    scope = None if analyst else officer_scope(officer)
    mine, other = (b, a) if not analyst and not _in_scope(scope, a) else (a, b)
    shown = hit_shows_other_side(
        other_under_h2=other.under_h2, viewer_holds_it=_in_scope(scope, other), analyst=analyst
    )
    asks = offers_hit_details_request(
        other_side_shown=shown, officer_agency_id=officer.agency_id, other_agency_id=other.agency_id
    )
    return HitRow(
        id=hit.pk,
        created_at=hit.created_at,
        matched=matched_labels(hit.token_kinds),
        first=ShownSide(side=mine, yours=not analyst),
        second=ShownSide(side=other if shown else None, yours=_in_scope(scope, other)),
        request_details_url=request_details_url(other) if asks else "",
    )


@dataclass(frozen=True)
class HitPage:
    rows: list[HitRow]
    # The id to pass as ``before`` for the older hits; None on the last page.
    older_than: int | None
    # The id to pass as ``after`` for the newer hits; None on the first page.
    newer_than: int | None = None


def hit_page(
    officer: Officer,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> HitPage:
    """The officer's hits, newest first, by keyset on the id: those older than ``before`` (the
    next page), or the newest page of those newer than ``after`` (the previous one). Two
    queries whatever the page: the providers that may be matched, then the hits."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    agencies = matchable_agencies()
    hits = _loaded(hits_visible_to(officer, agencies))
    if after is not None:
        batch = list(hits.filter(pk__gt=after).order_by("pk")[: limit + 1])
        newer = len(batch) > limit
        batch = batch[:limit][::-1]
        older = bool(batch)  # the hit the cursor was taken from, at least
    else:
        if before is not None:
            hits = hits.filter(pk__lt=before)
        batch = list(hits.order_by("-pk")[: limit + 1])
        older, newer = len(batch) > limit, before is not None
        batch = batch[:limit]
    return HitPage(
        rows=[hit_row(officer, hit, agencies) for hit in batch],
        older_than=batch[-1].pk if older and batch else None,
        newer_than=batch[0].pk if newer and batch else None,
    )


def hit_get_for_officer(officer: Officer, pk: int) -> HitRow:
    """One hit as the officer sees it; 404 for a hit not theirs, as for one that does not exist."""
    agencies = matchable_agencies()
    hit = _loaded(hits_visible_to(officer, agencies)).filter(pk=pk).first()
    if hit is None:
        raise Http404("No hit matches the given query.")
    return hit_row(officer, hit, agencies)


def analysts() -> QuerySet[Officer]:
    """The SELEC analysts (of the secretariat: no agency), who see every hit and to whom the H2
    notice sends officers; ``notify_officers`` keeps the active ones."""
    return Officer.objects.filter(role=Role.ANALYST, agency__isnull=True)
