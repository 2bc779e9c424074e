"""Writing, sealing and verifying the audit log.

Every service that changes or discloses something calls :func:`audit_record` inside its own
transaction, so the event and the change commit or roll back together (a read whose event
cannot be written fails). The event is a plain INSERT: no lock, nothing read from the rest of
the log, so audited requests never wait for one another. It carries ``content_mac``, an HMAC of
its content under a key derived from the audit key (``AUDIT_CHAIN_KEY``; ``key_id`` names it, so
that a rotated key's events still verify: ``selec.core.audit_keys``), which only the
application holds.

The chain is sealed after the commit, by :func:`audit_seal`: under a lock of its own, held for
the few milliseconds it takes, it takes the committed events not yet sealed in the order of
their ids, checks each one's ``content_mac``, and gives it the next chain position and
HMAC-SHA256(the event's audit key, previous hash + canonical content). Each position is given
once (the lock, and a unique index besides), so concurrent writers never fork the chain; the
order of the chain is the order of sealing, which may differ from the ids'. The database
allows that one UPDATE per row and no other (migration 0010). The sealer
(``selec.core.tasks.seal_audit_log``) is queued after the commit of every transaction that wrote
events (unless a run queued before still waits to start, which seals them too) and runs on
a worker (at once, in-process, without a broker; a worker's run first waits
``BACKGROUND_GATHER_SECONDS`` so that it seals the commits of that moment together), and
also before each verification and periodically, so an event whose queueing was lost is
sealed by the next.

What the chain proves is unchanged: no sealed row was altered or removed from the middle (the
walk in chain order checks each link and hash); no row was cut from the end, because after
each sealing the new head is appended, signed, to the anchor file outside the database
(``selec.core.audit_anchor``) and :func:`audit_verify` requires the log to reach the newest anchored
head; and nobody without the key adds an event, because a row whose ``content_mac`` does not
match its content (inserted or edited behind the triggers, or replayed: the digest is unique)
is never sealed. A row still unsealed once the grace period has passed is reported as a
failure. Between a commit and its seal (the time a worker takes to pick the task up and the
run's gathering wait: a few milliseconds and a quarter of a second by default) a row deleted
behind the triggers leaves no trace: the same window as between a commit and its anchor.

Why not keep the chain in the writers' transactions: a link needs the previous row's hash, so
every writer had to hold one lock from its event to its commit, and every audited request,
reads included, queued behind every other for the whole of its transaction.

What an officer types to justify an action may name people: it is kept encrypted in a
:class:`~selec.core.models.Justification` row that the event names, with a keyed digest of the text
in the event so that it cannot be swapped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.db.models.sql import InsertQuery
from django.utils import timezone

from selec.core import audit_anchor
from selec.core.audit_keys import audit_key, current_key_id, derived_key
from selec.core.models import AuditAction, AuditEvent, Justification
from selec.core.request_context import current_request_context
from selec.core.tasks import seal_audit_log

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# An arbitrary constant naming the lock that serialises the sealers (never the writers).
_CHAIN_LOCK_ID = 0x5E1EC_A0D17
# Events sealed per transaction of the sealer: a backlog is sealed in short steps.
SEAL_BATCH = 500
# How long a committed event may wait for its seal before the verifier calls it a failure:
# sealing follows the commit within milliseconds; what a dead process left, the next commit,
# the periodic task or the verifier seals.
UNSEALED_GRACE = dt.timedelta(minutes=5)


class SealConflictError(Exception):
    """Another sealer sealed rows this one was sealing: its chain is dropped, never forked."""


def audit_record(
    *,
    actor: Any,
    action: AuditAction,
    event: str,
    target: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    reason: str,
    details: dict[str, Any] | None = None,
    justification: str = "",
) -> AuditEvent:
    """Write one event, unsealed. Must run inside the transaction of the change it records;
    the event is sealed after that transaction commits.

    ``event`` names the use case (``exchange.forwarded``: one of the names the apps declare,
    ``selec.core.audit_events``), beside ``action``, its category in the Directive's terms.
    ``reason`` is the system's fixed wording of what happened ("forwarded"); ``justification``
    is what the officer typed, if anything, and is stored encrypted (see the module's text).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction it records")
    if target is not None:
        object_type = target._meta.label_lower
        object_id = str(target.pk)
    details = dict(details or {})
    stored = Justification(text=justification.strip()) if justification.strip() else None
    if stored is not None:
        details.update(_justification_named(stored))
    agency = getattr(actor, "agency", None)
    context = current_request_context()
    row = AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "system",
        actor_agency=agency.name if agency else "",
        actor_party=agency.party.code if agency else "",
        action=action,
        event=event,
        object_type=object_type,
        object_id=object_id,
        reason=reason,
        details=details,
        request_id=context.request_id,
        client_request_id=context.client_request_id,
        ip_address=context.ip_address,
    )
    row.content_mac = content_mac_of(row)
    if stored is None:
        row.save(force_insert=True)
    else:
        _insert_together(stored, row)
    # After the commit, a worker seals it (with any other committed event waiting): the
    # request neither waits for the sealers' lock nor pays the sealing's round trips. Queued
    # once per transaction, and not while a run queued before waits to start (it will seal
    # this one too), robustly: the action has committed whatever happens to the queueing, and
    # an event left unsealed is sealed by the next sealer or the periodic run. A rolled-back
    # event queues nothing. Without a broker (the embedded default) the task runs at once,
    # in-process.
    seal_audit_log.delay_once_on_commit()
    return row


def _keyed_digest(key_id: str, purpose: bytes, text: str) -> str:
    return hmac.new(audit_key(key_id), purpose + b"|" + text.encode(), "sha256").hexdigest()


def _justification_named(row: Justification) -> dict[str, str]:
    """What the event says of its justification: the row's uuid and a keyed digest of the
    text (so that the text cannot be swapped)."""
    return {
        "justification": str(row.uuid),
        "justification_digest": _keyed_digest(current_key_id(), b"justification", row.text),
    }


def _insert_together(justification: Justification, event: AuditEvent) -> None:
    """Both rows in one statement (a data-modifying WITH): one round trip instead of two on
    the audited reads that must stay within a few queries (a hit search). Each INSERT is the
    one Django compiles for the model, so the encrypted field seals the text as a save
    would. Only the event is read back; the justification is reached through its uuid."""
    stored_sql, stored_params = _insert_statement(justification, returning=False)
    event_sql, event_params = _insert_statement(event, returning=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH justification AS ({stored_sql}) {event_sql}", stored_params + event_params
        )
        (event.pk,) = cursor.fetchone()
    event._state.adding, event._state.db = False, connection.alias


def _insert_statement(row: Model, *, returning: bool) -> tuple[str, list[Any]]:
    meta = row._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    query = InsertQuery(type(row))
    query.insert_values(fields, [row])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk] if returning else None
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)


def justification_of(event: AuditEvent) -> str | None:
    """The justification an event records, decrypted, or None when it records none. A text
    that no longer matches the event's digest is refused rather than shown."""
    found = justifications_of([event])
    if event.pk in found and found[event.pk] is None:
        raise ValueError(f"the justification of audit event #{event.pk} was altered or removed")
    return found.get(event.pk)


def justifications_of(events: Iterable[AuditEvent]) -> dict[int, str | None]:
    """The justifications of many events in one query (a page of the log), by event id: the
    text, or None when the stored text no longer matches the event's digest or is gone.
    Events that record none are left out."""
    wanted = {event.pk: event for event in events if event.details.get("justification")}
    if not wanted:
        return {}
    uuids = {str(event.details["justification"]) for event in wanted.values()}
    texts = {str(row.uuid): row.text for row in Justification.objects.filter(uuid__in=uuids)}
    found: dict[int, str | None] = {}
    for pk, event in wanted.items():
        text = texts.get(str(event.details["justification"]))
        intact = text is not None and hmac.compare_digest(
            _keyed_digest(event.key_id, b"justification", text),
            event.details.get("justification_digest", ""),
        )
        found[pk] = text if intact else None
    return found


def _canonical_content(event: AuditEvent) -> bytes:
    """What the hashes cover: every column the event was written with, in one canonical form."""
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
        # Only when present, like client_request_id: older events verify as they were sealed.
        **({"event": event.event} if event.event else {}),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "reason": event.reason,
        "details": event.details,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash_of(event: AuditEvent) -> str:
    """HMAC-SHA256(the event's audit key, previous hash + canonical content): the event's
    link. The key is the one the event was written under (``key_id``), so a rotation of the
    key leaves every earlier link as it was."""
    message = (event.previous_hash or "").encode() + b"|" + _canonical_content(event)
    return hmac.new(audit_key(event.key_id), message, hashlib.sha256).hexdigest()


def content_mac_of(event: AuditEvent) -> str:
    """The digest an event is written with, under a key of its own (derived like the anchor's),
    so that it can never stand for a chain hash."""
    key = derived_key(event.key_id, b"selec audit event")
    return hmac.new(key, _canonical_content(event), hashlib.sha256).hexdigest()


def _written_by_the_application(event: AuditEvent) -> bool:
    return event.content_mac is not None and hmac.compare_digest(
        event.content_mac, content_mac_of(event)
    )


# --- Sealing --------------------------------------------------------------------------------


def audit_seal() -> int:
    """Seal every committed event not sealed yet, in the order of their ids, and anchor the new
    head; returns how many were sealed. Run it outside any transaction of an action (after the
    commit, from a task or a command): the lock it takes lasts as long as its transaction.

    An event whose ``content_mac`` does not match its content is left unsealed and logged: the
    verifier reports it once the grace period has passed."""
    sealed, after_id = 0, 0
    while True:
        examined, sealed_now = _seal_batch(after_id)
        sealed += sealed_now
        if len(examined) < SEAL_BATCH:
            return sealed
        after_id = examined[-1]


def _seal_batch(after_id: int) -> tuple[list[int], int]:
    """One transaction of the sealer: the next batch of unsealed events after ``after_id``.
    Returns the ids examined and the number sealed."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])
        # Read after the lock: the previous sealer's seals are committed and visible.
        pending = _unsealed_after(after_id)
        if not pending:
            return [], 0
        sealed, (head_position, head_hash) = _chained(_written_by_us(pending), after=chain_head())
        _store_seals(sealed)
        if sealed:
            transaction.on_commit(
                partial(audit_anchor.anchor_append, sealed[-1].pk, head_hash, head_position)
            )
    return [event.pk for event in pending], len(sealed)


def _unsealed_after(after_id: int) -> list[AuditEvent]:
    """The next committed events not sealed yet (and this transaction's own, if any)."""
    unsealed = AuditEvent.objects.filter(chain_position__isnull=True, pk__gt=after_id)
    return list(unsealed.order_by("id")[:SEAL_BATCH])


# The refused events this process has logged: such a row stays unsealed, so every later
# sealing meets it again, and the log says it once (the verifier reports it besides).
_reported_refusals: set[int] = set()


def _written_by_us(events: list[AuditEvent]) -> list[AuditEvent]:
    """The events whose digest matches their content; the others are logged and left out."""
    genuine = []
    for event in events:
        if _written_by_the_application(event):
            genuine.append(event)
        elif event.pk not in _reported_refusals:
            _reported_refusals.add(event.pk)
            logger.error(
                "Audit event #%s is not sealed: its content does not match the digest it was "
                "written with (written or edited without the key).",
                event.pk,
            )
    return genuine


def chain_head() -> tuple[int, str]:
    """The last sealed position and its hash; (0, GENESIS_HASH) for an empty chain. What comes
    next is only known under the sealers' lock (or with no other writer, as in a bulk load)."""
    head = (
        AuditEvent.objects.filter(chain_position__isnull=False)
        .order_by("-chain_position")
        .values_list("chain_position", "chain_hash")
        .first()
    )
    if head is None:
        return 0, GENESIS_HASH
    position, chain_hash = head
    # A sealed row has both (the model's check constraint).
    assert position is not None
    assert chain_hash is not None
    return position, chain_hash


def _chained(
    events: Iterable[AuditEvent], *, after: tuple[int, str]
) -> tuple[list[AuditEvent], tuple[int, str]]:
    """The events, in this order, given the positions and links that follow ``after``; and
    the chain's new head (``after`` when there are no events)."""
    position, previous = after
    chained = []
    for event in events:
        position += 1
        event.chain_position, event.previous_hash = position, previous
        event.chain_hash = previous = chain_hash_of(event)
        chained.append(event)
    return chained, (position, previous)


def _store_seals(events: list[AuditEvent]) -> None:
    """One UPDATE for the batch, only where a row is still unsealed: a row sealed meanwhile
    (which the lock rules out) rolls the whole batch back instead of forking the chain."""
    if not events:
        return
    seals = [(e.pk, e.chain_position, e.previous_hash, e.chain_hash) for e in events]
    with connection.cursor() as cursor:
        # The table is the model's; every value is a parameter.
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} AS event "  # noqa: S608
            "SET chain_position = seal.position, previous_hash = seal.previous, "
            "chain_hash = seal.hash "
            f"FROM (VALUES {', '.join(['(%s, %s, %s, %s)'] * len(seals))}) "
            "AS seal(id, position, previous, hash) "
            "WHERE event.id = seal.id AND event.chain_position IS NULL",
            [value for seal in seals for value in seal],
        )
        stored = cursor.rowcount
    if stored != len(events):
        raise SealConflictError(f"{len(events) - stored} of {len(events)} events sealed meanwhile")
