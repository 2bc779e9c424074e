"""Celery fixtures for the tests of ``selec``.

Each fixture builds a fresh app the way ``selec.celery`` builds the project's (same task class,
configured from the Django settings), after overriding those settings for the test. A fresh
app is needed because a configured one keeps its broker connections pooled: changing the
project app's settings in the middle of the run would not reach the broker. The fresh app is
made the current and default one for the test, and the previous ones are restored after it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from celery import Celery
from celery.contrib.testing.app import setup_default_app

from selec.celery import create_app


@contextmanager
def _project_like_app() -> Iterator[Celery]:
    app = create_app(set_as_current=False)
    # The embedded worker must leave the test run's logging alone.
    app.conf.update(worker_hijack_root_logger=False)
    with setup_default_app(app):
        app.set_default()
        app.set_current()
        yield app


@pytest.fixture
def in_process_tasks(settings) -> Iterator[Celery]:  # type: ignore[no-untyped-def]
    """What a checkout without CELERY_BROKER_URL runs: tasks in the calling process."""
    settings.CELERY_BROKER_URL = "memory://"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with _project_like_app() as app:
        yield app


@pytest.fixture
def unreachable_broker(settings, monkeypatch) -> Iterator[Celery]:  # type: ignore[no-untyped-def]
    """A broker that refuses connections, as Redis does when it is down."""
    broker_url = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    settings.CELERY_BROKER_URL = broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Celery prefers the CELERY_BROKER_URL environment variable (set in CI) to its settings.
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    with _project_like_app() as app:
        yield app


@pytest.fixture
def celery_app(settings) -> Iterator[Celery]:  # type: ignore[no-untyped-def]
    """Replaces ``celery.contrib.pytest``'s app: the broker of the environment when there is
    one (Redis in CI), the in-memory broker otherwise; never in-process execution."""
    broker_url = settings.CELERY_BROKER_URL  # "memory://" when the environment names none
    settings.CELERY_TASK_ALWAYS_EAGER = False
    prefix = f"selec-test-{uuid.uuid4().hex}:"
    if broker_url.startswith("redis"):
        # Test runs in parallel (xdist) share the Redis server: a key prefix of its own keeps
        # each worker from taking another test's messages, and old ones left in the queue.
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": prefix}
    with _project_like_app() as app:
        yield app
    if broker_url.startswith("redis"):
        client = redis.Redis.from_url(broker_url)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="session")
def celery_worker_parameters() -> dict[str, object]:
    # The plugin's start-up ping waits for a result, and the project keeps no results; the
    # worker fixture already waits until the worker consumes.
    return {"perform_ping_check": False}
