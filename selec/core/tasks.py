"""Background tasks of the project package: thin wrappers around services."""

from __future__ import annotations

import socket

from celery import Task, shared_task
from django.utils import timezone

from selec.core.models import ServiceHeartbeat


# acks_late: a worker that dies mid-run leaves the message to be delivered again, which is
# harmless because the relay sends each message once (it claims a row, sends, and marks it;
# a claim left by a killed relay expires, so at most that one message is sent again).
# expires: the periodic run is queued every minute; runs piled up while no worker was
# listening are dropped, the next one sends everything anyway. A commit while a run is queued
# and not started queues no other (``queued_once``).
@shared_task(acks_late=True, ignore_result=True, expires=300, queued_once=True)
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
# nothing left (another sealed its events first) costs one short transaction. A commit while
# a run is queued and not started queues no other (``queued_once``).
@shared_task(acks_late=True, ignore_result=True, expires=300, queued_once=True)
def seal_audit_log() -> int:
    # Imported here: selec.core.audit imports this module to queue the task.
    from selec.core.audit import audit_seal

    return audit_seal()


# Nightly (CELERY_BEAT_SCHEDULE, with no run: it keeps its own), and for each verification
# asked for (its run's id; the run was written with the request). A run is claimed once, so a
# second delivery, or a copy the sweep queued again, does nothing. Walks the whole log, so no
# expiry, and acknowledged at once: a worker killed mid-walk leaves a run the sweep ends as
# interrupted, and redelivering the message would find it claimed anyway. ``started_by`` is
# read only from a message queued before runs were kept as requests.
@shared_task(ignore_result=True)
def verify_audit_log(run_id: int | None = None, started_by: str = "schedule") -> bool | None:
    from selec.core.audit_verification import audit_verify_recorded, audit_verify_requested

    if run_id is None:
        return bool(audit_verify_recorded(started_by=started_by).intact)
    run = audit_verify_requested(run_id=run_id)
    return None if run is None else bool(run.intact)


# Every minute (CELERY_BEAT_SCHEDULE): verifications asked for whose message was lost are
# queued again, and runs whose walk died are ended as interrupted, so that none waits or shows
# running for ever. Idempotent; expires: runs piled up while no worker listened are dropped,
# the next one does the same work.
@shared_task(acks_late=True, ignore_result=True, expires=120)
def sweep_audit_verifications() -> dict[str, list[int]]:
    from selec.core.audit_verification import audit_verification_sweep

    queued, interrupted = audit_verification_sweep()
    return {"queued": queued, "interrupted": interrupted}


# Every 30 s (CELERY_BEAT_SCHEDULE), by whichever worker takes it: each run tells that the
# worker running it takes work from the broker and reaches the database. Readiness and the
# containers' health checks read the row, never the broker. No retry and a short expiry: a
# heartbeat late is no heartbeat.
@shared_task(bind=True, ignore_result=True, expires=30)
def heartbeat(self: Task) -> str:
    # The worker's node name ("celery@host") under the prefork pool; Celery gives the solo
    # and thread pools the machine's name, and an in-process run none.
    name = f"worker:{self.request.hostname or socket.gethostname()}"
    ServiceHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
    return name


# Hourly: the stored answers to requests that carried an idempotency key are kept only as
# long as a client may retry (selec.core.idempotency). Deleting is idempotent.
@shared_task(acks_late=True, ignore_result=True, expires=3600)
def purge_idempotent_requests() -> int:
    from selec.core.idempotency import idempotent_requests_purge

    return idempotent_requests_purge()
