"""The scenarios' own PostgreSQL and Redis servers, on free loopback ports.

Nothing here touches the machine's services: each server lives in a temporary directory, listens
on 127.0.0.1 on a port nobody else holds, and is stopped (killed if need be) at the end.
PostgreSQL refuses to run as root, so its commands run as the ``postgres`` user when the tests
run as root; its data directory is made once per test session (``initdb``, migrations, demo
personas, data) and copied for each scenario, which then starts a PostgreSQL of its own in
seconds instead of migrating an empty database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2

HOST = "127.0.0.1"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"
DATABASE = "selec"
START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    """A port free on the loopback address now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, *, timeout: float = START_TIMEOUT_SECONDS) -> None:
    """Wait until something accepts connections on ``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"Nothing listens on {HOST}:{port} after {timeout} s.")


def _as_postgres(command: list[str]) -> list[str]:
    """``command`` run as the postgres user: PostgreSQL refuses root, and the tests run as
    root on the CI machines. As any other user, it runs as that user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", PG_USER, "--", *command]
    return command


def _owned_by_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, PG_USER, PG_USER)


class PostgresCluster:
    """A PostgreSQL cluster in a directory of its own, started and stopped with pg_ctl."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = 0
        self.log = data_dir.parent / f"{data_dir.name}.log"

    @classmethod
    def initialised(cls, parent: Path) -> PostgresCluster:
        """A new, empty cluster (trust authentication on loopback, durability off: the
        scenarios test the application's behaviour, not the disk's)."""
        data_dir = parent / "pgdata"
        data_dir.mkdir(mode=0o700)
        _owned_by_postgres(parent)
        _owned_by_postgres(data_dir)
        subprocess.run(
            _as_postgres(
                [
                    *(str(PG_BIN / "initdb"), "-D", str(data_dir), "-U", PG_USER, "-A", "trust"),
                    *("--no-sync", "--encoding", "UTF8", "--locale", "C.UTF-8"),
                ]
            ),
            check=True,
            capture_output=True,
        )
        return cls(data_dir)

    def copied_to(self, parent: Path) -> PostgresCluster:
        """A copy of this (stopped) cluster's files: another cluster with the same data."""
        target = parent / "pgdata"
        subprocess.run(["cp", "-a", str(self.data_dir), str(target)], check=True)  # noqa: S607
        _owned_by_postgres(parent)
        return PostgresCluster(target)

    def start(self, port: int | None = None) -> None:
        self.port = port or self.port or free_port()
        options = " ".join(
            [
                f"-p {self.port}",
                f"-c listen_addresses={HOST}",
                f"-c unix_socket_directories={self.data_dir}",
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        self._pg_ctl("start", "-w", "-t", str(START_TIMEOUT_SECONDS), "-o", options)

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every connection is cut, the server comes back with the
        same options."""
        self._pg_ctl("restart", "-m", "fast", "-w", "-t", str(START_TIMEOUT_SECONDS))

    def stop(self, mode: str = "fast") -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        try:
            self._pg_ctl("stop", "-m", mode, "-w", "-t", "30")
        except subprocess.CalledProcessError:
            self.kill()

    def kill(self) -> None:
        """SIGKILL to the postmaster (its children exit when it is gone)."""
        pid_file = self.data_dir / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().splitlines()[0])
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def _pg_ctl(self, *arguments: str) -> None:
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log), *arguments]
            ),
            check=True,
            capture_output=True,
        )

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://{PG_USER}@{HOST}:{self.port}/{database}"

    def connect(self, database: str = DATABASE) -> psycopg2.extensions.connection:
        """A connection of the test's own (autocommit), not one of the application's."""
        connection = psycopg2.connect(
            host=HOST, port=self.port, user=PG_USER, dbname=database, connect_timeout=5
        )
        connection.autocommit = True
        return connection

    def execute(
        self, sql: str, params: tuple[object, ...] = (), *, database: str = DATABASE
    ) -> list[tuple[object, ...]]:
        connection = self.connect(database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def terminate_application_connections(self) -> int:
        """``pg_terminate_backend`` of every connection to the application's database but
        this one: what a failover or an administrator's intervention does to the web nodes."""
        rows = self.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (DATABASE,),
        )
        return int(rows[0][0])  # type: ignore[call-overload]

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class RedisServer:
    """A redis-server with no persistence on a free port; it can be stopped, restarted with
    its port kept, and frozen (SIGSTOP: it keeps its connections but answers nothing)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = (self.workdir / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [
                *("redis-server", "--bind", HOST, "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port)

    def url(self, db: int = 0) -> str:
        return f"redis://{HOST}:{self.port}/{db}"

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """Gone, as a crashed or stopped Redis is: connections refused until it starts again."""
        if self.process is None or self.process.poll() is not None:
            return
        # A frozen server would never act on SIGKILL's successor signals: wake it first.
        self.process.send_signal(signal.SIGCONT)
        self.process.kill()
        self.process.wait(timeout=10)


# Every directory this process made for a scenario: a process naming one of them in its
# command line (PostgreSQL, Redis, HAProxy) is this session's (``leftovers``).
CREATED_DIRECTORIES: list[Path] = []


def temporary_directory(prefix: str) -> Path:
    """A directory under the system's temporary one (not the project: PostgreSQL's user must
    be able to reach it), readable by that user."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    CREATED_DIRECTORIES.append(path)
    return path


def remove_directory(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
