"""Background tasks of the statistics: thin wrappers around ``analytics.services``.

The services are imported inside the tasks: ``analytics.services`` queues
``compute_statistics`` and so imports this module.
"""

from __future__ import annotations

from celery import shared_task


# acks_late: a worker that dies mid-run leaves the message to be delivered again, harmless
# because a computation replaces the year's rows with the same result.
@shared_task(acks_late=True, ignore_result=True)
def compute_statistics(year: int) -> int:
    """Recompute one year's statistics; returns the number of rows."""
    from analytics.services import statistics_compute

    return statistics_compute(year=year).rows


@shared_task(acks_late=True, ignore_result=True)
def compute_statistics_nightly() -> list[int]:
    """Periodic: queue the recomputation of every year that has exchanges, and of this year."""
    from analytics.services import statistics_queue_every_year

    return [run.year for run in statistics_queue_every_year()]


# Every minute (CELERY_BEAT_SCHEDULE): queues again the runs whose computation was lost (a
# message published while the broker was down, a worker killed mid-computation), so that the
# statistics equal a clean recomputation within about two minutes of the loss. expires: runs
# piled up while no worker listened are dropped, the next one does the same work.
@shared_task(acks_late=True, ignore_result=True, expires=120)
def sweep_statistics() -> list[int]:
    from analytics.services import statistics_sweep

    return statistics_sweep()
