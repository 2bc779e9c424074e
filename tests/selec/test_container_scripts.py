"""The scripts the containers run (docker/): the web node's health check against /readyz under the
production HTTPS redirect, beat's health check against the schedule it records, and the
entrypoint's migration step, run for real against the test database as the owner, and its
refusal to start the application with the owner's password in reach."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from selec.core.models import ServiceHeartbeat

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
BIN = Path(sys.executable).parent
SH = shutil.which("sh") or "/bin/sh"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docker_{name}", DOCKER / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


healthcheck = _load("healthcheck")
beat_check = _load("beat_check")

PUBLIC_HOST = "selec.example.org"


def _test_database_url(user: str) -> str:
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def _environment(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    return {**base, "SELEC_ENV": "test", "PATH": f"{BIN}:{os.environ['PATH']}", **extra}


# --- The web node's check ---------------------------------------------------------------------


@pytest.fixture
def worker_alive() -> None:
    """A worker's fresh heartbeat: readiness asks for one when a broker is configured."""
    ServiceHeartbeat.objects.update_or_create(
        name="worker:test-node", defaults={"seen_at": timezone.now()}
    )


def _readyz(*, exempt: list[str], headers: dict[str, str]) -> int:
    """/readyz's status under production's redirect, gunicorn's trust of the loopback played
    by SECURE_PROXY_SSL_HEADER (what gunicorn makes of X-Forwarded-Proto from a trusted
    address), with ``exempt`` as the redirect's exemptions."""
    with override_settings(
        ALLOWED_HOSTS=[PUBLIC_HOST],
        SECURE_SSL_REDIRECT=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        SECURE_REDIRECT_EXEMPT=exempt,
        READY_CACHE_SECONDS=0,
    ):
        client = Client()  # built here: the security middleware reads its settings once
        return client.get(healthcheck.PATH, headers=headers).status_code


@pytest.mark.django_db
@pytest.mark.usefixtures("worker_alive")
def test_the_checks_request_is_not_redirected_even_without_the_exemption() -> None:
    headers = healthcheck.request_headers([PUBLIC_HOST])
    assert headers == {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}
    assert _readyz(exempt=[], headers=headers) == 200
    assert _readyz(exempt=[r"^readyz$"], headers=headers) == 200
    # Plain HTTP with no exemption is what the check must never depend on: redirected.
    assert _readyz(exempt=[], headers={"Host": PUBLIC_HOST}) == 301


@pytest.mark.django_db
@pytest.mark.usefixtures("worker_alive")
@pytest.mark.parametrize(
    "allowed_hosts",
    [
        ["selec.example.org"],
        ["selec.example.org", "selec-backup.example.org"],
        [".example.org"],
        ["*"],
    ],
)
def test_the_checks_request_is_answered_under_production_hosts(allowed_hosts: list[str]) -> None:
    with override_settings(
        ALLOWED_HOSTS=allowed_hosts,
        SECURE_SSL_REDIRECT=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        READY_CACHE_SECONDS=0,
    ):
        client = Client()
        response = client.get(healthcheck.PATH, headers=healthcheck.request_headers(allowed_hosts))
    assert response.status_code == 200, response.content


def test_it_refuses_to_guess_a_host_when_none_is_allowed() -> None:
    with pytest.raises(SystemExit):
        healthcheck.host_header([])


def _run_health_check(port: int, allowed_hosts: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DOCKER / "healthcheck.py"), str(port)],
        env={**os.environ, "ALLOWED_HOSTS": allowed_hosts},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker_alive")
def test_the_health_check_command_asks_readyz_with_an_allowed_host(live_server) -> None:
    port = int(live_server.url.rsplit(":", 1)[1])
    with override_settings(ALLOWED_HOSTS=[PUBLIC_HOST]):
        passed = _run_health_check(port, PUBLIC_HOST)
        refused = _run_health_check(port, "elsewhere.example.org")
    assert passed.returncode == 0, passed.stderr
    assert refused.returncode == 1
    assert "/readyz answered 400" in refused.stderr


def test_the_health_check_fails_when_nothing_listens() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = _run_health_check(port, PUBLIC_HOST)
    assert result.returncode == 1
    assert "/readyz unreachable" in result.stderr


# --- Beat's check -----------------------------------------------------------------------------

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("age", "healthy"),
    [
        (dt.timedelta(seconds=10), True),
        (dt.timedelta(minutes=4), True),
        (dt.timedelta(minutes=6), False),
    ],
)
def test_beat_is_healthy_while_its_newest_send_is_recent(age: dt.timedelta, healthy: bool) -> None:
    assert beat_check.verdict(NOW - age, NOW)[0] is healthy


def test_beat_that_never_sent_anything_is_unhealthy() -> None:
    assert beat_check.verdict(None, NOW) == (
        False,
        "beat has not recorded sending any periodic task",
    )


def _periodic_task(last_run_at: dt.datetime | None, *, enabled: bool = True) -> PeriodicTask:
    every_minute, _ = IntervalSchedule.objects.get_or_create(
        every=60, period=IntervalSchedule.SECONDS
    )
    return PeriodicTask.objects.create(
        name=f"probe-{uuid.uuid4().hex[:8]}",
        task="selec.core.tasks.relay_outbox",
        interval=every_minute,
        last_run_at=last_run_at,
        enabled=enabled,
    )


@pytest.mark.django_db
def test_beat_check_reads_the_newest_send_of_an_enabled_entry() -> None:
    PeriodicTask.objects.all().delete()
    now = timezone.now()
    _periodic_task(now - dt.timedelta(minutes=9))
    _periodic_task(now - dt.timedelta(minutes=2))
    _periodic_task(now, enabled=False)  # a disabled entry proves nothing about beat
    assert beat_check.newest_sent() == now - dt.timedelta(minutes=2)


def _run_beat_check() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DOCKER / "beat_check.py")],
        env=_environment(DATABASE_URL=_test_database_url("postgres")),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_the_beat_check_command_against_the_database() -> None:
    PeriodicTask.objects.all().delete()
    stale = _periodic_task(timezone.now() - dt.timedelta(minutes=20))
    result = _run_beat_check()
    assert result.returncode == 1
    assert "beat last sent a periodic task" in result.stderr
    stale.last_run_at = timezone.now()
    stale.save(update_fields=["last_run_at"])
    result = _run_beat_check()
    assert result.returncode == 0, result.stderr


# --- The entrypoint ---------------------------------------------------------------------------


def _entrypoint(role: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SH, str(DOCKER / "entrypoint.sh"), role],
        cwd=ROOT,
        env=_environment(**environment),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("role", ["web", "worker", "beat"])
@pytest.mark.parametrize(
    "leak",
    [
        {"POSTGRES_PASSWORD": "owner-secret"},
        {"DATABASE_MIGRATION_URL": "postgres://selec:owner-secret@db:5432/selec"},
    ],
)
def test_the_application_refuses_to_start_with_the_owners_password(
    role: str, leak: dict[str, str]
) -> None:
    result = _entrypoint(role, **leak)
    assert result.returncode == 64
    assert "owner's password" in result.stderr


@pytest.fixture
def app_role() -> Iterator[str]:
    role = f"selec_app_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


@pytest.mark.django_db(transaction=True)
def test_the_migration_step_migrates_and_grants_as_the_owner(app_role: str, tmp_path: Path) -> None:
    password_file = tmp_path / "postgres_owner_password"
    password_file.write_text("owner-secret\n")
    result = _entrypoint(
        "migrate",
        DATABASE_MIGRATION_URL=_test_database_url("postgres"),
        DATABASE_MIGRATION_PASSWORD_FILE=str(password_file),
        POSTGRES_APP_USER=app_role,
        # What the application's role would be: the step must not connect as it.
        DATABASE_URL=_test_database_url("nobody"),
    )
    assert result.returncode == 0, result.stderr
    assert "No migrations to apply" in result.stdout
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(%s, 'selec_auditevent', 'INSERT'), "
            "has_table_privilege(%s, 'selec_auditevent', 'TRUNCATE')",
            [app_role, app_role],
        )
        assert cursor.fetchone() == (True, False)
