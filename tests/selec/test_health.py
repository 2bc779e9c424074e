"""Liveness (/healthz) and readiness (/readyz): what each says, how fast, and at what cost."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from selec.core import readiness
from selec.core.models import OutboxMessage, ServiceHeartbeat
from tests.helpers import REDIS_URL
from tests.selec.servers import frozen_redis

pytestmark = pytest.mark.django_db

NOT_LISTENING = "redis://127.0.0.1:9/0"  # the discard port: nothing listens


@pytest.fixture(autouse=True)
def _fresh_reports(settings):
    settings.READY_CACHE_SECONDS = 0
    readiness.forget_cached_readiness()
    yield
    readiness.forget_cached_readiness()


@pytest.fixture
def with_broker(settings):
    """A real broker (the environment's Redis), tasks no longer run in-process."""
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return settings


def _heartbeat(seconds_ago: float, name: str = "worker:celery@web-1") -> None:
    ServiceHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now() - timedelta(seconds=seconds_ago)}
    )


def _unsent_mail(minutes_ago: int) -> None:
    OutboxMessage.objects.create(
        to="nfp@example.org",
        subject="A new exchange",
        body="...",
        dedupe_key=f"test-{minutes_ago}",
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


# --- /healthz: liveness ------------------------------------------------------------------------


def test_healthz_answers_without_login_database_or_broker(
    client: Client, unreachable_broker, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_neither_answer_is_ever_cached(client: Client, path: str) -> None:
    response = client.get(path)
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


# --- /readyz: readiness ------------------------------------------------------------------------


def test_without_a_broker_tasks_and_worker_are_in_process(client: Client, in_process_tasks) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {
            "database": {"status": "ok"},
            "broker": {"status": "in-process"},
            "worker": {"status": "in-process"},
            "outbox": {"status": "ok", "oldest_unsent_seconds": None, "limit_seconds": 3600},
        },
    }


def test_with_a_broker_and_a_recent_heartbeat_the_node_is_ready(
    client: Client, with_broker
) -> None:
    _heartbeat(seconds_ago=20)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["broker"]["status"] == "ok"
    assert checks["worker"] == {"status": "ok", "last_seen_seconds": 20, "limit_seconds": 120}


def test_a_worker_silent_past_the_limit_makes_the_node_unready(client: Client, with_broker) -> None:
    _heartbeat(seconds_ago=300)
    # Another service's heartbeat does not stand for a worker's.
    _heartbeat(seconds_ago=1, name="beat:web-1")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["worker"] == {
        "status": "stale",
        "last_seen_seconds": 300,
        "limit_seconds": 120,
    }


def test_no_worker_ever_seen_makes_the_node_unready(client: Client, with_broker) -> None:
    ServiceHeartbeat.objects.filter(name__startswith="worker:").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["last_seen_seconds"] is None


def test_an_unreachable_broker_makes_the_node_unready(client: Client, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = NOT_LISTENING
    _heartbeat(seconds_ago=5)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {
        "status": "unreachable",
        "error": "ConnectionError",
    }
    assert response.json()["checks"]["database"] == {"status": "ok"}


def test_a_frozen_broker_is_reported_within_its_bound(client: Client, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _heartbeat(seconds_ago=5)
    with frozen_redis() as url:
        settings.CELERY_BROKER_URL = url
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"status": "unreachable", "error": "TimeoutError"}
    # The broker's bound is 0.5 s; the rest of the probe is three short queries.
    assert elapsed < readiness.BROKER_TIMEOUT_SECONDS + 0.5


def test_unsent_mail_is_reported_and_fails_readiness_only_past_the_generous_limit(
    client: Client, in_process_tasks, settings
) -> None:
    settings.READY_OUTBOX_MAX_AGE_SECONDS = 3600
    _unsent_mail(minutes_ago=10)
    response = client.get("/readyz")
    assert response.status_code == 200
    outbox = response.json()["checks"]["outbox"]
    assert outbox["status"] == "ok"
    assert 599 <= outbox["oldest_unsent_seconds"] <= 601
    _unsent_mail(minutes_ago=120)
    response = client.get("/readyz")
    assert response.status_code == 503
    outbox = response.json()["checks"]["outbox"]
    assert outbox["status"] == "stale"
    assert 7199 <= outbox["oldest_unsent_seconds"] <= 7201


def test_sent_mail_is_not_counted(client: Client, in_process_tasks) -> None:
    _unsent_mail(minutes_ago=600)
    OutboxMessage.objects.update(sent_at=timezone.now())
    assert client.get("/readyz").json()["checks"]["outbox"]["oldest_unsent_seconds"] is None


def test_the_probe_costs_a_few_queries(
    client: Client, with_broker, django_assert_max_num_queries
) -> None:
    _heartbeat(seconds_ago=5)
    _unsent_mail(minutes_ago=1)
    # SELECT 1 with its timeout (in a savepoint here, the test's transaction being open), the
    # heartbeat, the outbox.
    with django_assert_max_num_queries(6):
        assert client.get("/readyz").status_code == 200


def test_a_report_is_kept_for_a_moment_per_process(
    client: Client, in_process_tasks, settings
) -> None:
    settings.READY_CACHE_SECONDS = 60
    assert client.get("/readyz").status_code == 200
    _unsent_mail(minutes_ago=600)
    assert client.get("/readyz").status_code == 200  # the kept report
    readiness.forget_cached_readiness()
    assert client.get("/readyz").status_code == 503
