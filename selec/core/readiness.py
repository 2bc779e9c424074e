"""Is this node ready to serve? The checks behind ``/readyz`` (``selec.core.views``).

Each check answers within a bound of its own, whatever the state of what it asks: a database
that does not answer is cut off by a statement timeout, a broker that accepts the connection
and then never replies (Redis stopped with SIGSTOP, a hung network path) by a socket timeout.
A readiness probe that hangs is worse than one that fails: the load balancer's own timeout
then decides, and every probe ties up a web worker meanwhile.

The whole report costs at most three indexed queries and one broker round trip, and is kept
for ``READY_CACHE_SECONDS`` in the process, so that probes from several balancers do not
multiply the load.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from kombu import Connection
from redis.backoff import NoBackoff
from redis.retry import Retry

from selec.core.models import OutboxMessage, ServiceHeartbeat

OK = "ok"
IN_PROCESS = "in-process"  # no broker configured: tasks run in the calling process
UNREACHABLE = "unreachable"
STALE = "stale"
WORKER_PREFIX = "worker:"
# Each check's bound. Together with the 1-2 s a load balancer's probe allows, they keep a
# probe from outliving it; the readiness of a node is worth no more than that.
DATABASE_TIMEOUT_SECONDS = 1.0
BROKER_TIMEOUT_SECONDS = 0.5


@dataclass(frozen=True)
class Check:
    """One dependency's state; ``ready`` is False only when it should take the node out."""

    status: str
    ready: bool
    detail: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, **self.detail}


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, Check]

    @property
    def ready(self) -> bool:
        return all(check.ready for check in self.checks.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ready" if self.ready else "unavailable",
            "checks": {name: check.as_json() for name, check in self.checks.items()},
        }


_cache_lock = threading.Lock()
_cached: tuple[float, Readiness] | None = None


def readiness() -> Readiness:
    """The node's readiness, computed at most once per ``READY_CACHE_SECONDS`` per process."""
    global _cached
    lifetime = settings.READY_CACHE_SECONDS
    with _cache_lock:
        if _cached is not None and time.monotonic() - _cached[0] < lifetime:
            return _cached[1]
    report = readiness_now()
    with _cache_lock:
        _cached = (time.monotonic(), report)
    return report


def readiness_now() -> Readiness:
    database = database_check()
    checks = {"database": database, "broker": broker_check()}
    if database.ready:
        checks["worker"] = worker_check()
        checks["outbox"] = outbox_check()
    else:
        # Both read the database: without it they can only say so.
        checks["worker"] = checks["outbox"] = Check(UNREACHABLE, False, {})
    return Readiness(checks)


def database_check() -> Check:
    """``SELECT 1`` under a statement timeout, in a transaction of its own (``SET LOCAL``
    applies to it alone, and the connection is left as it was found)."""
    timeout_ms = int(DATABASE_TIMEOUT_SECONDS * 1000)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(timeout_ms)])
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return Check(UNREACHABLE, False, {"error": type(error).__name__})
    return Check(OK, True, {})


def broker_check() -> Check:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Check(IN_PROCESS, True, {})
    started = time.monotonic()
    try:
        broker_ping(settings.CELERY_BROKER_URL, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:  # whatever the transport raises, the broker is not usable
        return Check(UNREACHABLE, False, {"error": type(error).__name__})
    return Check(OK, True, {"ms": round((time.monotonic() - started) * 1000)})


def broker_ping(url: str, *, timeout: float) -> None:
    """Connect to the broker and have it answer, within ``timeout`` seconds or raise.

    Redis (the project's broker) is asked ``PING`` with both the connect and the read bounded
    and no retry: redis-py retries three times by default, which would triple the bound. Other
    transports go through kombu, whose connect timeout bounds what they support.
    """
    if url.startswith(("redis://", "rediss://", "unix://")):
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
        )
        try:
            client.ping()
        finally:
            client.close()
        return
    with Connection(url, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=0, timeout=timeout)


def worker_check() -> Check:
    """A Celery worker has written its heartbeat ("worker:<host>") recently enough. One
    aggregate over a table of one row per worker."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Check(IN_PROCESS, True, {})
    last = ServiceHeartbeat.objects.filter(name__startswith=WORKER_PREFIX).aggregate(
        last=Max("seen_at")
    )["last"]
    limit = settings.READY_WORKER_HEARTBEAT_SECONDS
    if last is None:
        return Check(STALE, False, {"last_seen_seconds": None, "limit_seconds": limit})
    age = (timezone.now() - last).total_seconds()
    fresh = age <= limit
    return Check(
        OK if fresh else STALE,
        fresh,
        {"last_seen_seconds": round(age), "limit_seconds": limit},
    )


def outbox_check() -> Check:
    """The age of the oldest unsent e-mail. Reported always; not ready only past
    ``READY_OUTBOX_MAX_AGE_SECONDS``, a generous bound: a mail relay that is down for a while
    is the relay's problem (the outbox keeps the mail), and a web node taken out of service
    would not send it any sooner. Past the bound, something that should have noticed has not.

    The unsent rows are those of the partial index ``outbox_unsent_idx``: few, whatever the
    size of the table, so their minimum is cheap."""
    oldest = OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(oldest=Min("created_at"))[
        "oldest"
    ]
    limit = settings.READY_OUTBOX_MAX_AGE_SECONDS
    if oldest is None:
        return Check(OK, True, {"oldest_unsent_seconds": None, "limit_seconds": limit})
    age = max(timedelta(0), timezone.now() - oldest).total_seconds()
    ready = age <= limit
    return Check(
        OK if ready else STALE,
        ready,
        {"oldest_unsent_seconds": round(age), "limit_seconds": limit},
    )


def forget_cached_readiness() -> None:
    """Drop the kept report: the next probe computes a fresh one (tests, after a change)."""
    global _cached
    with _cache_lock:
        _cached = None
