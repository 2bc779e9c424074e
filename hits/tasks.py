"""Background tasks of hit/no-hit matching: thin wrappers around ``hits.matching``.

The matching functions are imported inside the tasks: ``hits.indexing`` queues
``match_new_entities`` and is imported by ``hits.matching``'s neighbours at start-up.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task


# Queued after the commit of every send with entities (``queued_once``: not while a run queued
# before waits to start, since that run matches this commit's entities too). acks_late: a worker that dies
# mid-run leaves the message to be delivered again, harmless because matching is idempotent
# (a pair already found is not stored or announced again). expires: runs piled up while no
# worker listened are dropped; the next one, or the periodic sweep, matches everything.
@shared_task(acks_late=True, ignore_result=True, expires=300, queued_once=True)
def match_new_entities() -> int:
    """After commits with entities: hit/no-hit matching of every entity not matched yet."""
    from hits.matching import unmatched_entities_match

    return unmatched_entities_match(settled=dt.timedelta(0))


# What a message queued by an earlier release (one run per exchange) still runs.
@shared_task(acks_late=True, ignore_result=True)
def match_exchange_entities(exchange_id: int) -> int:
    """Hit/no-hit matching of one exchange's entities."""
    from hits.matching import exchange_match

    return exchange_match(exchange_id=exchange_id)


# expires: queued every minute; runs piled up while no worker listened are dropped, the next
# one matches everything still waiting anyway.
@shared_task(acks_late=True, ignore_result=True, expires=300)
def match_unmatched_entities() -> int:
    """Periodic: match the entities whose after-commit task was lost (broker down)."""
    from hits.matching import unmatched_entities_match

    return unmatched_entities_match()


# One run at a time, whichever worker: a run takes the lock for as long as it lasts.
_REINDEX_LOCK = (0x48495453, 1)  # "HITS"


# expires: queued every ten minutes; runs piled up while no worker listened are dropped.
@shared_task(acks_late=True, ignore_result=True, expires=600)
def reindex_stale_entities() -> int:
    """Periodic: after a release that changes the normalisation or its variants (a new scheme,
    ``hits.blind_index.current_scheme``), or a new blind index key, the tokens made before are
    stale and matching ignores them: recompute them, batch by batch (``hits.reindex``), so that
    old and new entities match again without an operator. Returns the entities reindexed."""
    from hits.reindex import entities_reindex, entities_to_reindex
    from selec.core.advisory_locks import session_lock

    if not entities_to_reindex().exists():
        return 0
    with session_lock(*_REINDEX_LOCK) as taken:
        return entities_reindex().entities if taken else 0
