"""Verifying the audit log: sealing what is committed, walking the chain in its order, and
checking that the log still reaches the newest head anchored outside the database (the writing
and sealing are in ``selec.core.audit``). Each verification is kept as a run: asked for (a row
written with the request), claimed once by a worker, walked under a lock that dies with its
worker, and swept every minute so that none is lost or left running."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from selec.core import audit_anchor
from selec.core.advisory_locks import unlocked_of
from selec.core.audit import GENESIS_HASH, SEAL_BATCH, UNSEALED_GRACE, audit_seal, chain_hash_of
from selec.core.models import AuditEvent, AuditVerificationRun
from selec.core.tasks import verify_audit_log

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


def audit_verification_request(*, requested_by: str) -> AuditVerificationRun:
    """Keep a verification asked for, and queue its walk after the commit of the caller's
    transaction. The row is the request: when the broker does not take the message, the sweep
    queues the run again."""
    run = AuditVerificationRun.objects.create(requested_at=timezone.now(), started_by=requested_by)
    verify_audit_log.delay_on_commit(run.pk)
    return run


def audit_verify_recorded(*, started_by: str) -> AuditVerificationRun:
    """The nightly verification: kept as a run asked for now, and walked at once."""
    run = AuditVerificationRun.objects.create(requested_at=timezone.now(), started_by=started_by)
    walked = audit_verify_requested(run_id=run.pk)
    # None only if another worker claimed it first, which only the sweep's queueing it again
    # could cause, a minute on: that walk's run is the same row.
    return walked if walked is not None else AuditVerificationRun.objects.get(pk=run.pk)


def audit_verify_requested(*, run_id: int) -> AuditVerificationRun | None:
    """Claim the run and walk the log; None when it was claimed already (a second delivery of
    its message, or one the sweep queued again after a worker took the first), which then
    does nothing.

    The walk holds its run's lock from before the claim is committed until its result is, so
    a run seen started while nobody holds its lock is one whose walk died (the sweep)."""
    if not _walk_lock_taken(run_id):
        return None  # another worker is claiming or walking this very run
    try:
        claimed = AuditVerificationRun.objects.filter(
            pk=run_id, started_at__isnull=True, finished_at__isnull=True
        ).update(started_at=timezone.now())
        if not claimed:
            return None
        return _walked(AuditVerificationRun.objects.get(pk=run_id))
    finally:
        _walk_lock_released(run_id)


def _walked(run: AuditVerificationRun) -> AuditVerificationRun:
    """Walk the log and complete the run. A broken chain, an event left unsealed, a cut tail or
    a key the log needs and no longer has is a run that is not intact, and every registered
    listener hears of it."""

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


# --- The walk's lock, and the sweep -----------------------------------------------------------

# The first key of the session-level advisory lock a walk holds (pg_advisory_lock(int, int));
# the second is its run's id. Session-level, because the walk spans many transactions; and
# PostgreSQL releases it when the walker's connection ends (its process killed).
_WALK_LOCK_NAMESPACE = 0x5E1ECA7
# A run asked for and not claimed after this long lost its message (published while the
# broker was down or hung, or taken by a worker killed before claiming it): queued again, at
# every sweep until a worker claims it.
REQUESTED_AT_MOST = dt.timedelta(minutes=1)
# A run started whose lock is free is judged only after this long. Not needed for
# correctness (the lock is held before the claim shows); a margin, the sweep's own period.
STARTED_GRACE = dt.timedelta(minutes=1)
# The message the sweep queues again expires (in seconds): while the workers are busy, the
# copies queued minute after minute are dropped unread, and the next sweep queues a fresh one.
REQUEUED_EXPIRES = 120
INTERRUPTED = (
    "The verification stopped before the end of the log (its worker stopped): it found "
    "nothing either way. A new verification may be asked."
)


def _walk_lock_taken(run_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_WALK_LOCK_NAMESPACE, run_id])
        row = cursor.fetchone()
        return bool(row and row[0])


def _walk_lock_released(run_id: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_WALK_LOCK_NAMESPACE, run_id])
    except DatabaseError:
        # The connection is gone, and PostgreSQL released the lock with it; the error that
        # ended the walk is the one to raise.
        logger.warning("Audit verification %s: its lock went with its connection.", run_id)


def audit_verification_sweep() -> tuple[list[int], list[int]]:
    """Queue again the runs asked for whose message was lost, and end as interrupted the runs
    whose walk died; return the ids of both. Run every minute
    (``selec.core.tasks.sweep_audit_verifications``), so that no run waits or shows running
    for ever, and the DPO may ask again."""
    now = timezone.now()
    lost = list(
        AuditVerificationRun.objects.filter(
            started_at__isnull=True,
            finished_at__isnull=True,
            requested_at__lt=now - REQUESTED_AT_MOST,
        )
        .order_by("id")
        .values_list("pk", flat=True)
    )
    for run_id in lost:
        verify_audit_log.apply_async_on_commit((run_id,), expires=REQUEUED_EXPIRES)
    if lost:
        logger.warning("Audit verifications %s were not taken by a worker: queued again.", lost)
    return lost, _interrupted_ended(since=now - STARTED_GRACE)


def _interrupted_ended(*, since: dt.datetime) -> list[int]:
    with transaction.atomic():
        started = list(
            AuditVerificationRun.objects.filter(finished_at__isnull=True, started_at__lt=since)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        if not started:
            return []
        # A walk releases its lock only after committing its result, so a lock got here is
        # that of a walk dead or finished: the finished ones are left out by finished_at below.
        unlocked = unlocked_of(_WALK_LOCK_NAMESPACE, started)
        interrupted = list(
            AuditVerificationRun.objects.filter(pk__in=unlocked, finished_at__isnull=True)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        AuditVerificationRun.objects.filter(pk__in=interrupted).update(
            finished_at=timezone.now(), description=INTERRUPTED
        )
    if interrupted:
        logger.warning(
            "Audit verifications %s stopped mid-walk: ended as interrupted.", interrupted
        )
    return interrupted
