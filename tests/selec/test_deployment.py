"""The container stack's defaults (docker/): the web container's health check is answered
whatever ALLOWED_HOSTS names, and gunicorn believes "this came over HTTPS" only from the
proxies it is told to trust. No Docker engine is needed: the health check's request goes
through Django and a running server, the gunicorn settings through a real gunicorn."""

from __future__ import annotations

import http.client
import importlib.util
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docker_{name}", DOCKER / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


healthcheck = _load("healthcheck")

# What production sets besides ALLOWED_HOSTS (selec/settings.py, SELEC_ENV=production).
PRODUCTION_HTTPS = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
}


# --- The health check ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "allowed_hosts",
    [
        ["selec.example.org"],
        ["selec.example.org", "selec-backup.example.org"],
        [".example.org"],
        ["*"],
    ],
)
def test_the_health_checks_request_is_answered_under_production_hosts(
    allowed_hosts: list[str],
) -> None:
    with override_settings(ALLOWED_HOSTS=allowed_hosts, **PRODUCTION_HTTPS):
        client = Client()  # built here: the security middleware reads its settings once
        response = client.get(healthcheck.PATH, HTTP_HOST=healthcheck.host_header(allowed_hosts))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_the_container_address_as_host_is_refused_in_production() -> None:
    # What the check used to send (http://127.0.0.1:8000/healthz): the host check refuses it.
    with override_settings(ALLOWED_HOSTS=["selec.example.org"], **PRODUCTION_HTTPS):
        response = Client().get(healthcheck.PATH, HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 400


def test_it_refuses_to_guess_a_host_when_none_is_allowed() -> None:
    with pytest.raises(SystemExit):
        healthcheck.host_header([])


def _run_health_check(port: int, allowed_hosts: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "ALLOWED_HOSTS": allowed_hosts}
    return subprocess.run(
        [sys.executable, str(DOCKER / "healthcheck.py"), str(port)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_the_health_check_command_passes_against_a_server_allowing_only_the_public_host(
    live_server,
) -> None:
    port = int(live_server.url.rsplit(":", 1)[1])
    with override_settings(ALLOWED_HOSTS=["selec.example.org"]):
        passed = _run_health_check(port, "selec.example.org")
        # The container's environment is the application's: a host it does not allow fails.
        refused = _run_health_check(port, "elsewhere.example.org")
    assert passed.returncode == 0, passed.stderr
    assert refused.returncode == 1
    assert "healthz answered 400" in refused.stderr


def test_it_fails_when_nothing_listens() -> None:
    result = _run_health_check(_free_port(), "selec.example.org")
    assert result.returncode == 1
    assert "healthz unreachable" in result.stderr


def test_the_compose_health_check_runs_that_command() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    assert web["healthcheck"]["test"] == ["CMD", "python", "/app/docker/healthcheck.py"]
    # Reachable from this host only: the proxy in front is the way in.
    assert web["ports"] == ["127.0.0.1:8000:8000"]


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
