"""Storing the policy's decision with django-guardian: exactly the grants, nothing else."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from exchanges.facts import facts_for
from exchanges.models import Exchange, ExchangeGroupObjectPermission
from exchanges.policy import ExchangeFacts, Perm, Principal, grants_for
from partners.models import Agency, Party
from partners.selectors import group_ids_of
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
    exchanges = list(Exchange.objects.filter(pk__in=ids))
    facts = facts_for(exchanges)
    grants = {pk: grants_for(f) for pk, f in facts.items()}
    groups = group_ids_of(p for g in grants.values() for p in g)
    wanted = {
        (exchange_id, groups[principal], perm_ids[perm])
        for exchange_id, by_principal in grants.items()
        for principal, perms in by_principal.items()
        if principal in groups
        for perm in perms
    }
    store_exactly(ExchangeGroupObjectPermission, "group_id", ids, wanted)


def exchanges_involving_party(party: Party) -> list[int]:
    """Exchanges sent or received by any agency of the party (whose grants its status affects)."""
    agency_ids = list(party.agencies.values_list("pk", flat=True))
    return list(
        Exchange.objects.filter(
            Q(sender_agency_id__in=agency_ids) | Q(recipients__agency_id__in=agency_ids)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def permissions_resync_party(party: Party) -> None:
    """Re-decide every exchange of a party after its status changed."""
    permissions_sync(exchanges_involving_party(party))
