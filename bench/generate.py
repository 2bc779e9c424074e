"""Generating exchanges at scale, in the shape the services store them.

Rows are made in memory and written with COPY (``bench.bulk``), a batch per transaction, but
every decision the services take is asked of the product's own code, never restated here:

- who receives and sends what: ``exchanges.policy.check_audience``, ``check_case`` and
  ``check_personal_data_in_case`` admit each exchange before it is stored (a refusal is a bug
  of the generator and stops it), and the object permissions stored are exactly what
  ``exchanges.policy.grants_for`` grants, on the groups ``exchanges.permissions`` names;
- the cases' participants pass ``cases.policy`` and their permissions are its ``grants_for``;
- encrypted columns are sealed by the fields' own code, entity attributes pass the entity
  rules and their blind-index tokens are ``exchanges.blind_index.entity_tokens``;
- due dates are ``exchanges.services.due_date``; audit events are chained with
  ``selec.core.audit.chain_hash_of`` after the log's current head, so ``verify_audit`` holds.

The shape: exchanges from 2015 to now, more each year; a fifth sent by the heavy agency (the
Romanian Police, lo.ro's) and a third of the others addressed to it, so that it sees more than
40 % of them; replies (about 15 %) in threads, sent by a recipient of what they answer, which
their receipt then records as answered; 29 % with entities, a few of which recur across
providers and make hits; some exchanges in joint investigations and regional operations.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
import time
import uuid
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection

from bench.bulk import BackgroundWriter
from bench.content import Writer
from bench.directory import Desk, Directory
from bench.records import CaseDraft, Draft, Holder, Message, Receipt, Report
from bench.shape import (
    CASE_SHARE,
    ENTITY_COUNTS,
    ENTITY_KINDS,
    ENTITY_SHARE,
    EXCHANGES_PER_CASE,
    FIRST_DAY,
    H1_SHARE,
    H2_SHARE,
    H3_SHARE,
    HEAVY_ADDRESSED_SHARE,
    HEAVY_SENDER_SHARE,
    MEMBER_WEIGHTS,
    NFP_WEIGHT,
    OBSERVER_RECEIVES,
    OBSERVER_SENDS,
    PARTNER_WEIGHT,
    PERSONAL_WITHOUT_ENTITIES,
    PRIORITIES,
    RECIPIENT_COUNTS,
    REPLY_CHANCE,
    REQUEST_SHARE,
    SETTLED_AFTER,
    TASK_FORCE_SHARE,
    THREAD_REPLIES,
    THREAD_STEP,
    Timeline,
    Weighted,
)
from bench.tables import Tables
from cases import policy as case_policy
from cases.models import (
    REFERENCE_CODES,
    CaseKind,
    CaseReferenceCounter,
    CaseStatus,
)
from cases.permissions import case_permission_ids
from exchanges import policy
from exchanges.blind_index import entity_tokens
from exchanges.hit_selectors import HitSide
from exchanges.matching import NEVER_ALONE, hit_notice_title
from exchanges.models import (
    ExchangeKind,
    ExchangeNotificationKind,
    InformationAccuracy,
    Priority,
    RecipientVia,
    ReferenceCounter,
    SourceReliability,
    urgency_of,
)
from exchanges.policy import Perm, Principal
from exchanges.services import due_date
from partners.models import AgencyKind, PartyStatus
from selec.core.models import AuditAction
from selec.core.policy_values import PolicyError, Restrictions
from taskforces.models import CrimeArea, TaskForce

# Exchanges per transaction (a smaller run writes in tenths, so that its progress shows).
BATCH = 20_000
SEED = 20_151_001


def _handling(restrictions: Restrictions) -> list[str]:
    """The handling codes an audit event or a hit names: H0 when nothing is restricted."""
    return list(restrictions.codes) or ["H0"]


class GenerationError(Exception):
    """The generator made something the product's rules refuse: a bug of the generator."""


class Generator:
    """Makes ``exchanges`` exchanges with everything the services store around them (see the
    module's text), from the directory's agencies, and writes them batch by batch."""

    def __init__(
        self,
        directory: Directory,
        *,
        exchanges: int,
        now: dt.datetime,
        progress: Callable[[str], None],
    ) -> None:
        self.d = directory
        self.n = exchanges
        self.progress = progress
        self.rng = random.Random(SEED)  # noqa: S311 - invented bench data, the same every run
        self.end = now - dt.timedelta(minutes=5)
        self.timeline = Timeline(exchanges, end=self.end, rng=self.rng)
        self.write = Writer(self.rng, recurring=max(20, exchanges // 400))
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.batch = min(BATCH, max(1_000, exchanges // 10))
        self.t = Tables(self.rng)
        self._reference_data()
        self._draws()
        self.references: Counter[int] = Counter(
            dict(ReferenceCounter.objects.values_list("year", "last"))
        )
        self.case_references: Counter[tuple[int, str]] = Counter(
            {
                (y, k): last
                for y, k, last in CaseReferenceCounter.objects.values_list("year", "kind", "last")
            }
        )
        self.replies: list[tuple[dt.datetime, int, Message, Desk]] = []
        self._sequence = itertools.count()
        self.cases: list[CaseDraft] = []
        self.cases_of_party: dict[int, list[CaseDraft]] = defaultdict(list)
        self.held: dict[tuple[str, str], list[Holder]] = defaultdict(list)
        self.report = Report(exchanges=exchanges, seconds=0.0)
        self._heavy_seen = self._with_entities = self._replies = 0
        self._writer: BackgroundWriter | None = None

    # --- Set-up -------------------------------------------------------------------------------

    def _reference_data(self) -> None:
        self.task_forces_of_area: dict[int, list[int]] = defaultdict(list)
        for task_force in TaskForce.objects.prefetch_related("crime_areas"):
            for area in task_force.crime_areas.all():
                self.task_forces_of_area[area.pk].append(task_force.pk)
        self.crime_area_ids = list(CrimeArea.objects.order_by("pk").values_list("pk", flat=True))
        self.new_titles = {
            kind: f"New {str(ExchangeKind(kind).label).lower()}"
            for kind in (ExchangeKind.REQUEST, ExchangeKind.INFORMATION)
        }

    def _draws(self) -> None:
        """The weighted lists senders and recipients are drawn from."""
        senders, receivers, personal_receivers = [], [], []
        for desk in self.d.desks:
            if desk is self.d.heavy:
                continue
            status = desk.facts.party_status
            if status == PartyStatus.MEMBER:
                weight = NFP_WEIGHT if desk.is_nfp else MEMBER_WEIGHTS.get(desk.kind, 1.0)
                sends = receives = weight
            elif status == PartyStatus.OPERATIONAL_PARTNER:
                sends = receives = PARTNER_WEIGHT
            else:
                sends, receives = OBSERVER_SENDS, OBSERVER_RECEIVES
            senders.append((desk, sends))
            receivers.append((desk, receives))
            if desk.may_hold(personal_data=True):
                personal_receivers.append((desk, receives))
        self.senders = Weighted(senders)
        self.receivers = Weighted(receivers)
        self.personal_receivers = Weighted(personal_receivers)
        self.thread_partner = next(
            d
            for d in self.d.desks
            if d.facts.party_code == "BG" and d.kind == AgencyKind.POLICE and not d.is_nfp
        )

    # --- Small draws ------------------------------------------------------------------------

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _chance(self, share: float) -> bool:
        return self.rng.random() < share

    def _later(self, at: dt.datetime, low: dt.timedelta, high: dt.timedelta) -> dt.datetime:
        return at + dt.timedelta(
            seconds=self.rng.uniform(low.total_seconds(), high.total_seconds())
        )

    def _reference(self, at: dt.datetime) -> str:
        # Numbered per year of the project's time zone, as allocate_reference numbers them.
        year = at.astimezone(self.zone).year
        self.references[year] += 1
        return f"SELEC-{year}-{self.references[year]:06d}"

    def _sender(self) -> Desk:
        if self._chance(HEAVY_SENDER_SHARE):
            return self.d.heavy
        return self.senders.draw(self.rng)

    def _recipients(self, sender: Desk, *, personal: bool) -> tuple[Desk, ...]:
        count = RECIPIENT_COUNTS.draw(self.rng)
        chosen: dict[int, Desk] = {}
        if sender is not self.d.heavy and self._chance(HEAVY_ADDRESSED_SHARE):
            chosen[self.d.heavy.id] = self.d.heavy
        pool = self.personal_receivers if personal else self.receivers
        for _ in range(count * 4):
            if len(chosen) >= count:
                break
            desk = pool.draw(self.rng)
            if desk is not sender:
                chosen.setdefault(desk.id, desk)
        return tuple(chosen.values())

    def _restrictions(self) -> Restrictions:
        return Restrictions(
            evidence=self._chance(H1_SHARE),
            dissemination=self._chance(H2_SHARE),
            text=self.write.restriction_text() if self._chance(H3_SHARE) else "",
        )

    def _entity_kinds(self, sender: Desk) -> tuple[str, ...]:
        if not sender.may_hold(personal_data=True) or not self._chance(ENTITY_SHARE):
            return ()
        count = ENTITY_COUNTS.draw(self.rng)
        return tuple(ENTITY_KINDS.draw(self.rng) for _ in range(count))

    def _areas(self) -> tuple[int, int | None]:
        crime_area = self.rng.choice(self.crime_area_ids)
        task_forces = self.task_forces_of_area.get(crime_area)
        if task_forces and self._chance(TASK_FORCE_SHARE):
            return crime_area, self.rng.choice(task_forces)
        return crime_area, None

    def _case_for(
        self, sender: Desk, at: dt.datetime, kind: str, personal: bool
    ) -> CaseDraft | None:
        """Now and then a case the sender's party takes part in, open at the time, that the
        case rules let this exchange join."""
        cases = self.cases_of_party.get(sender.party_id)
        if not cases or not self._chance(CASE_SHARE):
            return None
        day = at.astimezone(self.zone).date()
        for case in self.rng.sample(cases, min(3, len(cases))):
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

    # --- Cases --------------------------------------------------------------------------------

    def _generate_cases(self) -> None:
        count = max(10, self.n // EXCHANGES_PER_CASE)
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
        lead = self.d.heavy if self._chance(0.25) else self.rng.choice(leads)
        case_policy.check_lead(lead.facts)
        kind = CaseKind.JOINT_INVESTIGATION if self._chance(0.6) else CaseKind.REGIONAL_OPERATION
        desks = {lead.id: lead}
        for _ in range(self.rng.randint(1, 6)):
            desk = self.receivers.draw(self.rng)
            if desk.party_id not in {d.party_id for d in desks.values()}:
                desks[desk.id] = desk
        personal = self._chance(0.4)
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
        started = FIRST_DAY.date() + dt.timedelta(days=self.rng.randrange(span))
        ended = started + dt.timedelta(days=self.rng.randint(60, 540))
        ended_on = ended if ended < today else None
        year = started.year
        self.case_references[(year, kind)] += 1
        reference = f"SELEC-{REFERENCE_CODES[kind]}-{year}-{self.case_references[(year, kind)]:04d}"
        analysts = frozenset({self.d.analyst_id}) if self._chance(0.3) else frozenset()
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
        row_key = self._uuid()
        restrictions = self._restrictions()
        crime_area, task_force = self._areas()
        created = dt.datetime.combine(case.started_on, dt.time(9), tzinfo=self.zone)
        status = CaseStatus.CLOSED if case.ended_on else CaseStatus.ACTIVE
        self.t.cases.add(
            case.id,
            row_key,
            case.reference,
            self.t.seal_case_name(self.write.operation_name(), row_key),
            case.kind,
            case.lead.party_id,
            task_force,
            crime_area,
            case.started_on,
            case.ended_on,
            status,
            self.t.seal_case_description(self.write.body(), row_key),
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
            object_type="cases.case",
            object_id=case.id,
            reason=f"{case.kind} opened",
            details={
                "reference": case.reference,
                "lead": case.lead.facts.party_code,
                "agencies": sorted(f"{d.facts.party_code}:{d.id}" for d in case.desks),
                "analysts": ["analyst"] if case.analyst_ids else [],
                "personal_data": case.personal,
                "handling": _handling(restrictions),
            },
        )
        self.cases.append(case)

    def _case_grants(self) -> None:
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

    # --- Exchanges ----------------------------------------------------------------------------

    def _root_draft(self, at: dt.datetime) -> Draft:
        sender = self._sender()
        kind = ExchangeKind.REQUEST if self._chance(REQUEST_SHARE) else ExchangeKind.INFORMATION
        entity_kinds = self._entity_kinds(sender)
        personal = bool(entity_kinds) or (
            sender.may_hold(personal_data=True) and self._chance(PERSONAL_WITHOUT_ENTITIES)
        )
        crime_area, task_force = self._areas()
        return Draft(
            kind=kind,
            sender=sender,
            author=self.rng.choice(sender.authors),
            recipients=self._recipients(sender, personal=personal),
            restrictions=self._restrictions(),
            personal=personal,
            entity_kinds=entity_kinds,
            case=self._case_for(sender, at, kind, personal),
            crime_area_id=crime_area,
            task_force_id=task_force,
            priority=PRIORITIES.draw(self.rng),
        )

    def _reply_draft(self, parent: Message, replier: Desk) -> Draft:
        """As ``exchange_reply`` builds it: to the other side of the parent, with at least its
        restrictions, in its case; personal data if the parent carries it."""
        chosen = Restrictions(dissemination=self._chance(0.05))
        draft = Draft(
            kind=ExchangeKind.REPLY,
            sender=replier,
            author=self.rng.choice(replier.authors),
            recipients=(parent.sender,),
            restrictions=policy.inherited(parent.restrictions, chosen),
            personal=parent.personal,
            entity_kinds=self._entity_kinds(replier),
            case=parent.case,
            crime_area_id=parent.crime_area_id,
            task_force_id=parent.task_force_id,
            priority=parent.priority,
            parent=parent,
        )
        draft.personal = draft.personal or bool(draft.entity_kinds)
        if draft.entity_kinds and not self._admitted(draft):
            # Entities are personal data: a reply whose audience may not hold it has none.
            draft.entity_kinds, draft.personal = (), parent.personal
        return draft

    def _facts(self, draft: Draft) -> policy.ExchangeFacts:
        return policy.ExchangeFacts(
            sender=draft.sender.facts,
            recipients=tuple(d.facts for d in draft.recipients),
            restrictions=draft.restrictions,
            personal_data=draft.personal,
        )

    def _admit(self, draft: Draft) -> policy.ExchangeFacts:
        """The gate every send and reply passes (``exchanges.services._admit``)."""
        facts = self._facts(draft)
        case = draft.case.link_facts() if draft.case else None
        try:
            policy.check_audience(facts, author=draft.sender.facts, added=facts.recipients)
            policy.check_personal_data_in_case(case, personal_data=draft.personal)
            if draft.parent is None:
                policy.check_case(
                    draft.sender.facts,
                    case,
                    kind=draft.kind,
                    personal_data=draft.personal,
                    requested=draft.case is not None,
                )
        except PolicyError as exc:
            raise GenerationError(f"{exc} ({draft})") from exc
        return facts

    def _admitted(self, draft: Draft) -> bool:
        try:
            self._admit(draft)
        except GenerationError:
            return False
        return True

    def _store(self, draft: Draft, at: dt.datetime) -> Message:
        facts = self._admit(draft)
        grants = policy.grants_for(facts)
        parent = draft.parent
        exchange_id = next(self.t.exchange_ids)
        reference = self._reference(at)
        row_key = self._uuid()
        evaluation = (
            (
                self.rng.choice(SourceReliability.values),
                self.rng.choice(InformationAccuracy.values),
            )
            if draft.personal
            else ("", "")
        )
        restrictions = draft.restrictions
        thread_root_id = (parent.thread_root_id or parent.id) if parent else None
        due_at = due_date(at, draft.priority)
        self.t.exchanges.add(
            exchange_id,
            row_key,
            reference,
            draft.kind,
            parent.id if parent else None,
            thread_root_id,
            draft.sender.id,
            draft.author.id,
            draft.crime_area_id,
            draft.task_force_id,
            draft.case.id if draft.case else None,
            draft.priority,
            at,
            due_at,
            self.t.seal_subject(self.write.subject(), row_key),
            self.t.seal_body(self.write.body(), row_key),
            restrictions.evidence,
            restrictions.dissemination,
            self.t.seal_restriction(restrictions.text, row_key),
            draft.personal,
            *evaluation,
        )
        self._store_grants(exchange_id, grants)
        message = Message(
            id=exchange_id,
            reference=reference,
            kind=draft.kind,
            sender=draft.sender,
            receipts=[self._receipt(desk, at) for desk in draft.recipients],
            restrictions=restrictions,
            personal=draft.personal,
            case=draft.case,
            crime_area_id=draft.crime_area_id,
            task_force_id=draft.task_force_id,
            priority=draft.priority,
            thread_root_id=thread_root_id,
            sent_at=at,
            due_at=due_at,
            grants=grants,
        )
        self._store_entities(message, draft.entity_kinds)
        self._audit_sent(message, draft, parent)
        self._notify(message, draft, parent)
        if draft.case and draft.personal:
            draft.case.linked_personal = True
        if self.d.heavy is draft.sender or self.d.heavy in draft.recipients:
            self._heavy_seen += 1
        if draft.entity_kinds:
            self._with_entities += 1
        if parent:
            self._replies += 1
        return message

    def _store_grants(self, exchange_id: int, grants: dict[Principal, frozenset[Perm]]) -> None:
        # As exchanges.permissions.permissions_grant_new stores them: principals without a
        # group (an NFP nobody staffs) hold nothing.
        perm_ids = self.d.exchange_perm_ids
        for principal, perms in grants.items():
            group = self.d.groups.get(principal)
            if group is not None:
                for perm in perms:
                    self.t.grants.add(group, perm_ids[perm], exchange_id)

    def _receipt(self, desk: Desk, at: dt.datetime) -> Receipt:
        """Delivered at once; an old one read and acknowledged (a few never acknowledged),
        a recent one partly open. Answered only when a reply says so (``_answer``)."""
        settled = self.end - at > SETTLED_AFTER
        read_at = acknowledged_at = None
        if self._chance(0.97 if settled else 0.6):
            read_at = self._later(at, dt.timedelta(minutes=5), dt.timedelta(days=2))
            if self._chance(0.96 if settled else 0.6):
                acknowledged_at = self._later(
                    read_at, dt.timedelta(minutes=10), dt.timedelta(days=2)
                )
        if read_at is not None and read_at > self.end:
            read_at = acknowledged_at = None
        if acknowledged_at is not None and acknowledged_at > self.end:
            acknowledged_at = None
        return Receipt(desk=desk, read_at=read_at, acknowledged_at=acknowledged_at)

    def _write_receipts(self, message: Message) -> None:
        first_read: Receipt | None = None
        for receipt in message.receipts:
            self.t.receipts.add(
                message.id,
                receipt.desk.id,
                RecipientVia.ADDRESSED,
                message.sender.id,
                message.sent_at,
                receipt.read_at,
                receipt.acknowledged_at,
                receipt.answered_at,
                # Copied from the exchange, as exchange_send stores them.
                urgency_of(message.priority),
                message.due_at,
                message.kind == ExchangeKind.REQUEST,
            )
            if receipt.read_at and (first_read is None or receipt.read_at < first_read.read_at):
                first_read = receipt
        if first_read is not None:
            # The first consultation of its content, as exchange_consult records it.
            self.t.audit.append(
                at=first_read.read_at,
                actor=first_read.desk.authors[0],
                action=AuditAction.CONSULTATION,
                object_type="exchanges.exchange",
                object_id=message.id,
                reason="content consulted",
                details={"reference": message.reference},
            )

    def _audit_sent(self, message: Message, draft: Draft, parent: Message | None) -> None:
        handling = _handling(message.restrictions)
        if parent is None:
            reason = f"{message.kind} sent"
            details: dict[str, Any] = {
                "reference": message.reference,
                "recipients": [f"{d.facts.party_code}:{d.id}" for d in draft.recipients],
                "entities": len(draft.entity_kinds),
                "attachments": 0,
                "handling": handling,
            }
        else:
            reason = "reply sent"
            details = {
                "reference": message.reference,
                "in_reply_to": parent.reference,
                "handling": handling,
            }
        self.t.audit.append(
            at=message.sent_at,
            actor=draft.author,
            action=AuditAction.COLLECTION,
            object_type="exchanges.exchange",
            object_id=message.id,
            reason=reason,
            details=details,
        )

    def _notify(self, message: Message, draft: Draft, parent: Message | None) -> None:
        """The officers of the addressed agencies and their NFPs, as notify_agencies tells
        them; most old notices read."""
        if parent is None:
            kind = ExchangeNotificationKind.NEW_EXCHANGE
            title = f"{self.new_titles[message.kind]} {message.reference} from {message.sender.facts.party_code}"
        else:
            kind = ExchangeNotificationKind.REPLY
            title = f"Reply {message.reference} to {parent.reference} from {message.sender.facts.party_code}"
        officers = sorted({o for desk in draft.recipients for o in desk.notified})
        settled = self.end - message.sent_at > SETTLED_AFTER
        for officer in officers:
            read_at = None
            if self._chance(0.9 if settled else 0.4):
                read_at = min(
                    self._later(message.sent_at, dt.timedelta(minutes=1), dt.timedelta(days=3)),
                    self.end,
                )
            self.t.notifications.add(
                officer,
                kind,
                title,
                f"/exchanges/{message.reference}/",
                "exchanges.exchange",
                str(message.id),
                f"{kind}:exchange:{message.id}",
                message.sent_at,
                read_at,
            )

    def _store_entities(self, message: Message, kinds: tuple[str, ...]) -> None:
        matched_at = min(message.sent_at + dt.timedelta(minutes=1), self.end)
        mine: list[tuple[int, list[tuple[str, str]], bool]] = []
        for kind in kinds:
            attributes, recurring = self.write.entity(kind)
            entity_id = next(self.t.entity_ids)
            row_key = self._uuid()
            self.t.entities.add(
                entity_id,
                row_key,
                message.id,
                kind,
                self.t.seal_attributes(attributes, row_key),
                matched_at,
            )
            tokens = entity_tokens(kind, attributes)
            for token_kind, token in tokens:
                self.t.tokens.add(entity_id, token_kind, token)
            mine.append((entity_id, tokens, recurring))
        if mine and policy.may_be_matched(message.sender.facts.party_status):
            self._match(message, mine, matched_at)

    def _match(
        self, message: Message, mine: list[tuple[int, list[tuple[str, str]], bool]], at: dt.datetime
    ) -> None:
        """The hits ``exchanges.matching.exchange_match`` would find: a token shared with
        another provider's entity, outside the thread, names alone excepted. Only recurring
        subjects can match (the others are drawn fresh), so only their tokens are kept."""
        if not any(recurring for _, _, recurring in mine):
            return
        side = HitSide(
            reference=message.reference,
            agency_id=message.sender.id,
            agency_name=message.sender.facts.name,
            party_id=message.sender.party_id,
            party_code=message.sender.facts.party_code,
            handling_codes=_handling(message.restrictions),
            under_h2=message.restrictions.dissemination,
        )
        thread = message.thread_root_id or message.id
        # Pairs by entity ids, the earlier (lower) one first, as Hit stores them.
        found: dict[tuple[int, int], set[str]] = defaultdict(set)
        holders: dict[int, Holder] = {}
        for entity_id, tokens, recurring in mine:
            if not recurring:
                continue
            me = holders[entity_id] = Holder(entity_id, message.id, thread, side)
            for kind, token in tokens:
                if kind in NEVER_ALONE:
                    continue
                for other in self.held[(kind, token)]:
                    if other.side.agency_id != side.agency_id and other.thread_id != thread:
                        holders[other.entity_id] = other
                        found[(other.entity_id, entity_id)].add(kind)
                self.held[(kind, token)].append(me)
        for (a, b), kinds in found.items():
            self._store_hit(holders[a], holders[b], sorted(kinds), at)

    def _store_hit(self, a: Holder, b: Holder, kinds: list[str], at: dt.datetime) -> None:
        hit_id = next(self.t.hit_ids)
        self.t.hits.add(hit_id, a.entity_id, b.entity_id, a.exchange_id, b.exchange_id, kinds, at)
        self.report.hits += 1
        self.t.audit.append(
            at=at,
            actor=None,
            action=AuditAction.COMBINATION,
            object_type="exchanges.hit",
            object_id=hit_id,
            reason="hit between two providers' entities",
            details={
                "references": [a.side.reference, b.side.reference],
                "providers": [a.side.provider, b.side.provider],
                "token_kinds": kinds,
            },
        )
        for mine, other in ((a, b), (b, a)):
            title = hit_notice_title(mine=mine.side, other=other.side, token_kinds=kinds, at=at)
            for officer in self.d.by_id[mine.side.agency_id].notified:
                self.t.notifications.add(
                    officer,
                    ExchangeNotificationKind.HIT,
                    title,
                    f"/hits/{hit_id}/",
                    "exchanges.hit",
                    str(hit_id),
                    f"hit:{hit_id}:{mine.side.reference}",
                    at,
                    None,
                )

    # --- Threads ----------------------------------------------------------------------------

    def _reply_delay(self, message: Message) -> tuple[dt.timedelta, dt.timedelta]:
        if message.kind == ExchangeKind.REQUEST:
            return {
                Priority.IMMEDIATE: (dt.timedelta(hours=1), dt.timedelta(hours=10)),
                Priority.URGENT: (dt.timedelta(hours=3), dt.timedelta(days=4)),
                Priority.ROUTINE: (dt.timedelta(days=1), dt.timedelta(days=10)),
            }[Priority(message.priority)]
        return dt.timedelta(hours=6), dt.timedelta(days=6)

    def _follow_up(self, message: Message) -> None:
        """Decide whether the message will be answered. Its receipts wait until then (the
        answer marks one of them), or are written now."""
        repliers = [
            r.desk
            for r in message.receipts
            if Perm.REPLY in message.grants.get(Principal("agency", r.desk.id), frozenset())
        ]
        if repliers and self._chance(REPLY_CHANCE[ExchangeKind(message.kind)]):
            due = self._later(message.sent_at, *self._reply_delay(message))
            if due < self.end:
                entry = (due, next(self._sequence), message, self.rng.choice(repliers))
                heapq.heappush(self.replies, entry)
                return
        self._write_receipts(message)

    def _answer(self, parent: Message, replier: Desk, at: dt.datetime) -> Message:
        """The reply, and the parent's receipt of the replying agency answered by it (read and
        acknowledged before, if it was not yet)."""
        reply = self._store(self._reply_draft(parent, replier), at)
        for receipt in parent.receipts:
            if receipt.desk is replier:
                receipt.answered_at = at
                if receipt.read_at is None or receipt.read_at > at:
                    receipt.read_at = max(parent.sent_at, at - dt.timedelta(minutes=30))
                if receipt.acknowledged_at is None or receipt.acknowledged_at > at:
                    receipt.acknowledged_at = receipt.read_at
        self._write_receipts(parent)
        return reply

    def _the_thread(self, start: dt.datetime) -> Iterator[Message]:
        """A request of the heavy agency answered back and forth THREAD_REPLIES times."""
        crime_area, task_force = self._areas()
        root = Draft(
            kind=ExchangeKind.REQUEST,
            sender=self.d.heavy,
            author=self.d.heavy.authors[0],
            recipients=(self.thread_partner,),
            restrictions=Restrictions(),
            personal=False,
            entity_kinds=(),
            case=None,
            crime_area_id=crime_area,
            task_force_id=task_force,
            priority=Priority.ROUTINE,
        )
        message = self._store(root, start)
        yield message
        for step in range(1, THREAD_REPLIES + 1):
            replier = message.receipts[0].desk
            message = self._answer(message, replier, start + step * THREAD_STEP)
            yield message
        self._write_receipts(message)

    # --- Writing ----------------------------------------------------------------------------

    def _flush(self) -> None:
        assert self._writer is not None
        self._writer.submit([table.take() for table in self.t.in_order])

    def _counters(self) -> None:
        ReferenceCounter.objects.bulk_create(
            [ReferenceCounter(year=y, last=n) for y, n in self.references.items()],
            update_conflicts=True,
            unique_fields=["year"],
            update_fields=["last"],
        )
        CaseReferenceCounter.objects.bulk_create(
            [
                CaseReferenceCounter(year=year, kind=kind, last=last)
                for (year, kind), last in self.case_references.items()
            ],
            update_conflicts=True,
            unique_fields=["year", "kind"],
            update_fields=["last"],
        )

    def _show_progress(self, done: int, started: float) -> None:
        elapsed = time.monotonic() - started
        rate = done / elapsed if elapsed else 0.0
        left = (self.n - done) / rate if rate else 0.0
        self.progress(
            f"  exchanges {done:>10,} / {self.n:,} ({done * 100 // self.n:>3} %)  "
            f"{rate:>7,.0f}/s  ETA {int(left) // 60}m{int(left) % 60:02d}s"
        )

    # --- The run ------------------------------------------------------------------------------

    def run(self) -> Report:
        started = time.monotonic()
        cpu_started = time.process_time()
        # The database checks every row's foreign keys as it would the services' inserts.
        self._writer = BackgroundWriter(connection.get_connection_params())
        try:
            self._generate(started)
        finally:
            self._writer.close()
        self._show_progress(self.n, started)
        self.report.rows = self._writer.rows
        self.report.writing_seconds = self._writer.writing_seconds
        self.report.waiting_seconds = self._writer.waiting_seconds
        self._counters()
        self._summarise(started)
        # This process's own work (both threads), whatever else the machine runs meanwhile.
        self.report.cpu_seconds = time.process_time() - cpu_started
        return self.report

    def _generate(self, started: float) -> None:
        self._generate_cases()
        thread_start = self.n - THREAD_REPLIES - 1
        for index in range(thread_start):
            at = self.timeline.at(index)
            if self.replies and self.replies[0][0] <= at:
                due, _, parent, replier = heapq.heappop(self.replies)
                message = self._answer(parent, replier, due)
            else:
                message = self._store(self._root_draft(at), at)
            self._follow_up(message)
            if (index + 1) % self.batch == 0:
                self._flush()
                self._show_progress(index + 1, started)
        # The thread of the thread page's figure, ending just before now.
        last = list(self._the_thread(self.end - (THREAD_REPLIES + 1) * THREAD_STEP))
        assert len(last) == THREAD_REPLIES + 1
        # Answers that would come after now never came: their receipts stay open.
        while self.replies:
            self._write_receipts(heapq.heappop(self.replies)[2])
        self._case_grants()
        self._flush()

    def _summarise(self, started: float) -> None:
        self.report.seconds = time.monotonic() - started
        self.report.cases = len(self.cases)
        self.report.heavy_share = self._heavy_seen / self.n
        self.report.entity_share = self._with_entities / self.n
        self.report.reply_share = self._replies / self.n
