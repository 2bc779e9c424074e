"""Publishing the tasks a transaction queued, after its commit, without waiting on the broker.

The publish runs in the committing process: in a web request, the request waits for it. The
worker's broker settings suit a consumer (a BRPOP may wait seconds for its answer), not a
request, and Celery's default publish retries a failed connection for seconds more. So the
after-commit publish has a connection of its own per thread, with short connect and socket
timeouts, no retry, and a circuit breaker: after a failure, the process skips publishing for
``BROKER_PUBLISH_PAUSE`` seconds (logged once), so that a hung broker costs one request the
timeout and the others nothing. Every task queued this way has a periodic catch-up that
queues what was skipped (docs/background-work.md).

A task that works on whatever is committed when it starts (the audit sealer) is queued
*unless waiting*: a flag in the broker's Redis says a run is queued and has not started; a
commit that finds it raised queues nothing, since that run will see its rows. The run lowers
the flag first thing (``lower_waiting_flag``), so a commit after that queues the next run. The
flag expires after ``WAITING_FLAG_SECONDS``, so a run whose message was lost holds later
commits back no longer than that (the periodic run seals meanwhile).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings
from kombu import Connection
from kombu.exceptions import OperationalError

from selec.core.request_context import record_wait

if TYPE_CHECKING:
    from celery import Celery, Task

logger = logging.getLogger("selec.celery")

# How long a raised waiting flag stands at most (see the module): no longer than the periodic
# run's interval, so that a lost run delays no commit's work more than the periodic one does.
WAITING_FLAG_SECONDS = 60


def waiting_flag_key(task_name: str) -> str:
    """The Redis key of the task's waiting flag (under the broker's key prefix, if any)."""
    return f"selec:waiting:{task_name}"


class AfterCommitPublisher:
    """The after-commit publishing of one Celery app in one process (see the module)."""

    def __init__(self, app: Celery) -> None:
        self._app = app
        self._local = threading.local()
        self._lock = threading.Lock()
        self._paused_until = 0.0

    @property
    def paused(self) -> bool:
        return time.monotonic() < self._paused_until

    def publish(self, task: Task, args: Any, kwargs: Any, *, unless_waiting: bool = False) -> bool:
        """Queue ``task.apply_async(*args, **kwargs)``; return whether the broker took it (or,
        ``unless_waiting``, already holds a run that has not started: see the module).

        Never raises for a broker fault and never waits on the broker much longer than
        ``BROKER_PUBLISH_TIMEOUT``; in-process execution (no broker configured) runs the task
        here, as ``apply_async`` does.
        """
        if self._app.conf.task_always_eager:
            task.apply_async(*args, **kwargs)
            return True
        if self.paused:
            logger.debug("Broker publishing paused: %s not queued.", task.name)
            return False
        connection = self._connection()
        started = time.monotonic()
        try:
            if unless_waiting and not _raise_waiting_flag(connection, task.name):
                return True
            task.apply_async(*args, connection=connection, retry=False, **kwargs)
        except (OperationalError, *connection.connection_errors, *connection.channel_errors) as exc:
            self._drop_connection()
            self._pause(task.name, exc)
            return False
        finally:
            # The request's access line says how long it waited on the broker (broker_ms).
            record_wait("broker", time.monotonic() - started)
        return True

    def lower_waiting_flag(self, task_name: str) -> None:
        """Said by a run of a task queued ``unless_waiting`` before it reads anything: the
        commits from now on queue the next run. A broker fault is logged, not raised: the
        flag then expires by itself (``WAITING_FLAG_SECONDS``) and the run goes on."""
        if self._app.conf.task_always_eager or self.paused:
            return
        connection = self._connection()
        try:
            with _waiting_flags(connection) as flags:
                if flags is not None:
                    flags.delete(waiting_flag_key(task_name))
        except (OperationalError, *connection.connection_errors, *connection.channel_errors) as exc:
            self._drop_connection()
            logger.warning(
                "Broker unreachable: the waiting flag of %s was not lowered (%s); it expires "
                "within %d s.",
                task_name,
                exc,
                WAITING_FLAG_SECONDS,
            )

    def _pause(self, task_name: str, exc: BaseException) -> None:
        pause = float(settings.BROKER_PUBLISH_PAUSE)
        with self._lock:
            # Logged by the thread that opens the pause only: a request per second for a
            # minute would otherwise fill the log with the same line.
            first = not self.paused
            self._paused_until = time.monotonic() + pause
        if first:
            logger.warning(
                "Broker unreachable: %s was not queued after commit (%s). Publishing paused "
                "for %g s; the periodic tasks queue what is skipped.",
                task_name,
                exc,
                pause,
            )

    def _connection(self) -> Connection:
        # One per thread (a kombu connection is not thread-safe) and per process (one made
        # before a fork must not be shared with the children).
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is not None and self._local.pid == os.getpid():
            return connection
        timeout = float(settings.BROKER_PUBLISH_TIMEOUT)
        connection = self._app.connection_for_write(
            connect_timeout=timeout,
            transport_options={
                # Redis: the connect, and every command (the ping on connecting, the
                # publish), each wait at most this long.
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                # kombu's connection set-up: one attempt, no retry loop.
                "max_retries": 0,
            },
        )
        self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def _drop_connection(self) -> None:
        connection: Connection | None = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            # collect(), not close(): it frees the connection without talking to the broker,
            # which may be the one not answering.
            connection.collect()


@contextmanager
def _waiting_flags(connection: Connection) -> Iterator[redis.Redis | None]:
    """A client of the broker's Redis for the waiting flags; None on another broker (the
    in-memory one of a checkout without Redis): there every commit queues its run."""
    if connection.transport.driver_type != "redis":
        yield None
        return
    # The Redis channel's own client (kombu's typing knows only the abstract channel): the
    # broker's connection settings and key prefix.
    with connection.default_channel.conn_or_acquire() as client:  # type: ignore[attr-defined]
        yield client


def _raise_waiting_flag(connection: Connection, task_name: str) -> bool:
    """Raise the task's waiting flag; whether it was down (so the caller queues a run)."""
    with _waiting_flags(connection) as flags:
        if flags is None:
            return True
        return bool(flags.set(waiting_flag_key(task_name), "1", nx=True, ex=WAITING_FLAG_SECONDS))


_publishers: weakref.WeakKeyDictionary[Celery, AfterCommitPublisher] = weakref.WeakKeyDictionary()
_publishers_lock = threading.Lock()


def publisher_for(app: Celery) -> AfterCommitPublisher:
    """The app's publisher in this process (the tests build apps of their own, each with its
    own broker and so its own circuit breaker)."""
    with _publishers_lock:
        publisher = _publishers.get(app)
        if publisher is None:
            publisher = _publishers[app] = AfterCommitPublisher(app)
        return publisher
