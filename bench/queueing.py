"""Background tasks queued, never run, while the bench runs.

Without a broker the settings run Celery tasks in the calling process (development), which
would add hit matching and the mail relay to every measured send, and print mails on the
console. So the bench gives Celery a broker of its own, as a deployment has, that no worker
consumes: Redis database 15 of the configured (or local) Redis server, under a key prefix of
this run, whose keys are deleted at the end. The measured send then costs what it costs in
production, the enqueueing included. Without a reachable Redis, Kombu's in-memory transport
takes the messages (the enqueueing is then cheaper than it would be).

The project's app is not reconfigured in place (it keeps its broker connections pooled): a
fresh one is built the same way (``selec.celery.create_app``) and made the current and default
app until the block ends, as the test suite's Celery fixtures do.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import redis
from celery.contrib.testing.app import setup_default_app
from django.conf import settings
from django.test.utils import override_settings

from selec.celery import create_app

BENCH_REDIS_DB = 15
LOCAL_REDIS = "redis://127.0.0.1:6379"


@dataclass(frozen=True)
class Queue:
    # "redis" or "memory": where the measured sends' tasks went.
    transport: str


def bench_redis_url() -> str:
    configured = os.environ.get("CELERY_BROKER_URL") or settings.CELERY_BROKER_URL
    base = configured if configured.startswith(("redis://", "rediss://")) else LOCAL_REDIS
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{BENCH_REDIS_DB}", "", ""))


def reachable(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


def delete_prefixed(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # only this run's leftovers: nothing reads them
    finally:
        client.close()


@dataclass(frozen=True)
class Broker:
    """A broker of a run's own: the bench's Redis database, under a key prefix of the run."""

    url: str
    key_prefix: str


@contextmanager
def private_broker(name: str) -> Iterator[Broker | None]:
    """A broker of the run's own (see the module), its keys deleted at the end; None without a
    reachable Redis."""
    url = bench_redis_url()
    if not reachable(url):
        yield None
        return
    broker = Broker(url=url, key_prefix=f"selec-bench-{name}{uuid.uuid4().hex}:")
    try:
        yield broker
    finally:
        delete_prefixed(url, broker.key_prefix)


@contextmanager
def tasks_only_queued() -> Iterator[Queue]:
    with private_broker("") as broker, _queued_to(broker):
        yield Queue(transport="redis" if broker else "memory")


@contextmanager
def _queued_to(broker: Broker | None) -> Iterator[None]:
    broker_url = broker.url if broker else "memory://"
    previous_env = os.environ.get("CELERY_BROKER_URL")
    # Celery prefers the CELERY_BROKER_URL environment variable to the settings.
    os.environ["CELERY_BROKER_URL"] = broker_url
    try:
        with override_settings(
            CELERY_BROKER_URL=broker_url,
            CELERY_TASK_ALWAYS_EAGER=False,
            CELERY_BROKER_TRANSPORT_OPTIONS={"global_keyprefix": broker.key_prefix}
            if broker
            else {},
        ):
            app = create_app(set_as_current=False)
            with setup_default_app(app):
                app.set_default()
                app.set_current()
                yield
    finally:
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env
