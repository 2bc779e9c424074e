"""Reading the facts the policy decides on, from the database, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from exchanges.models import (
    DisseminationKind,
    DisseminationRequest,
    DisseminationStatus,
    Exchange,
    Recipient,
)
from exchanges.policy import ExchangeFacts
from partners.models import Agency
from selec.core.policy_values import AgencyFacts, Restrictions


def agency_facts(agency: Agency) -> AgencyFacts:
    return AgencyFacts(
        id=agency.pk,
        name=agency.name,
        party_id=agency.party_id,
        party_code=agency.party.code,
        party_status=agency.party.status,
        closed=agency.closed_at is not None,
    )


def load_agencies(agency_ids: Iterable[int]) -> list[Agency]:
    return list(
        Agency.objects.select_related("party").filter(pk__in=set(agency_ids)).order_by("pk")
    )


def agencies_facts(agency_ids: Iterable[int]) -> tuple[AgencyFacts, ...]:
    return tuple(agency_facts(a) for a in load_agencies(agency_ids))


def facts_for(exchanges: list[Exchange]) -> dict[int, ExchangeFacts]:
    """The policy facts of many exchanges at once (four queries whatever their number)."""
    ids = [e.pk for e in exchanges]
    recipients: dict[int, list[AgencyFacts]] = defaultdict(list)
    for receipt in Recipient.objects.filter(exchange_id__in=ids).select_related("agency__party"):
        recipients[receipt.exchange_id].append(agency_facts(receipt.agency))
    released: dict[int, set[int]] = defaultdict(set)
    for exchange_id, agency_id in DisseminationRequest.objects.filter(
        exchange_id__in=ids, kind=DisseminationKind.EVIDENCE, status=DisseminationStatus.GRANTED
    ).values_list("exchange_id", "requesting_agency_id"):
        released[exchange_id].add(agency_id)
    granted: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for (
        exchange_id,
        requesting,
        target,
    ) in DisseminationRequest.target_agencies.through.objects.filter(
        disseminationrequest__exchange_id__in=ids,
        disseminationrequest__kind=DisseminationKind.SHARE,
        disseminationrequest__status=DisseminationStatus.GRANTED,
    ).values_list(
        "disseminationrequest__exchange_id",
        "disseminationrequest__requesting_agency_id",
        "agency_id",
    ):
        granted[exchange_id].add((requesting, target))
    senders = {
        a.pk: a
        for a in Agency.objects.select_related("party").filter(
            pk__in={e.sender_agency_id for e in exchanges}
        )
    }
    return {
        e.pk: ExchangeFacts(
            sender=agency_facts(senders[e.sender_agency_id]),
            recipients=tuple(recipients[e.pk]),
            restrictions=Restrictions.of(e),
            personal_data=e.personal_data,
            evidence_released_to=frozenset(released[e.pk]),
            forward_granted=frozenset(granted[e.pk]),
        )
        for e in exchanges
    }
