"""The application's processes as the scenarios run them: gunicorn nodes, Celery workers and
beat, HAProxy in front of several nodes, and one-off Django commands, all with the scenario's
environment (its PostgreSQL, Redis, mail sink and keys).

Each long-running process leads a process group of its own, so that a kill -9 reaches the
master and its children together (a crashed machine or container loses them all), and so that
the teardown can stop exactly what the scenario started.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.reliability.servers import CREATED_DIRECTORIES, HOST, free_port, wait_for_port

BASE_DIR = Path(__file__).resolve().parents[2]
HEALTH_TIMEOUT_SECONDS = 90.0
# The process groups every scenario started: none may outlive the session (``leftovers``).
STARTED_GROUPS: list[int] = []


class AppProcess:
    """One long-running process of the application (and its children)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log_path = workdir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> AppProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        STARTED_GROUPS.append(self.process.pid)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill_9(self) -> None:
        """SIGKILL to the whole group: no handler, no clean-up, no acknowledgement."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM to the group (a graceful stop), SIGKILL if it is not gone in time."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill_9()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def leftovers() -> str:
    """The processes still alive that this session's scenarios started, as ``pgrep -a`` lists
    them: in a process group of the application's processes (gunicorn's and Celery's children
    included), or naming a scenario's directory (PostgreSQL and Redis). Another session's
    scenarios, running beside this one (pytest-xdist), are not this session's business."""
    lines = []
    for directory in CREATED_DIRECTORIES:
        found = subprocess.run(
            ["pgrep", "-af", str(directory)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        lines += [line for line in found.stdout.splitlines() if "pgrep" not in line]
    for group in STARTED_GROUPS:
        found = subprocess.run(
            ["pgrep", "-a", "-g", str(group)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        lines += found.stdout.splitlines()
    return "\n".join(lines)


def python_module(module: str, *arguments: str) -> list[str]:
    return [sys.executable, "-m", module, *arguments]


def run_django(env: dict[str, str], module: str, *arguments: str, timeout: float = 600) -> Any:
    """Run a Django module of the reliability suite (``tests.reliability.inspection``) or
    ``manage.py`` in the scenario's environment; the JSON it prints, for the inspection
    module, or its output."""
    command = (
        [sys.executable, str(BASE_DIR / "manage.py"), *arguments]
        if module == "manage.py"
        else python_module(module, *arguments)
    )
    finished = subprocess.run(
        command, env=env, cwd=BASE_DIR, capture_output=True, timeout=timeout, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[1:])} failed ({finished.returncode}):\n"
            f"{finished.stderr.decode(errors='replace')[-4000:]}"
        )
    output = finished.stdout.decode()
    if module == "manage.py":
        return output
    # The answer is the last line: log lines may come before it on the same stream.
    return json.loads(output.strip().splitlines()[-1])


def gunicorn(
    env: dict[str, str], workdir: Path, *, name: str, workers: int
) -> tuple[AppProcess, int]:
    """gunicorn with the web container's settings file, sync workers, on a free port."""
    port = free_port()
    command = python_module(
        "gunicorn",
        "selec.wsgi:application",
        *("--config", str(BASE_DIR / "docker" / "gunicorn.conf.py")),
        *("--bind", f"{HOST}:{port}", "--workers", str(workers), "--worker-class", "sync"),
        # The container's worker timeout: a request stuck this long is killed (and answered 502
        # by the proxy in front); the scenarios assert that none comes near it.
        *("--timeout", "30", "--graceful-timeout", "5"),
    )
    process = AppProcess(name, command, env, workdir).start()
    wait_until_healthy(process, port)
    return process, port


def healthz_status(port: int) -> int | None:
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", "/healthz", headers={"Host": HOST})
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def wait_until_healthy(process: AppProcess, port: int) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
    while healthz_status(port) != 200:
        if not process.running():
            raise RuntimeError(f"{process.name} exited:\n{process.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{process.name} not healthy in time:\n{process.log_tail()}")
        time.sleep(0.2)


def celery_worker(
    env: dict[str, str], workdir: Path, *, name: str, concurrency: int = 1
) -> AppProcess:
    """A Celery worker (prefork, as in the worker container) with a node name of its own."""
    command = python_module(
        "celery",
        *("-A", "selec", "worker", "--loglevel", "INFO", "--pool", "prefork"),
        *("--concurrency", str(concurrency), "--hostname", f"{name}@%h"),
        # No remote control or gossip: the scenarios watch the database, not the mingle.
        "--without-mingle",
        "--without-gossip",
    )
    return AppProcess(name, command, env, workdir).start()


def wait_for_worker(worker: AppProcess, *, timeout: float = 60.0) -> None:
    """Until the worker's log says it is ready to take tasks."""
    deadline = time.monotonic() + timeout
    while "ready." not in worker.log_tail(200):
        if not worker.running():
            raise RuntimeError(f"{worker.name} exited:\n{worker.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{worker.name} not ready in time:\n{worker.log_tail()}")
        time.sleep(0.2)


def celery_beat(env: dict[str, str], workdir: Path) -> AppProcess:
    """Celery beat with the project's scheduler (the periodic sweeps)."""
    command = python_module(
        "celery", "-A", "selec", "beat", "--loglevel", "INFO",
        "--pidfile", str(workdir / "beat.pid"),
    )  # fmt: skip
    return AppProcess("beat", command, env, workdir).start()


def haproxy_available() -> bool:
    return shutil.which("haproxy") is not None


def ensure_haproxy() -> None:
    """Debian's HAProxy, installed when missing (as the Makefile's chromium target does:
    with sudo when not root)."""
    if haproxy_available():
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=environment)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "haproxy"], check=True, env=environment
    )


def haproxy(workdir: Path, backends: list[int]) -> tuple[AppProcess, int]:
    """HAProxy on one address in front of the given gunicorn ports: each request to the node
    with the fewest in flight, a node that fails its health check taken out."""
    port = free_port()
    servers = "\n".join(
        f"    server web{number} {HOST}:{backend} check inter 2s"
        for number, backend in enumerate(backends, start=1)
    )
    config = workdir / "haproxy.cfg"
    config.write_text(
        "global\n    maxconn 1000\n"
        "defaults\n    mode http\n    timeout connect 2s\n    timeout client 60s\n"
        "    timeout server 60s\n    option http-keep-alive\n"
        f"frontend selec\n    bind {HOST}:{port}\n    default_backend web\n"
        "backend web\n    balance leastconn\n"
        "    option httpchk\n    http-check send meth GET uri /healthz hdr Host 127.0.0.1\n"
        f"{servers}\n"
    )
    command = ["haproxy", "-db", "-f", str(config)]
    process = AppProcess("haproxy", command, dict(os.environ), workdir).start()
    wait_for_port(port)
    return process, port
