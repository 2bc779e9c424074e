"""Generating the cases (joint investigations, regional operations) the exchanges join:
their participants admitted by ``cases.policy``, their permissions its ``grants_for``."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from bench.directory import Desk, Directory
from bench.draws import Draws
from bench.records import CaseDraft, handling_codes
from bench.shape import CASE_SHARE, EXCHANGES_PER_CASE, FIRST_DAY
from bench.tables import Tables
from cases import policy as case_policy
from cases.models import REFERENCE_CODES, CaseAuditEvent, CaseKind, CaseReferenceCounter, CaseStatus
from cases.permissions import case_permission_ids
from exchanges import policy
from partners.models import AgencyKind, PartyStatus
from selec.core.models import AuditAction
from selec.core.policy_values import PolicyError


class CaseMaker:
    """Makes the cases before the exchanges, finds the case an exchange joins, and grants the
    cases' permissions once their exchanges exist."""

    def __init__(
        self,
        directory: Directory,
        draws: Draws,
        tables: Tables,
        *,
        zone: dt.tzinfo,
        end: dt.datetime,
    ) -> None:
        self.d, self.draw, self.t = directory, draws, tables
        self.zone, self.end = zone, end
        self.case_references: Counter[tuple[int, str]] = Counter(
            {
                (y, k): last
                for y, k, last in CaseReferenceCounter.objects.values_list("year", "kind", "last")
            }
        )
        self.cases: list[CaseDraft] = []
        self.cases_of_party: dict[int, list[CaseDraft]] = defaultdict(list)

    def generate(self, exchanges: int) -> None:
        """A case for every EXCHANGES_PER_CASE exchanges (at least ten), led by a police
        agency of a party that acts in operations."""
        count = max(10, exchanges // EXCHANGES_PER_CASE)
        leads = [
            d
            for d in self.d.desks
            if d.kind == AgencyKind.POLICE and case_policy.acts_in_operations(d.facts.party_status)
        ]
        by_party: dict[int, list[Desk]] = defaultdict(list)
        for desk in self.d.desks:
            by_party[desk.party_id].append(desk)
        today = self.end.astimezone(self.zone).date()
        span = (today - FIRST_DAY.date()).days - 10
        for _ in range(count):
            self._generate_case(leads, by_party, today, span)

    def _generate_case(
        self, leads: list[Desk], by_party: dict[int, list[Desk]], today: dt.date, span: int
    ) -> None:
        lead = self.d.heavy if self.draw.chance(0.25) else self.draw.rng.choice(leads)
        case_policy.check_lead(lead.facts)
        kind = (
            CaseKind.JOINT_INVESTIGATION if self.draw.chance(0.6) else CaseKind.REGIONAL_OPERATION
        )
        desks = {lead.id: lead}
        for _ in range(self.draw.rng.randint(1, 6)):
            desk = self.draw.receivers.draw(self.draw.rng)
            if desk.party_id not in {d.party_id for d in desks.values()}:
                desks[desk.id] = desk
        personal = self.draw.chance(0.4)
        agencies = tuple(sorted(desks.values(), key=lambda d: d.id))
        try:
            case_policy.check_participants(tuple(d.facts for d in agencies), personal_data=personal)
        except PolicyError:
            personal = False
            case_policy.check_participants(tuple(d.facts for d in agencies), personal_data=False)
        parties = {
            d.party_id: case_policy.PartyFacts(
                id=d.party_id,
                code=d.facts.party_code,
                name=d.facts.party_code,
                status=d.facts.party_status,
            )
            for d in agencies
        }
        started = FIRST_DAY.date() + dt.timedelta(days=self.draw.rng.randrange(span))
        ended = started + dt.timedelta(days=self.draw.rng.randint(60, 540))
        ended_on = ended if ended < today else None
        year = started.year
        self.case_references[(year, kind)] += 1
        reference = f"SELEC-{REFERENCE_CODES[kind]}-{year}-{self.case_references[(year, kind)]:04d}"
        analysts = frozenset({self.d.analyst_id}) if self.draw.chance(0.3) else frozenset()
        observers = tuple(
            f"{d.facts.name} ({d.facts.party_code})"
            for d in agencies
            if d.facts.party_status == PartyStatus.OBSERVER
        )
        case = CaseDraft(
            id=next(self.t.case_ids),
            reference=reference,
            kind=kind,
            lead=lead,
            parties=tuple(sorted(parties.values(), key=lambda p: p.code)),
            desks=agencies,
            analyst_ids=analysts,
            personal=personal,
            started_on=started,
            ended_on=ended_on,
            observers=observers,
        )
        self._store_case(case)

    def _store_case(self, case: CaseDraft) -> None:
        row_key = self.draw.uuid()
        restrictions = self.draw.restrictions()
        crime_area, task_force = self.draw.areas()
        created = dt.datetime.combine(case.started_on, dt.time(9), tzinfo=self.zone)
        status = CaseStatus.CLOSED if case.ended_on else CaseStatus.ACTIVE
        self.t.cases.add(
            case.id,
            row_key,
            case.reference,
            self.t.seal_case_name(self.draw.write.operation_name(), row_key),
            case.kind,
            case.lead.party_id,
            task_force,
            crime_area,
            case.started_on,
            case.ended_on,
            status,
            self.t.seal_case_description(self.draw.write.body(), row_key),
            restrictions.evidence,
            restrictions.dissemination,
            self.t.seal_case_restriction(restrictions.text, row_key),
            case.personal,
            case.lead.authors[0].id,
            created,
        )
        for party in case.parties:
            self.t.case_parties.add(case.id, party.id)
            self.cases_of_party[party.id].append(case)
        for desk in case.desks:
            self.t.case_agencies.add(case.id, desk.id)
        for analyst in sorted(case.analyst_ids):
            self.t.case_analysts.add(case.id, analyst)
        self.t.audit.append(
            at=created,
            actor=case.lead.authors[0],
            action=AuditAction.COLLECTION,
            event=CaseAuditEvent.OPENED,
            object_type="cases.case",
            object_id=case.id,
            reason=f"{case.kind} opened",
            details={
                "reference": case.reference,
                "lead": case.lead.facts.party_code,
                "agencies": sorted(f"{d.facts.party_code}:{d.id}" for d in case.desks),
                "analysts": ["analyst"] if case.analyst_ids else [],
                "personal_data": case.personal,
                "handling": handling_codes(restrictions),
            },
        )
        self.cases.append(case)

    def case_for(
        self, sender: Desk, at: dt.datetime, kind: str, personal: bool
    ) -> CaseDraft | None:
        """Now and then a case the sender's party takes part in, open at the time, that the
        case rules let this exchange join."""
        cases = self.cases_of_party.get(sender.party_id)
        if not cases or not self.draw.chance(CASE_SHARE):
            return None
        day = at.astimezone(self.zone).date()
        for case in self.draw.rng.sample(cases, min(3, len(cases))):
            if not case.open_on(day):
                continue
            try:
                policy.check_case(
                    sender.facts, case.link_facts(), kind=kind, personal_data=personal
                )
            except PolicyError:
                continue
            return case
        return None

    def grants(self) -> None:
        """The cases' permissions once their exchanges exist: an exchange with personal data
        linked to a case counts as the case's own (``cases.facts.cases_facts``)."""
        perm_ids = case_permission_ids()
        for case in self.cases:
            facts = case_policy.CaseFacts(
                lead_party_id=case.lead.party_id,
                parties=case.parties,
                agencies=tuple(d.facts for d in case.desks),
                analyst_ids=case.analyst_ids,
                personal_data=case.personal or case.linked_personal,
            )
            for principal, perms in case_policy.grants_for(facts).items():
                for perm in perms:
                    if principal.kind == "analyst":
                        self.t.case_user_grants.add(principal.id, perm_ids[perm], case.id)
                    elif (principal.kind, principal.id) in self.d.groups_by_key:
                        group = self.d.groups_by_key[(principal.kind, principal.id)]
                        self.t.case_group_grants.add(group, perm_ids[perm], case.id)

    def save_counters(self) -> None:
        # The yearly counters case_create numbers from, past the generated references.
        CaseReferenceCounter.objects.bulk_create(
            [
                CaseReferenceCounter(year=year, kind=kind, last=last)
                for (year, kind), last in self.case_references.items()
            ],
            update_conflicts=True,
            unique_fields=["year", "kind"],
            update_fields=["last"],
        )
