"""Real servers that the reliability tests start, stop and freeze: a Redis of their own (to
SIGSTOP without disturbing the shared one) and the application under gunicorn (to point at a
database that cannot be reached)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.1)


@contextmanager
def redis_server() -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A Redis server of the test's own, on a free port: ``(port, process)``."""
    port = free_port()
    process = subprocess.Popen(
        [
            _executable("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, "redis-server")
        yield port, process
    finally:
        process.send_signal(signal.SIGCONT)  # a stopped process does not act on SIGTERM
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def frozen_redis() -> Iterator[str]:
    """The URL of a Redis that accepts connections (the kernel does) and never answers: the
    process is stopped with SIGSTOP, as a hung server or a paused container is."""
    with redis_server() as (port, process):
        process.send_signal(signal.SIGSTOP)
        yield f"redis://127.0.0.1:{port}/0"


@contextmanager
def application(environment: dict[str, str], log: Path) -> Iterator[int]:
    """The application under gunicorn with the container's settings file, one worker, its
    output (stdout and stderr) in ``log``: the port it listens on."""
    port = free_port()
    env = {**os.environ, **environment}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn"),
                *("--config", str(ROOT / "docker" / "gunicorn.conf.py")),
                *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--chdir", str(ROOT)),
                "selec.wsgi:application",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_port(port, process, "gunicorn")
            yield port
        finally:
            process.terminate()
            process.wait(timeout=30)
