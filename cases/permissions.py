"""Storing the cases policy's decision with django-guardian: exactly the grants, nothing else."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.db.models import Q

from cases.facts import cases_facts
from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from cases.policy import CasePerm, CasePrincipal, grants_for
from partners.models import Agency, Party

BATCH = 500


def case_permission_ids() -> dict[CasePerm, int]:
    rows = Permission.objects.filter(
        content_type__app_label="cases", codename__in=[p.value for p in CasePerm]
    )
    return {CasePerm(codename): pk for pk, codename in rows.values_list("pk", "codename")}


def case_permissions_sync(case_ids: Iterable[int]) -> None:
    """Make the stored object permissions of these cases equal what the policy grants."""
    ids = sorted(set(case_ids))
    if not ids:
        return
    perm_ids = case_permission_ids()
    for start in range(0, len(ids), BATCH):
        _sync_batch(ids[start : start + BATCH], perm_ids)


def _sync_batch(ids: list[int], perm_ids: dict[CasePerm, int]) -> None:
    facts = cases_facts(Case.objects.filter(pk__in=ids))
    grants = {pk: grants_for(f) for pk, f in facts.items()}
    groups = _groups_of(p for g in grants.values() for p in g)
    wanted_groups = set()
    wanted_users = set()
    for case_id, by_principal in grants.items():
        for principal, perms in by_principal.items():
            for perm in perms:
                if principal.kind == "analyst":
                    wanted_users.add((case_id, principal.id, perm_ids[perm]))
                elif principal in groups:
                    wanted_groups.add((case_id, groups[principal], perm_ids[perm]))
    _store(CaseGroupObjectPermission, "group_id", ids, wanted_groups)
    _store(CaseUserObjectPermission, "user_id", ids, wanted_users)


def _store(
    model: type[CaseGroupObjectPermission] | type[CaseUserObjectPermission],
    holder: str,
    ids: list[int],
    wanted: set[tuple[int, int, int]],
) -> None:
    existing = set(
        model.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", holder, "permission_id"
        )
    )
    stale = existing - wanted
    if stale:
        condition = Q()
        for case_id, holder_id, permission_id in stale:
            condition |= Q(
                content_object_id=case_id, permission_id=permission_id, **{holder: holder_id}
            )
        model.objects.filter(condition).delete()
    model.objects.bulk_create(
        [
            model(content_object_id=case_id, permission_id=permission_id, **{holder: holder_id})
            for case_id, holder_id, permission_id in wanted - existing
        ]
    )


def _groups_of(principals: Iterable[CasePrincipal]) -> dict[CasePrincipal, int]:
    principals = set(principals)
    agency_ids = {p.id for p in principals if p.kind == "agency"}
    party_ids = {p.id for p in principals if p.kind == "nfp"}
    groups: dict[CasePrincipal, int] = {}
    for pk, group_id in Agency.objects.filter(pk__in=agency_ids).values_list("pk", "group_id"):
        groups[CasePrincipal("agency", pk)] = group_id
    for pk, group_id in Party.objects.filter(pk__in=party_ids, nfp_group__isnull=False).values_list(
        "pk", "nfp_group_id"
    ):
        groups[CasePrincipal("nfp", pk)] = group_id
    return groups


def cases_involving_party(party: Party) -> list[int]:
    """Cases the party leads or takes part in (whose grants its status affects)."""
    return list(
        Case.objects.filter(Q(lead_party=party) | Q(participants=party) | Q(agencies__party=party))
        .values_list("pk", flat=True)
        .distinct()
    )


def case_permissions_resync_party(party: Party) -> None:
    """Re-decide every case of a party after its status changed (rule 4: at once)."""
    case_permissions_sync(cases_involving_party(party))
