"""Background tasks of the project package: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task


# acks_late: a worker that dies mid-run leaves the message to be delivered again, which is
# harmless only because the relay is idempotent (it sends unsent rows and marks them).
# expires: the periodic run is queued every minute; runs piled up while no worker was
# listening are dropped, the next one sends everything anyway.
@shared_task(acks_late=True, ignore_result=True, expires=300)
def relay_outbox() -> int:
    # Imported here: selec.core.notifications imports this module to queue the task.
    from selec.core.notifications import outbox_relay

    # Batch after batch until one sends nothing: each batch is its own short transaction, and
    # a batch that sends nothing (all failing) ends the run instead of retrying at once.
    total = 0
    while sent := outbox_relay():
        total += sent
    return total


# Queued after the commit of every transaction that wrote audit events, and run periodically
# for the events whose queueing was lost (broker down, process killed). Safe to run twice, or
# beside another sealer: the sealers take turns, and a row is sealed once; a run that finds
# nothing left (another sealed its events first) costs one short transaction.
@shared_task(acks_late=True, ignore_result=True, expires=300)
def seal_audit_log() -> int:
    # Imported here: selec.core.audit imports this module to queue the task.
    from selec.core.audit import audit_seal

    return audit_seal()


# Nightly (CELERY_BEAT_SCHEDULE), and whenever asked: walks the whole log, so no expiry; a run
# that overlaps another only walks it twice.
@shared_task(ignore_result=True)
def verify_audit_log(started_by: str = "schedule") -> bool:
    from selec.core.audit_verification import audit_verify_recorded

    return bool(audit_verify_recorded(started_by=started_by).intact)
