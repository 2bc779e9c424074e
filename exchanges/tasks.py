"""Background tasks of exchanges: thin wrappers around services, taking ids.

The services are imported inside the tasks: ``exchanges.services`` queues
``match_exchange_entities`` and so imports this module.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def flag_deadlines() -> int:
    """Periodic: notify agencies of requests due soon or overdue (idempotent)."""
    from exchanges.services import deadlines_flag

    return deadlines_flag()


# acks_late: a worker that dies mid-run leaves the message to be delivered again, harmless
# because matching is idempotent (a pair already found is not stored or announced again).
@shared_task(acks_late=True, ignore_result=True)
def match_exchange_entities(exchange_id: int) -> int:
    """After an exchange with entities commits: hit/no-hit matching of its entities."""
    from exchanges.matching import exchange_match

    return exchange_match(exchange_id=exchange_id)


# expires: queued every minute; runs piled up while no worker listened are dropped, the next
# one matches everything still waiting anyway.
@shared_task(acks_late=True, ignore_result=True, expires=300)
def match_unmatched_entities() -> int:
    """Periodic: match the entities whose after-commit task was lost (broker down)."""
    from exchanges.matching import unmatched_entities_match

    return unmatched_entities_match()
