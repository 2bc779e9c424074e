"""Storing the cases policy's decision with django-guardian: exactly the grants, nothing else."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from cases.facts import cases_facts
from cases.models import Case, CaseGroupObjectPermission, CaseStatus, CaseUserObjectPermission
from cases.policy import CaseFacts, CasePerm, grants_for
from partners.models import Party
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
    wanted_groups, wanted_users = _wanted(cases_facts(Case.objects.filter(pk__in=ids)), perm_ids)
    store_exactly(CaseGroupObjectPermission, "group_id", ids, wanted_groups)
    store_exactly(CaseUserObjectPermission, "user_id", ids, wanted_users)


Rows = set[tuple[int, int, int]]


def _wanted(facts: dict[int, CaseFacts], perm_ids: dict[CasePerm, int]) -> tuple[Rows, Rows]:
    """The rows the policy grants these cases, (case id, group or user id, permission id): the
    groups' and the analysts'."""
    grants = {pk: grants_for(f) for pk, f in facts.items()}
    groups = group_ids_of(p for g in grants.values() for p in g)
    wanted_groups: Rows = set()
    wanted_users: Rows = set()
    for case_id, by_principal in grants.items():
        for principal, perms in by_principal.items():
            for perm in perms:
                if principal.kind == "analyst":
                    wanted_users.add((case_id, principal.id, perm_ids[perm]))
                elif principal in groups:
                    wanted_groups.add((case_id, groups[principal], perm_ids[perm]))
    return wanted_groups, wanted_users


def cases_involving_party(party: Party) -> list[int]:
    """Cases the party leads or takes part in (whose grants its status affects): one query, a
    union over the indexed foreign keys rather than an OR across joins that reads every case."""
    led = Case.objects.filter(lead_party=party).order_by().values_list("pk", flat=True)
    joined = Case.participants.through.objects.filter(party=party).values_list("case_id", flat=True)
    through_agencies = Case.agencies.through.objects.filter(agency__party=party).values_list(
        "case_id", flat=True
    )
    return list(led.union(joined, through_agencies))


def case_permissions_status_impact(party: Party, status: str, *, write: bool) -> AccessImpact:
    """What the party taking ``status`` does to its agencies' and NFP's access to cases, and
    which open cases it leaves: the policy's grants with the party restated, diffed with the
    stored rows; stored when ``write`` (``partners.status_sync``). Reads only the party's
    cases, in batches of a fixed number of queries."""
    ids = sorted(cases_involving_party(party))
    tally = AccessTally(app="cases", holders=party_holders(party))
    perm_ids = case_permission_ids()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        cases = list(Case.objects.filter(pk__in=batch))
        facts = {pk: _restated(f, party.pk, status) for pk, f in cases_facts(cases).items()}
        wanted_groups, wanted_users = _wanted(facts, perm_ids)
        stored = CaseGroupObjectPermission.objects.filter(content_object_id__in=batch)
        before = holders_by_object(stored.values_list("content_object_id", "group_id"))
        after = holders_by_object((pk, group) for pk, group, _ in wanted_groups)
        for case in cases:
            tally.record(
                before=before[case.pk],
                after=after[case.pk],
                personal=facts[case.pk].personal_data,
                open_reference="" if case.status == CaseStatus.CLOSED else case.reference,
            )
        if write:
            store_exactly(CaseGroupObjectPermission, "group_id", batch, wanted_groups)
            store_exactly(CaseUserObjectPermission, "user_id", batch, wanted_users)
    return tally.impact()


def _restated(facts: CaseFacts, party_id: int, status: str) -> CaseFacts:
    """The case as the policy sees it once the party has ``status``."""
    return dataclasses.replace(
        facts,
        parties=tuple(
            dataclasses.replace(p, status=status) if p.id == party_id else p for p in facts.parties
        ),
        agencies=tuple(restated(a, party_id, status) for a in facts.agencies),
    )
