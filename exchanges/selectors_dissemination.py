"""Dissemination requests (the provider's permission to lift H2 or H1), as the officer may see
them: the queue of those to decide, those their agency decided, those it filed, one request,
and the requests on one exchange (the API's)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from exchanges.models import DisseminationRequest, DisseminationStatus, Exchange
from exchanges.policy import Perm
from exchanges.selectors import exchange_ids_with_perm, exchanges_visible_to, officer_perms
from partners.models import Agency, Officer


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
            exchange_id__in=exchange_ids_with_perm(officer, Perm.MANAGE),
            exchange__sender_agency_id=officer.agency_id,
        )
        .order_by("requested_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class DecidedPage:
    """One page of the requests a provider decided, newest decision first."""

    rows: list[DisseminationRequest]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def dissemination_requests_decided_by_agency(
    officer: Officer, *, page: int = 1, per_page: int = 25
) -> DecidedPage:
    """The requests on the exchanges the officer's agency provided that it granted or refused,
    newest decision first, with who decided and when: the provider keeps sight of what it
    allowed once the request has left its queue. One page: its rows and one more, which
    only says whether a next page exists (no count over every decision ever made)."""
    page = max(page, 1)
    if not officer.is_active or officer.agency_id is None:
        return DecidedPage(rows=[], number=page, has_next=False)
    start = (page - 1) * per_page
    rows = list(
        _dissemination_rows()
        .filter(
            status__in=[DisseminationStatus.GRANTED, DisseminationStatus.REFUSED],
            exchange_id__in=exchange_ids_with_perm(officer, Perm.MANAGE),
            exchange__sender_agency_id=officer.agency_id,
        )
        .order_by("-decided_at", "-pk")[start : start + per_page + 1]
    )
    return DecidedPage(rows=rows[:per_page], number=page, has_next=len(rows) > per_page)


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
            exchange_id__in=exchange_ids_with_perm(officer, Perm.VIEW),
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


def dissemination_requests_on_exchange(
    officer: Officer, exchange: Exchange
) -> QuerySet[DisseminationRequest]:
    """The dissemination requests filed on an exchange that the officer may see, oldest first:
    every one for the provider (who decides them), the requests of the officer's own agency
    for the others. 404 unless the officer may see the exchange. The API pages through them
    (the exchange's index on ``exchange_id`` and the order's columns)."""
    perms = officer_perms(officer, exchange)
    if Perm.VIEW not in perms:
        raise Http404("No exchange matches the given query.")
    rows = _dissemination_rows().filter(exchange=exchange)
    if Perm.MANAGE not in perms:
        if officer.agency_id is None:
            return rows.none()
        rows = rows.filter(requesting_agency_id=officer.agency_id)
    return rows.order_by("requested_at", "pk")
