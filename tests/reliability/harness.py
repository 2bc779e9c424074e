"""A whole SELEC Exchange stack per scenario: its own PostgreSQL, Redis, mail sink, gunicorn
nodes, Celery workers and beat, with the faults the scenarios inject.

The database is prepared once per test session (``GoldenDatabase``: a cluster made with initdb,
migrated, with the demo personas, API tokens for the senders and a few thousand imported
historical exchanges), then stopped; each scenario starts a copy of it on a port of its own.
The keys (secret key, field encryption, blind index, audit chain) are the session's, given to
every process in its environment, so that the web nodes, the workers and the inspection
process read what the others wrote.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from typing import Any

from selec.environment import random_django_secret, random_key_b64, random_keyring
from tests.reliability import app_processes
from tests.reliability.app_processes import AppProcess, run_django
from tests.reliability.servers import (
    PostgresCluster,
    RedisServer,
    remove_directory,
    temporary_directory,
)
from tests.reliability.smtp_sink import SmtpSink

# Historical exchanges imported into the prepared database: what the statistics scenarios
# recompute (a few seconds of work for a computation, long enough to be caught in it).
IMPORTED_EXCHANGES = 3000
# The environment of the caller that must not reach the scenarios' processes: they get the
# scenario's own servers, keys and mode.
OWN_VARIABLES = (
    "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "EMAIL_URL_FILE", "CACHE_URL",
    "DATABASE_REPLICA_URL", "AUDIT_ANCHOR_PATH", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS",
    "BLIND_INDEX_KEY", "AUDIT_CHAIN_KEY", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST",
)  # fmt: skip


def session_keys() -> dict[str, str]:
    return {
        "SECRET_KEY": random_django_secret(),
        "FIELD_ENCRYPTION_KEYS": random_keyring(),
        "BLIND_INDEX_KEY": random_key_b64(),
        "AUDIT_CHAIN_KEY": random_key_b64(),
    }


def application_environment(keys: dict[str, str], **servers: str) -> dict[str, str]:
    """What every process of a scenario runs with: the test mode (plain HTTP, no debug), the
    session's keys, the scenario's servers, and an API rate no load here reaches (the throttle
    is tested elsewhere; here it would only turn sends into 429s)."""
    environment = {k: v for k, v in os.environ.items() if k not in OWN_VARIABLES}
    environment.update(keys)
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "selec.settings",
            "SELEC_ENV": "test",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "API_THROTTLE_RATE": "1000000/minute",
            "PYTHONUNBUFFERED": "1",
            # JSON lines, as in production: the scenarios read the access lines' fields.
            "LOG_FORMAT": "json",
        }
    )
    environment.update(servers)
    return environment


class GoldenDatabase:
    """The session's prepared cluster (stopped), and what its preparation answered."""

    def __init__(self, keys: dict[str, str]) -> None:
        self.keys = keys
        self.workdir = temporary_directory("selec-reliability-golden-")
        self.cluster = PostgresCluster.initialised(self.workdir)
        self.senders: list[dict[str, Any]] = []

    def prepare(self) -> GoldenDatabase:
        self.cluster.start()
        try:
            self.cluster.execute("CREATE DATABASE selec", database="postgres")
            environment = application_environment(
                self.keys, DATABASE_URL=self.cluster.url(), CELERY_BROKER_URL=""
            )
            run_django(environment, "manage.py", "migrate", "--no-input")
            prepared = run_django(
                environment, "tests.reliability.inspection", "prepare", str(IMPORTED_EXCHANGES)
            )
            self.senders = prepared["senders"]
        finally:
            self.cluster.stop()
        return self

    def remove(self) -> None:
        self.cluster.kill()
        remove_directory(self.workdir)


class Stack:
    """One scenario's servers and processes. ``close`` stops them all, whatever happened."""

    def __init__(
        self, golden: GoldenDatabase, *, hold_mail_at: int | None = None, email_timeout: int = 10
    ) -> None:
        self.golden = golden
        self.email_timeout = email_timeout
        self.workdir = temporary_directory("selec-reliability-")
        self.processes: list[AppProcess] = []
        self.postgres = golden.cluster.copied_to(self.workdir)
        self.redis = RedisServer(self.workdir)
        self.mail = SmtpSink(hold_at=hold_mail_at)
        self._cleanups: list[Callable[[], None]] = []

    def start(self) -> Stack:
        self.postgres.start()
        self._cleanups.append(lambda: self.postgres.stop("immediate"))
        self.redis.start()
        self._cleanups.append(self.redis.stop)
        self.mail.start()
        self._cleanups.append(self.mail.stop)
        return self

    @property
    def senders(self) -> list[dict[str, Any]]:
        return self.golden.senders

    @property
    def env(self) -> dict[str, str]:
        return application_environment(
            self.golden.keys,
            DATABASE_URL=self.postgres.url(),
            CELERY_BROKER_URL=self.redis.url(0),
            EMAIL_URL=self.mail.url,
            # Short enough that a relay held by a mail server that stopped answering is
            # noticed within a scenario (the outbox's claims last ten times this).
            EMAIL_TIMEOUT=str(self.email_timeout),
        )

    def web(self, *, workers: int = 3, name: str = "web") -> int:
        """A gunicorn node; its port."""
        process, port = app_processes.gunicorn(self.env, self.workdir, name=name, workers=workers)
        self.processes.append(process)
        return port

    def access_lines(self, name: str = "web") -> list[dict[str, Any]]:
        """The access lines (logger ``selec.access``) the web node ``name`` has written."""
        (process,) = [p for p in self.processes if p.name == name]
        lines = []
        for text in process.log_path.read_text(errors="replace").splitlines():
            if not text.startswith("{"):
                continue  # gunicorn's own start-up lines
            line = json.loads(text)
            if line.get("logger") == "selec.access":
                lines.append(line)
        return lines

    def worker(
        self, name: str = "worker", *, concurrency: int = 1, ready: bool = True
    ) -> AppProcess:
        process = app_processes.celery_worker(
            self.env, self.workdir, name=name, concurrency=concurrency
        )
        self.processes.append(process)
        if ready:
            app_processes.wait_for_worker(process)
        return process

    def beat(self) -> AppProcess:
        process = app_processes.celery_beat(self.env, self.workdir)
        self.processes.append(process)
        return process

    def balancer(self, backends: list[int]) -> int:
        """HAProxy in front of ``backends``; its port."""
        app_processes.ensure_haproxy()
        process, port = app_processes.haproxy(self.workdir, backends)
        self.processes.append(process)
        return port

    def inspect(self, command: str, *arguments: str) -> Any:
        return run_django(self.env, "tests.reliability.inspection", command, *arguments)

    def manage(self, *arguments: str) -> str:
        return str(run_django(self.env, "manage.py", *arguments))

    def wait_for(
        self, condition: Callable[[], bool], *, timeout: float, every: float = 1.0
    ) -> float | None:
        """Seconds until ``condition`` held, or None if it did not within ``timeout``."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if condition():
                return time.monotonic() - started
            time.sleep(every)
        return None

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        for cleanup in reversed(self._cleanups):
            # Whatever one of them raises, the others must be stopped all the same.
            with contextlib.suppress(Exception):
                cleanup()
        remove_directory(self.workdir)

    def logs(self) -> str:
        """The tail of every process's log, for a failing scenario's report."""
        parts = [f"--- {p.name}\n{p.log_tail()}" for p in self.processes]
        return "\n".join([*parts, f"--- postgres\n{self.postgres.log_tail()}"])
