"""What follows the sending of a generated message, as the services record it: its
receipts (read, acknowledged, answered), the audit events of its sending and first reading,
and the notices to the officers of the agencies it reaches."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bench.directory import Desk
from bench.draws import Draws
from bench.records import Draft, Message, Receipt, handling_codes
from bench.shape import SETTLED_AFTER
from bench.tables import Tables
from exchanges.models import (
    ExchangeAuditEvent,
    ExchangeKind,
    ExchangeNotificationKind,
    RecipientVia,
    urgency_of,
)
from selec.core.models import AuditAction


class Delivery:
    """Writes the rows around each stored message; the generator decides when (a receipt
    waits for the answer that marks it)."""

    def __init__(self, draws: Draws, tables: Tables, *, end: dt.datetime) -> None:
        self.draw, self.t, self.end = draws, tables, end
        self.new_titles: dict[str, str] = {
            kind: f"New {str(ExchangeKind(kind).label).lower()}"
            for kind in (ExchangeKind.REQUEST, ExchangeKind.INFORMATION)
        }

    def receipt(self, desk: Desk, at: dt.datetime) -> Receipt:
        """Delivered at once; an old one read and acknowledged (a few never acknowledged),
        a recent one partly open. Answered only when a reply says so (``Generator._answer``)."""
        settled = self.end - at > SETTLED_AFTER
        read_at = acknowledged_at = None
        if self.draw.chance(0.97 if settled else 0.6):
            read_at = self.draw.later(at, dt.timedelta(minutes=5), dt.timedelta(days=2))
            if self.draw.chance(0.96 if settled else 0.6):
                acknowledged_at = self.draw.later(
                    read_at, dt.timedelta(minutes=10), dt.timedelta(days=2)
                )
        if read_at is not None and read_at > self.end:
            read_at = acknowledged_at = None
        if acknowledged_at is not None and acknowledged_at > self.end:
            acknowledged_at = None
        return Receipt(desk=desk, read_at=read_at, acknowledged_at=acknowledged_at)

    def write_receipts(self, message: Message) -> None:
        first_read: tuple[dt.datetime, Receipt] | None = None
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
            if receipt.read_at and (first_read is None or receipt.read_at < first_read[0]):
                first_read = (receipt.read_at, receipt)
        if first_read is not None:
            read_at, reader = first_read
            # The first consultation of its content, as exchange_consult records it.
            self.t.audit.append(
                at=read_at,
                actor=reader.desk.authors[0],
                action=AuditAction.CONSULTATION,
                event=ExchangeAuditEvent.CONSULTED,
                object_type="exchanges.exchange",
                object_id=message.id,
                reason="content consulted",
                details={"reference": message.reference},
            )

    def audit_sent(self, message: Message, draft: Draft, parent: Message | None) -> None:
        handling = handling_codes(message.restrictions)
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
            event=ExchangeAuditEvent.SENT if parent is None else ExchangeAuditEvent.REPLIED,
            object_type="exchanges.exchange",
            object_id=message.id,
            reason=reason,
            details=details,
        )

    def notify(self, message: Message, draft: Draft, parent: Message | None) -> None:
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
            if self.draw.chance(0.9 if settled else 0.4):
                read_at = min(
                    self.draw.later(message.sent_at, dt.timedelta(minutes=1), dt.timedelta(days=3)),
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
