from celery import shared_task

from exchanges.services import deadlines_flag


@shared_task(acks_late=True)
def flag_deadlines() -> int:
    """Periodic: notify agencies of requests due soon or overdue (idempotent)."""
    return deadlines_flag()
