"""Verifying the audit log: sealing what is committed, walking the chain in its order, and
checking that the log still reaches the newest head anchored outside the database (the writing
and sealing are in ``selec.core.audit``)."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from selec.core import audit_anchor
from selec.core.audit import GENESIS_HASH, SEAL_BATCH, UNSEALED_GRACE, audit_seal, chain_hash_of
from selec.core.models import AuditEvent, AuditVerificationRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditVerification:
    """What :func:`audit_verify` found: the events walked, the head, and the first problem."""

    events: int
    head_id: int | None
    broken: AuditEvent | None = None
    # The oldest event left unsealed past the grace period.
    unsealed: AuditEvent | None = None
    # The newest head the anchor names, when the log no longer reaches it (a cut tail).
    missing_anchor: audit_anchor.AnchoredHead | None = None
    anchor_problem: str = ""

    @property
    def intact(self) -> bool:
        return (
            self.broken is None
            and self.unsealed is None
            and self.missing_anchor is None
            and not self.anchor_problem
        )

    def describe(self) -> str:
        if self.broken is not None:
            return f"Audit chain broken at event #{self.broken.pk} ({_named(self.broken)})."
        if self.unsealed is not None:
            return (
                f"Audit event #{self.unsealed.pk} ({_named(self.unsealed)}) is not sealed: its "
                "content does not match the digest it was written with (written or edited "
                "without the key)."
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


def _named(event: AuditEvent) -> str:
    return (
        f"{event.occurred_at:%Y-%m-%d %H:%M:%S%z}, "
        f"{event.action} {event.object_type}:{event.object_id}"
    )


@dataclass(frozen=True)
class _Walk:
    events: int
    head: AuditEvent | None
    broken: AuditEvent | None


# How often a long walk says how far it has got (``progress``).
PROGRESS_EVERY = 10_000
Progress = Callable[[int], None]


def _walk(events: Iterable[AuditEvent], progress: Progress | None = None) -> _Walk:
    """Follow the chain from its first position: each event must hold the next position, the
    previous event's hash, and the hash of its own content."""
    count, head = 0, None
    previous = GENESIS_HASH
    for event in events:
        if progress is not None and count and count % PROGRESS_EVERY == 0:
            progress(count)
        if (
            event.chain_position != count + 1
            or event.previous_hash != previous
            or not hmac.compare_digest(event.chain_hash or "", chain_hash_of(event))
        ):
            return _Walk(events=count, head=head, broken=event)
        previous, head, count = event.chain_hash or "", event, count + 1
    return _Walk(events=count, head=head, broken=None)


def _sealed_in_chain_order() -> Iterable[AuditEvent]:
    return (
        AuditEvent.objects.filter(chain_position__isnull=False)
        .order_by("chain_position")
        .iterator(chunk_size=2000)
    )


def audit_verify(
    *, unsealed_grace: dt.timedelta = UNSEALED_GRACE, progress: Progress | None = None
) -> AuditVerification:
    """Seal what is committed, walk the chain, and check it against the anchor; ``progress``
    hears the number of events walked, every ``PROGRESS_EVERY``."""
    overdue = _unsealed_ids(written_before=timezone.now() - unsealed_grace)
    audit_seal()
    walk = _walk(_sealed_in_chain_order(), progress)
    head_id = walk.head.pk if walk.head else None
    if walk.broken is not None:
        return AuditVerification(events=walk.events, head_id=head_id, broken=walk.broken)
    # Unsealed before the sealer ran and still unsealed after: the sealer refused them.
    unsealed = AuditEvent.objects.filter(pk__in=overdue, chain_position__isnull=True).first()
    if unsealed is not None:
        return AuditVerification(events=walk.events, head_id=head_id, unsealed=unsealed)
    return _checked_against_the_anchor(walk)


def _unsealed_ids(*, written_before: dt.datetime) -> list[int]:
    # The oldest suffice to report a sealer that cannot keep up or a row it refuses.
    return list(
        AuditEvent.objects.filter(chain_position__isnull=True, occurred_at__lt=written_before)
        .order_by("id")
        .values_list("pk", flat=True)[:SEAL_BATCH]
    )


def _checked_against_the_anchor(walk: _Walk) -> AuditVerification:
    head_id = walk.head.pk if walk.head else None
    try:
        newest = audit_anchor.newest_anchored_head()
    except audit_anchor.AnchorError as exc:
        return AuditVerification(events=walk.events, head_id=head_id, anchor_problem=str(exc))
    if newest is not None:
        held = (
            AuditEvent.objects.filter(pk=newest.event_id)
            .values_list("chain_hash", "chain_position")
            .first()
        )
        if held is None or not _holds(held, newest):
            return AuditVerification(events=walk.events, head_id=head_id, missing_anchor=newest)
    elif walk.head is not None:
        # An anchor that starts now: from here on, a cut is caught.
        head = walk.head
        audit_anchor.anchor_append(head.pk, head.chain_hash or "", head.chain_position or 0)
    return AuditVerification(events=walk.events, head_id=head_id)


def _holds(held: tuple[str | None, int | None], anchored: audit_anchor.AnchoredHead) -> bool:
    chain_hash, position = held
    return hmac.compare_digest(chain_hash or "", anchored.chain_hash) and (
        anchored.position is None or position == anchored.position
    )


def first_broken_event(events: Iterable[AuditEvent] | None = None) -> AuditEvent | None:
    """Walk the sealed chain from its start (or ``events``, in chain order); return the first
    row whose position, link or content is wrong."""
    return _walk(events if events is not None else _sealed_in_chain_order()).broken


# --- Recorded runs ----------------------------------------------------------------------------

# What a broken chain sets off in the apps above the core (the DPOs' notice, from partners):
# the core knows no officer; each app registers from its ``AppConfig.ready``.
BrokenChainListener = Callable[[AuditVerificationRun], None]
_BROKEN_CHAIN_LISTENERS: dict[str, BrokenChainListener] = {}


def register_broken_chain_listener(name: str, listener: BrokenChainListener) -> None:
    """Have ``listener(run)`` called, in a transaction, after a run that found the log broken."""
    _BROKEN_CHAIN_LISTENERS[name] = listener


def audit_verify_recorded(*, started_by: str) -> AuditVerificationRun:
    """Verify the log and keep the result: the run is stored first (so a page shows it running)
    and completed when the walk ends. A broken chain, an event left unsealed, a cut tail or a
    key the log needs and no longer has is a run that is not intact, and every registered
    listener hears of it."""
    run = AuditVerificationRun.objects.create(started_at=timezone.now(), started_by=started_by)

    def walked(events: int) -> None:
        # Seen by the page while the walk goes on (autocommit: not inside the walk's reads).
        AuditVerificationRun.objects.filter(pk=run.pk).update(events=events)

    try:
        result = audit_verify(progress=walked)
        run.intact, run.events, run.head_id = result.intact, result.events, result.head_id
        run.description = result.describe()
    except ImproperlyConfigured as exc:
        run.intact, run.description = False, str(exc)
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save(update_fields=["intact", "events", "head_id", "description", "finished_at"])
        if not run.intact:
            logger.error("Audit log verification failed: %s", run.description)
            for listener in _BROKEN_CHAIN_LISTENERS.values():
                listener(run)
    return run
