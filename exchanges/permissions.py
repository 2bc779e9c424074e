"""Storing the policy's decision with django-guardian: exactly the grants, nothing else."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from exchanges.facts import facts_for
from exchanges.models import Exchange, ExchangeGroupObjectPermission, Recipient
from exchanges.policy import ExchangeFacts, Perm, Principal, grants_for
from partners.models import Agency, Party
from partners.selectors import group_ids_of
from partners.status_sync import (
    AccessImpact,
    AccessTally,
    holders_by_object,
    party_holders,
    restated,
)
from selec.core.object_permissions import permission_ids, store_exactly

BATCH = 500


def exchange_permission_ids() -> dict[Perm, int]:
    return permission_ids("exchanges", Perm)


def permissions_grant_new(
    exchange: Exchange, facts: ExchangeFacts, agencies: Iterable[Agency]
) -> None:
    """Store the grants of a just-created exchange (nothing to revoke yet) from facts already in
    memory: the send path costs two queries here, whatever the number of recipients."""
    perm_ids = exchange_permission_ids()
    groups = principal_groups(agencies)
    ExchangeGroupObjectPermission.objects.bulk_create(
        [
            ExchangeGroupObjectPermission(
                content_object_id=exchange.pk,
                group_id=groups[principal],
                permission_id=perm_ids[perm],
            )
            for principal, perms in grants_for(facts).items()
            if principal in groups
            for perm in perms
        ]
    )


def principal_groups(agencies: Iterable[Agency]) -> dict[Principal, int]:
    """The groups of agencies loaded with their party: no query."""
    groups: dict[Principal, int] = {}
    for agency in agencies:
        groups[Principal("agency", agency.pk)] = agency.group_id
        if agency.party.nfp_group_id:
            groups[Principal("nfp", agency.party_id)] = agency.party.nfp_group_id
    return groups


def permissions_sync(exchange_ids: Iterable[int]) -> None:
    """Make the stored object permissions of these exchanges equal what the policy grants."""
    ids = sorted(set(exchange_ids))
    perm_ids = exchange_permission_ids()
    for start in range(0, len(ids), BATCH):
        _sync_batch(ids[start : start + BATCH], perm_ids)


def _sync_batch(ids: list[int], perm_ids: dict[Perm, int]) -> None:
    facts = facts_for(list(Exchange.objects.filter(pk__in=ids)))
    store_exactly(ExchangeGroupObjectPermission, "group_id", ids, _wanted(facts, perm_ids))


def _wanted(
    facts: dict[int, ExchangeFacts], perm_ids: dict[Perm, int]
) -> set[tuple[int, int, int]]:
    """The rows the policy grants these exchanges: (exchange id, group id, permission id)."""
    grants = {pk: grants_for(f) for pk, f in facts.items()}
    groups = group_ids_of(p for g in grants.values() for p in g)
    return {
        (exchange_id, groups[principal], perm_ids[perm])
        for exchange_id, by_principal in grants.items()
        for principal, perms in by_principal.items()
        if principal in groups
        for perm in perms
    }


def exchanges_involving_party(party: Party) -> list[int]:
    """Exchanges sent or received by any agency of the party (whose grants its status affects):
    one query, a union of the sender's index and the receipts, rather than an OR across a join
    that reads every exchange."""
    agencies = Agency.objects.filter(party=party).order_by().values("pk")
    sent = (
        Exchange.objects.filter(sender_agency_id__in=agencies)
        .order_by()
        .values_list("pk", flat=True)
    )
    received = Recipient.objects.filter(agency_id__in=agencies).values_list(
        "exchange_id", flat=True
    )
    return list(sent.union(received))


def permissions_status_impact(party: Party, status: str, *, write: bool) -> AccessImpact:
    """What the party taking ``status`` does to its agencies' and NFP's access to exchanges:
    the policy's grants with the party restated, diffed with the stored rows; stored when
    ``write`` (``partners.status_sync``). Reads only the party's exchanges, in batches of a
    fixed number of queries."""
    ids = sorted(exchanges_involving_party(party))
    tally = AccessTally(app="exchanges", holders=party_holders(party))
    perm_ids = exchange_permission_ids()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        exchanges = list(Exchange.objects.filter(pk__in=batch))
        facts = {
            pk: dataclasses.replace(
                f,
                sender=restated(f.sender, party.pk, status),
                recipients=tuple(restated(a, party.pk, status) for a in f.recipients),
            )
            for pk, f in facts_for(exchanges).items()
        }
        wanted = _wanted(facts, perm_ids)
        stored = ExchangeGroupObjectPermission.objects.filter(content_object_id__in=batch)
        before = holders_by_object(stored.values_list("content_object_id", "group_id"))
        after = holders_by_object((pk, group) for pk, group, _ in wanted)
        for exchange in exchanges:
            tally.record(
                before=before[exchange.pk],
                after=after[exchange.pk],
                personal=exchange.personal_data,
            )
        if write:
            store_exactly(ExchangeGroupObjectPermission, "group_id", batch, wanted)
    return tally.impact()
