"""Background tasks of data subject requests: thin wrappers around the services, which are
imported inside the tasks so that importing a task never loads them."""

from __future__ import annotations

from celery import shared_task


# acks_late: a worker that dies mid-run leaves the message to be delivered again, harmless
# because the notices are once per item and day (their dedupe keys).
@shared_task(acks_late=True, ignore_result=True)
def notify_overdue_subject_requests() -> int:
    """Daily: tell providers and the DPOs of the items past their due date."""
    from subjects.services_answers import overdue_notify

    return overdue_notify()
