"""Writing and verifying the audit log.

Every service that changes or discloses something calls :func:`audit_record` inside its own
transaction, so the event and the change commit or roll back together. Rows are chained:
each carries HMAC-SHA256(AUDIT_CHAIN_KEY, previous hash + canonical content), and a
transaction-scoped advisory lock keeps the chain from forking under concurrent writers.

The chain proves that no row was changed or removed from its middle; that none was cut from
its end is proved by the anchor (``selec.audit_anchor``): after each commit the new head is
appended, signed, to a file outside the database, and :func:`audit_verify` requires the log
to reach the newest head the anchor names.

What an officer types to justify an action may name people: it is kept encrypted in a
:class:`~selec.models.Justification` row that the event names, with a keyed digest of the text
in the event so that it cannot be swapped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from selec import audit_anchor
from selec.models import AuditAction, AuditEvent, Justification
from selec.request_context import current_request_context

GENESIS_HASH = "0" * 64
# An arbitrary constant naming the lock that serialises appends to the chain.
_CHAIN_LOCK_ID = 0x5E1EC_A0D17


def audit_record(
    *,
    actor: Any,
    action: AuditAction,
    target: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    reason: str,
    details: dict[str, Any] | None = None,
    justification: str = "",
) -> AuditEvent:
    """Append one event. Must run inside the transaction of the change it records.

    ``reason`` is the system's fixed wording of what happened ("forwarded"); ``justification``
    is what the officer typed, if anything, and is stored encrypted (see the module's text).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction it records")
    if target is not None:
        object_type = target._meta.label_lower
        object_id = str(target.pk)
    details = dict(details or {})
    if justification.strip():
        details.update(_justification_stored(justification.strip()))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])
    last = AuditEvent.objects.order_by("-id").values_list("chain_hash", flat=True).first()
    agency = getattr(actor, "agency", None)
    context = current_request_context()
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "system",
        actor_agency=agency.name if agency else "",
        actor_party=agency.party.code if agency else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        reason=reason,
        details=details,
        request_id=context.request_id,
        client_request_id=context.client_request_id,
        ip_address=context.ip_address,
        previous_hash=last or GENESIS_HASH,
    )
    event.chain_hash = chain_hash_of(event)
    event.save(force_insert=True)
    # Only a committed head is anchored: a rolled-back event must not be missed later.
    transaction.on_commit(partial(audit_anchor.anchor_append, event.pk, event.chain_hash))
    return event


def _keyed_digest(purpose: bytes, text: str) -> str:
    return hmac.new(settings.AUDIT_CHAIN_KEY, purpose + b"|" + text.encode(), "sha256").hexdigest()


def _justification_stored(text: str) -> dict[str, str]:
    row = Justification.objects.create(text=text)
    return {
        "justification": str(row.uuid),
        "justification_digest": _keyed_digest(b"justification", text),
    }


def justification_of(event: AuditEvent) -> str | None:
    """The justification an event records, decrypted, or None when it records none. A text
    that no longer matches the event's digest is refused rather than shown."""
    uuid = event.details.get("justification")
    if not uuid:
        return None
    row = Justification.objects.filter(uuid=uuid).first()
    if row is None or not hmac.compare_digest(
        _keyed_digest(b"justification", row.text), event.details.get("justification_digest", "")
    ):
        raise ValueError(f"the justification of audit event #{event.pk} was altered or removed")
    return row.text


def chain_hash_of(event: AuditEvent) -> str:
    content = {
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "actor_agency": event.actor_agency,
        "actor_party": event.actor_party,
        "request_id": event.request_id,
        "ip_address": event.ip_address,
        # Only when present, so that events written before the field existed still verify.
        **({"client_request_id": event.client_request_id} if event.client_request_id else {}),
        "action": str(event.action),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "reason": event.reason,
        "details": event.details,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    message = event.previous_hash.encode() + b"|" + canonical.encode()
    return hmac.new(settings.AUDIT_CHAIN_KEY, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AuditVerification:
    """What :func:`audit_verify` found: the events walked, the head, and the first problem."""

    events: int
    head_id: int | None
    broken: AuditEvent | None = None
    # The newest head the anchor names, when the log no longer reaches it (a cut tail).
    missing_anchor: audit_anchor.AnchoredHead | None = None
    anchor_problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken is None and self.missing_anchor is None and not self.anchor_problem

    def describe(self) -> str:
        if self.broken is not None:
            event = self.broken
            return (
                f"Audit chain broken at event #{event.pk} "
                f"({event.occurred_at:%Y-%m-%d %H:%M:%S%z}, "
                f"{event.action} {event.object_type}:{event.object_id})."
            )
        if self.missing_anchor is not None:
            anchored = self.missing_anchor
            return (
                f"Audit log cut short: the anchor names event #{anchored.event_id} as a head "
                f"(written {anchored.written_at}), but the log "
                + (
                    "is empty."
                    if self.head_id is None
                    else f"does not hold it as anchored (its head is event #{self.head_id})."
                )
            )
        if self.anchor_problem:
            return f"Audit anchor not trustworthy: {self.anchor_problem}"
        return f"Audit chain intact: {self.events} events, head #{self.head_id}."


def audit_verify() -> AuditVerification:
    """Walk the chain and check it against the anchor."""
    count, head_id, broken = 0, None, None
    previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.previous_hash != previous or not hmac.compare_digest(
            event.chain_hash, chain_hash_of(event)
        ):
            broken = event
            break
        previous, head_id, count = event.chain_hash, event.pk, count + 1
    if broken is not None:
        return AuditVerification(events=count, head_id=head_id, broken=broken)
    try:
        newest = audit_anchor.newest_anchored_head()
    except audit_anchor.AnchorError as exc:
        return AuditVerification(events=count, head_id=head_id, anchor_problem=str(exc))
    if newest is not None:
        held = (
            AuditEvent.objects.filter(pk=newest.event_id)
            .values_list("chain_hash", flat=True)
            .first()
        )
        if held is None or not hmac.compare_digest(held, newest.chain_hash):
            return AuditVerification(events=count, head_id=head_id, missing_anchor=newest)
    elif head_id is not None:
        # An anchor that starts now: from here on, a cut is caught.
        audit_anchor.anchor_append(head_id, previous)
    return AuditVerification(events=count, head_id=head_id)


def first_broken_event(events: Iterator[AuditEvent] | None = None) -> AuditEvent | None:
    """Walk the chain from the start; return the first row whose link or content is wrong."""
    previous = GENESIS_HASH
    rows = (
        events
        if events is not None
        else AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    )
    for event in rows:
        if event.previous_hash != previous or not hmac.compare_digest(
            event.chain_hash, chain_hash_of(event)
        ):
            return event
        previous = event.chain_hash
    return None
