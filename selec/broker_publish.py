"""Publishing the tasks a transaction queued, after its commit, without waiting on the broker.

The publish runs in the committing process: in a web request, the request waits for it. The
worker's broker settings suit a consumer (a BRPOP may wait seconds for its answer), not a
request, and Celery's default publish retries a failed connection for seconds more. So the
after-commit publish has a connection of its own per thread, with short connect and socket
timeouts, no retry, and a circuit breaker: after a failure, the process skips publishing for
``BROKER_PUBLISH_PAUSE`` seconds (logged once), so that a hung broker costs one request the
timeout and the others nothing. Every task queued this way has a periodic catch-up that
queues what was skipped (docs/background-work.md).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any

from django.conf import settings
from kombu import Connection
from kombu.exceptions import OperationalError

from selec.core.request_context import record_wait

if TYPE_CHECKING:
    from celery import Celery, Task

logger = logging.getLogger("selec.celery")


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

    def publish(self, task: Task, args: Any, kwargs: Any) -> bool:
        """Queue ``task.apply_async(*args, **kwargs)``; return whether the broker took it.

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
            task.apply_async(*args, connection=connection, retry=False, **kwargs)
        except (OperationalError, *connection.connection_errors, *connection.channel_errors) as exc:
            self._drop_connection()
            self._pause(task.name, exc)
            return False
        finally:
            # The request's access line says how long it waited on the broker (broker_ms).
            record_wait("broker", time.monotonic() - started)
        return True

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
