"""Storing the policy's decision with django-guardian: exactly the grants, nothing else."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.db.models import Q

from exchanges.facts import facts_for
from exchanges.models import Exchange, ExchangeGroupObjectPermission
from exchanges.policy import ExchangeFacts, Perm, Principal, grants_for
from partners.models import Agency, Party

BATCH = 500


def exchange_permission_ids() -> dict[Perm, int]:
    rows = Permission.objects.filter(
        content_type__app_label="exchanges", codename__in=[p.value for p in Perm]
    )
    return {Perm(codename): pk for pk, codename in rows.values_list("pk", "codename")}


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
    groups = _groups_of(p for g in grants.values() for p in g)
    wanted = {
        (exchange_id, groups[principal], perm_ids[perm])
        for exchange_id, by_principal in grants.items()
        for principal, perms in by_principal.items()
        if principal in groups
        for perm in perms
    }
    existing = set(
        ExchangeGroupObjectPermission.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", "group_id", "permission_id"
        )
    )
    stale = existing - wanted
    if stale:
        condition = Q()
        for exchange_id, group_id, permission_id in stale:
            condition |= Q(
                content_object_id=exchange_id, group_id=group_id, permission_id=permission_id
            )
        ExchangeGroupObjectPermission.objects.filter(condition).delete()
    ExchangeGroupObjectPermission.objects.bulk_create(
        [
            ExchangeGroupObjectPermission(content_object_id=e, group_id=g, permission_id=p)
            for e, g, p in wanted - existing
        ]
    )


def _groups_of(principals: Iterable[Principal]) -> dict[Principal, int]:
    principals = set(principals)
    agency_ids = {p.id for p in principals if p.kind == "agency"}
    party_ids = {p.id for p in principals if p.kind == "nfp"}
    groups: dict[Principal, int] = {}
    for pk, group_id in Agency.objects.filter(pk__in=agency_ids).values_list("pk", "group_id"):
        groups[Principal("agency", pk)] = group_id
    for pk, group_id in Party.objects.filter(pk__in=party_ids, nfp_group__isnull=False).values_list(
        "pk", "nfp_group_id"
    ):
        groups[Principal("nfp", pk)] = group_id
    return groups


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
