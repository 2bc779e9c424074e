"""Background tasks of the records: thin wrappers around services.

The services are imported inside the tasks, so that importing a task never loads them.
"""

from __future__ import annotations

from celery import shared_task


# Daily (CELERY_BEAT_SCHEDULE "escalate-overdue-reviews"). Idempotent: a notice is written once
# per agency and day, so a run repeated the same day (a redelivery, a second beat) tells
# nobody twice.
@shared_task(acks_late=True, ignore_result=True)
def escalate_overdue_reviews() -> int:
    from records.services_review import reviews_escalate

    return reviews_escalate()
