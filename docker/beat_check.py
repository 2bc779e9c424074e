"""Celery beat's health check: exit 0 when beat has sent a periodic task recently.

Beat has no port to ask and no broker mailbox (``celery inspect`` reaches workers only). What it
leaves behind is in the database: the scheduler (django-celery-beat's DatabaseScheduler,
CELERY_BEAT_SCHEDULER) records each entry's ``last_run_at`` when it sends it, and writes those
records at least every three minutes (Celery's ``sync_every``). The most frequent entries run
every minute or more often, so with beat alive the newest ``last_run_at`` is at most about four
minutes old; past ``STALE_AFTER`` beat has stopped sending (hung, or lost its database).

It checks beat alone: whether a worker then ran the tasks is the worker's check and /readyz's
(the workers' heartbeats), so a stopped worker does not make beat look broken.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

# Sync every 3 minutes + the most frequent entry's period (1 minute) + a minute of slack.
STALE_AFTER = dt.timedelta(minutes=5)


def verdict(newest: dt.datetime | None, now: dt.datetime) -> tuple[bool, str]:
    """Whether the newest ``last_run_at`` proves beat alive at ``now``, and why."""
    if newest is None:
        return False, "beat has not recorded sending any periodic task"
    age = now - newest
    if age > STALE_AFTER:
        return False, f"beat last sent a periodic task {int(age.total_seconds())} s ago"
    return True, f"beat sent a periodic task {int(age.total_seconds())} s ago"


def newest_sent() -> dt.datetime | None:
    """The newest ``last_run_at`` among the enabled periodic tasks (Django set up first)."""
    from django.db.models import Max
    from django_celery_beat.models import PeriodicTask

    newest: dt.datetime | None = PeriodicTask.objects.filter(enabled=True).aggregate(
        newest=Max("last_run_at")
    )["newest"]
    return newest


def main() -> int:
    # The application's settings, as beat itself reads them (the image's /app).
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selec.settings")
    import django
    from django.utils import timezone

    django.setup()
    try:
        healthy, reason = verdict(newest_sent(), timezone.now())
    except Exception as error:  # the database unreachable, say: unhealthy, with the reason
        healthy, reason = False, f"cannot read the beat schedule: {error}"
    print(reason, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
