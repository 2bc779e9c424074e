"""The periodic tasks of the project package (``selec.core.tasks``) that have no module of
their own to be tested with: the worker's heartbeat and the purge of idempotency keys."""

from __future__ import annotations

import datetime as dt
import socket
import time
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from selec.core.models import IdempotentRequest, ServiceHeartbeat
from selec.core.tasks import heartbeat, purge_idempotent_requests


def _beats() -> list[ServiceHeartbeat]:
    return list(ServiceHeartbeat.objects.filter(name__startswith="worker:"))


@pytest.mark.django_db(transaction=True)
def test_a_worker_writes_its_own_heartbeat_and_renews_it(celery_app, celery_worker) -> None:
    heartbeat.delay()
    deadline = time.monotonic() + 20
    while not _beats():
        assert time.monotonic() < deadline, "the worker wrote no heartbeat"
        time.sleep(0.05)
    (first,) = _beats()
    # The worker's node name under the prefork pool ("celery@host", as production runs it);
    # the embedded test worker's thread pool gives the task the machine's name.
    assert first.name in {f"worker:{celery_worker.hostname}", f"worker:{socket.gethostname()}"}
    assert timezone.now() - first.seen_at < dt.timedelta(seconds=20)

    heartbeat.delay()
    while ServiceHeartbeat.objects.get(name=first.name).seen_at == first.seen_at:
        assert time.monotonic() < deadline + 20, "the worker did not renew its heartbeat"
        time.sleep(0.05)
    assert len(_beats()) == 1  # renewed, not added


@pytest.mark.django_db
def test_the_purge_forgets_the_keys_past_their_keeping_time_only(in_process_tasks) -> None:
    now = timezone.now()
    kept = dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    for key, age in (("old", kept + dt.timedelta(minutes=1)), ("recent", dt.timedelta(0))):
        fields: dict[str, Any] = {
            "scope": "test",
            "key": key,
            "fingerprint": "0" * 64,
            "created_at": now - age,
            "status_code": 201,
            "response": {"reference": "SELEC-2026-000001"},  # an encrypted JSON field
        }
        IdempotentRequest.objects.create(**fields)
    assert purge_idempotent_requests.delay().get() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["recent"]


def test_beat_runs_the_heartbeat_every_half_minute_and_the_purge_hourly() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["heartbeat"] == {"task": heartbeat.name, "schedule": 30.0}
    assert schedule["purge-idempotent-requests"] == {
        "task": purge_idempotent_requests.name,
        "schedule": crontab(minute=7),
    }
