"""Background tasks of exchanges: thin wrappers around services, taking ids.

The services are imported inside the tasks, so that importing a task never loads the services.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def flag_deadlines() -> int:
    """Periodic: notify agencies of requests due soon or overdue, and the senders of overdue
    requests (idempotent)."""
    from exchanges.services.deadlines import deadlines_flag

    return deadlines_flag()
