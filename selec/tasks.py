"""Background tasks of the project package: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from selec.audit import audit_seal


# acks_late: a worker that dies mid-run leaves the message to be delivered again, which is
# harmless only because the relay is idempotent (it sends unsent rows and marks them).
# expires: the periodic run is queued every minute; runs piled up while no worker was
# listening are dropped, the next one sends everything anyway.
@shared_task(acks_late=True, ignore_result=True, expires=300)
def relay_outbox() -> int:
    # Imported here: selec.notifications imports this module to queue the task.
    from selec.notifications import outbox_relay

    # Batch after batch until one sends nothing: each batch is its own short transaction, and
    # a batch that sends nothing (all failing) ends the run instead of retrying at once.
    total = 0
    while sent := outbox_relay():
        total += sent
    return total


# Periodic: seals the audit events whose process stopped between their commit and their
# sealing (each commit has its own events sealed at once, so this usually finds none). Safe to
# run twice, or beside another sealer: the sealers take turns, and a row is sealed once.
@shared_task(acks_late=True, ignore_result=True, expires=300)
def seal_audit_log() -> int:
    return audit_seal()
