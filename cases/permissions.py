"""Storing the cases policy's decision with django-guardian: exactly the grants, nothing else."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from cases.facts import cases_facts
from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from cases.policy import CasePerm, grants_for
from partners.models import Party
from partners.selectors import group_ids_of
from selec.core.object_permissions import permission_ids, store_exactly

BATCH = 500


def case_permission_ids() -> dict[CasePerm, int]:
    return permission_ids("cases", CasePerm)


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
    groups = group_ids_of(p for g in grants.values() for p in g)
    wanted_groups = set()
    wanted_users = set()
    for case_id, by_principal in grants.items():
        for principal, perms in by_principal.items():
            for perm in perms:
                if principal.kind == "analyst":
                    wanted_users.add((case_id, principal.id, perm_ids[perm]))
                elif principal in groups:
                    wanted_groups.add((case_id, groups[principal], perm_ids[perm]))
    store_exactly(CaseGroupObjectPermission, "group_id", ids, wanted_groups)
    store_exactly(CaseUserObjectPermission, "user_id", ids, wanted_users)


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
