"""What the generator remembers of what it made: drafts, stored messages and their receipts,
cases, the holders of recurring entities, and its report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from bench.directory import Author, Desk
from cases import policy as case_policy
from cases.models import CaseKind
from exchanges import policy
from exchanges.policy import Perm, Principal
from hits.selectors import HitSide
from selec.core.policy_values import Restrictions


@dataclass(slots=True)
class Receipt:
    desk: Desk
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    answered_at: dt.datetime | None = None


@dataclass(slots=True)
class CaseDraft:
    id: int
    reference: str
    kind: str
    lead: Desk
    parties: tuple[case_policy.PartyFacts, ...]
    desks: tuple[Desk, ...]
    analyst_ids: frozenset[int]
    personal: bool
    started_on: dt.date
    ended_on: dt.date | None
    observers: tuple[str, ...]
    linked_personal: bool = False

    def link_facts(self) -> policy.CaseLinkFacts:
        # As at the time of the exchange, which falls within the case's period: open.
        return policy.CaseLinkFacts(
            reference=self.reference,
            regional_operation=self.kind == CaseKind.REGIONAL_OPERATION,
            closed=False,
            party_ids=frozenset(p.id for p in self.parties),
            observers=self.observers,
        )

    def open_on(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


@dataclass(slots=True)
class Draft:
    """What an officer would submit: the input of a send or a reply."""

    kind: str
    sender: Desk
    author: Author
    recipients: tuple[Desk, ...]
    restrictions: Restrictions
    personal: bool
    entity_kinds: tuple[str, ...]
    case: CaseDraft | None
    crime_area_id: int
    task_force_id: int | None
    priority: str
    parent: Message | None = None


@dataclass(slots=True)
class Message:
    """An exchange as stored, remembered while its thread may go on."""

    id: int
    reference: str
    kind: str
    sender: Desk
    receipts: list[Receipt]
    restrictions: Restrictions
    personal: bool
    case: CaseDraft | None
    crime_area_id: int
    task_force_id: int | None
    priority: str
    thread_root_id: int | None
    sent_at: dt.datetime
    # Copied to its receipts, as exchange_send stores it.
    due_at: dt.datetime
    grants: dict[Principal, frozenset[Perm]]


@dataclass(slots=True)
class Holder:
    """An entity whose blind-index token another provider's entity may share."""

    entity_id: int
    exchange_id: int
    thread_id: int
    # Its provider's side of a hit (the provider's agency is side.agency_id).
    side: HitSide


@dataclass
class Report:
    exchanges: int
    seconds: float
    cpu_seconds: float = 0.0
    # The server's time storing the rows, and how long the making waited for it.
    writing_seconds: float = 0.0
    waiting_seconds: float = 0.0
    rows: Counter[str] = field(default_factory=Counter)
    heavy_share: float = 0.0
    entity_share: float = 0.0
    reply_share: float = 0.0
    cases: int = 0
    hits: int = 0

    @property
    def rate(self) -> float:
        return self.exchanges / self.seconds if self.seconds else 0.0


def handling_codes(restrictions: Restrictions) -> list[str]:
    """The handling codes an audit event or a hit names: H0 when nothing is restricted."""
    return list(restrictions.codes) or ["H0"]
