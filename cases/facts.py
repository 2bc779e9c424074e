"""Reading the facts the cases policy decides on, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from cases.models import Case, CaseKind, CaseStatus
from cases.policy import CaseFacts, PartyFacts
from exchanges.facts import agency_facts
from exchanges.models import Exchange
from exchanges.policy import CaseLinkFacts
from partners.models import Agency, Party, PartyStatus, Role


def party_facts(party: Party) -> PartyFacts:
    return PartyFacts(id=party.pk, code=party.code, name=party.name, status=party.status)


def cases_facts(cases: Iterable[Case]) -> dict[int, CaseFacts]:
    """The policy facts of many cases at once (five queries whatever their number)."""
    cases = list(cases)
    ids = [c.pk for c in cases]
    party_ids: dict[int, set[int]] = defaultdict(set)
    for case in cases:
        party_ids[case.pk].add(case.lead_party_id)
    for case_id, party_id in Case.participants.through.objects.filter(case_id__in=ids).values_list(
        "case_id", "party_id"
    ):
        party_ids[case_id].add(party_id)
    parties = {
        p.pk: party_facts(p)
        for p in Party.objects.filter(pk__in={p for s in party_ids.values() for p in s})
    }
    agencies: dict[int, list[Agency]] = defaultdict(list)
    for row in Case.agencies.through.objects.filter(case_id__in=ids).select_related(
        "agency__party"
    ):
        agencies[row.case_id].append(row.agency)
    analysts: dict[int, set[int]] = defaultdict(set)
    # Only active analysts hold anything: an officer whose role changed since loses the case.
    for case_id, officer_id in Case.analysts.through.objects.filter(
        case_id__in=ids, officer__role=Role.ANALYST, officer__is_active=True
    ).values_list("case_id", "officer_id"):
        analysts[case_id].add(officer_id)
    personal = set(
        Exchange.objects.filter(case_id__in=ids, personal_data=True)
        .values_list("case_id", flat=True)
        .distinct()
    )
    return {
        case.pk: CaseFacts(
            lead_party_id=case.lead_party_id,
            parties=tuple(sorted((parties[p] for p in party_ids[case.pk]), key=lambda p: p.code)),
            agencies=tuple(agency_facts(a) for a in sorted(agencies[case.pk], key=lambda a: a.pk)),
            analyst_ids=frozenset(analysts[case.pk]),
            personal_data=case.personal_data or case.pk in personal,
        )
        for case in cases
    }


def case_facts(case: Case) -> CaseFacts:
    return cases_facts([case])[case.pk]


def linked_personal_data(case: Case) -> bool:
    """Whether an exchange linked to the case carries personal data."""
    return Exchange.objects.filter(case=case, personal_data=True).exists()


def case_link_facts(case_id: int) -> CaseLinkFacts | None:
    """What an exchange joining the case is checked against (two queries), or None."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return None
    party_ids = {case.lead_party_id}
    observers = []
    for party in Party.objects.filter(cases=case).order_by("code"):
        party_ids.add(party.pk)
        if party.status == PartyStatus.OBSERVER:
            observers.append(f"{party.name} ({party.code})")
    return CaseLinkFacts(
        reference=case.reference,
        regional_operation=case.kind == CaseKind.REGIONAL_OPERATION,
        closed=case.status == CaseStatus.CLOSED,
        party_ids=frozenset(party_ids),
        observers=tuple(observers),
    )
