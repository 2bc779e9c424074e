"""The container stack's gunicorn (docker/gunicorn.conf.py): it believes "this came over HTTPS"
only from the proxies it is told to trust, and its access log hides the secrets of URLs. No
Docker engine is needed: the settings run in a real gunicorn. The health checks and the
Compose file are tested in test_container_scripts.py and test_compose.py."""

from __future__ import annotations

import http.client
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"


# --- gunicorn and the proxies it trusts ------------------------------------------------------

SCHEME_ECHO = """
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["wsgi.url_scheme"].encode()]
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _gunicorn(
    tmp_path: Path, forwarded_allow_ips: str | None, access_log: Path | None = None
) -> Iterator[int]:
    """gunicorn with the container's settings file, serving an app that echoes the scheme."""
    (tmp_path / "scheme_echo.py").write_text(SCHEME_ECHO)
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if k != "FORWARDED_ALLOW_IPS"}
    if forwarded_allow_ips is not None:
        environment["FORWARDED_ALLOW_IPS"] = forwarded_allow_ips
    # The container logs requests through the application (selec.core.log_context); gunicorn's
    # own access log, whose filtering is tested here, is switched on by this variable.
    environment["GUNICORN_ACCESS_LOG"] = "1"
    log = access_log.open("wb") if access_log else None
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn"),
            *("--config", str(DOCKER / "gunicorn.conf.py")),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1"),
            *("--pythonpath", str(tmp_path), "scheme_echo:application"),
        ],
        env=environment,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(server.stderr.read().decode()) from None  # type: ignore[union-attr]
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()  # type: ignore[union-attr]
        if log:
            log.close()


def _scheme_seen(port: int, *, source: str) -> str:
    """What gunicorn makes of a request claiming HTTPS, sent from the ``source`` address."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    try:
        connection.request("GET", "/", headers={"X-Forwarded-Proto": "https"})
        return connection.getresponse().read().decode()
    finally:
        connection.close()


def test_by_default_only_a_loopback_proxy_may_claim_https(tmp_path: Path) -> None:
    with _gunicorn(tmp_path, forwarded_allow_ips=None) as port:
        assert _scheme_seen(port, source="127.0.0.1") == "https"
        # Another address (127.0.0.2 is one too, on Linux's loopback network) is not believed.
        assert _scheme_seen(port, source="127.0.0.2") == "http"


def test_an_empty_setting_falls_back_to_loopback(tmp_path: Path) -> None:
    # "FORWARDED_ALLOW_IPS=" in .env, as docker/env.example leaves it.
    with _gunicorn(tmp_path, forwarded_allow_ips="") as port:
        assert _scheme_seen(port, source="127.0.0.1") == "https"
        assert _scheme_seen(port, source="127.0.0.2") == "http"


def test_only_the_named_proxy_may_claim_https(tmp_path: Path) -> None:
    with _gunicorn(tmp_path, forwarded_allow_ips="127.0.0.2") as port:
        assert _scheme_seen(port, source="127.0.0.2") == "https"
        assert _scheme_seen(port, source="127.0.0.1") == "http"


def test_the_access_log_hides_an_invitation_s_secret(tmp_path: Path) -> None:
    secret = "Zk3v9Qm2LrT8xWc1"
    access_log = tmp_path / "access.log"
    with _gunicorn(tmp_path, forwarded_allow_ips=None, access_log=access_log) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", f"/account/invitation/{secret}/")
            connection.getresponse().read()
        finally:
            connection.close()
    logged = access_log.read_text()
    assert "/account/invitation/[hidden]/" in logged
    assert secret not in logged


def test_the_entrypoint_starts_gunicorn_with_those_settings() -> None:
    script = (DOCKER / "entrypoint.sh").read_text()
    [command] = [line for line in script.splitlines() if "exec gunicorn" in line]
    arguments = shlex.split(command)
    assert arguments[arguments.index("--config") + 1] == "/app/docker/gunicorn.conf.py"
    assert "--forwarded-allow-ips" not in arguments
