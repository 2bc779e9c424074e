"""Writing and verifying the audit log.

Every service that changes or discloses something calls :func:`audit_record` inside its own
transaction, so the event and the change commit or roll back together. Rows are chained:
each carries HMAC-SHA256(AUDIT_CHAIN_KEY, previous hash + canonical content), and a
transaction-scoped advisory lock keeps the chain from forking under concurrent writers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from selec.models import AuditAction, AuditEvent
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
) -> AuditEvent:
    """Append one event. Must run inside the transaction of the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction it records")
    if target is not None:
        object_type = target._meta.label_lower
        object_id = str(target.pk)
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
        details=details or {},
        request_id=context.request_id,
        ip_address=context.ip_address,
        previous_hash=last or GENESIS_HASH,
    )
    event.chain_hash = chain_hash_of(event)
    event.save(force_insert=True)
    return event


def chain_hash_of(event: AuditEvent) -> str:
    content = {
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "actor_agency": event.actor_agency,
        "actor_party": event.actor_party,
        "request_id": event.request_id,
        "ip_address": event.ip_address,
        "action": str(event.action),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "reason": event.reason,
        "details": event.details,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    message = event.previous_hash.encode() + b"|" + canonical.encode()
    return hmac.new(settings.AUDIT_CHAIN_KEY, message, hashlib.sha256).hexdigest()


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
