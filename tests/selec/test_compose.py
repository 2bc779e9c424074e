"""The container stack as written (docker-compose.yml, Dockerfile, .dockerignore), read without a
Docker engine: one way in (the proxy), one migration step that the application waits for, a
health check and a stop grace period where they matter, the owner's password kept from the
application, and an image that carries no secret and every app. docker/check-compose.sh
validates the same file with Compose itself."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _seconds(duration: str) -> int:
    """A Compose duration ("90s", "10m", "1m30s") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1}
    parts = re.findall(r"(\d+)([hms])", duration)
    assert "".join(n + u for n, u in parts) == duration, duration
    return sum(int(n) * units[u] for n, u in parts)


def test_only_the_proxy_publishes_ports(services) -> None:
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["proxy"]["image"].startswith("nginx:")
    assert any("docker/nginx.conf" in volume for volume in services["proxy"]["volumes"])


def test_every_application_service_waits_for_the_one_shot_migration(services) -> None:
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    web_role = entrypoint.split("  web)", 1)[1].split(";;", 1)[0]
    assert "migrate" not in web_role  # the web nodes no longer migrate at their start


@pytest.mark.parametrize("name", ["web", "worker", "beat", "db", "redis", "proxy"])
def test_each_long_running_service_has_a_health_check(services, name: str) -> None:
    check = services[name]["healthcheck"]
    assert check["test"][0] in ("CMD", "CMD-SHELL")
    assert len(check["test"]) > 1


def test_the_health_checks_ask_the_right_question(services) -> None:
    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "/app/docker/healthcheck.py"]
    worker = " ".join(services["worker"]["healthcheck"]["test"])
    assert "inspect ping" in worker
    assert "celery@$$HOSTNAME" in worker  # its own node, $$ escaping Compose's substitution
    assert services["beat"]["healthcheck"]["test"] == ["CMD", "python", "/app/docker/beat_check.py"]


def test_the_worker_may_finish_its_longest_task_before_it_is_killed(services) -> None:
    assert _seconds(services["worker"]["stop_grace_period"]) >= 600
    assert _seconds(services["beat"]["stop_grace_period"]) >= 10
    # gunicorn's graceful timeout is 30 s.
    assert _seconds(services["web"]["stop_grace_period"]) > 30


def test_gunicorn_trusts_the_proxys_fixed_address_and_never_everyone(compose, services) -> None:
    environment = services["web"]["environment"]
    allowed = environment["FORWARDED_ALLOW_IPS"].split(",")
    assert "*" not in environment["FORWARDED_ALLOW_IPS"]
    assert environment["TRUSTED_PROXY_COUNT"] == "1"
    proxy_address = services["proxy"]["networks"]["selec"]["ipv4_address"]
    subnet = ipaddress.ip_network(compose["networks"]["selec"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(proxy_address) in subnet
    # The proxy, and the container's own loopback (its health check); nothing else.
    assert set(allowed) == {proxy_address, "127.0.0.1"}


def test_the_application_connects_as_its_own_role_and_never_learns_the_owners_password(
    services,
) -> None:
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://${POSTGRES_APP_USER:-selec_app}:")
        assert "DATABASE_MIGRATION_URL" not in environment, name
        assert "postgres_owner_password" not in services[name].get("secrets", []), name
        assert environment["CACHE_URL"] == "redis://redis:6379/1"
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${POSTGRES_PASSWORD" not in text  # it is in no .env any more
    assert "POSTGRES_PASSWORD=" not in (ROOT / "docker" / "env.example").read_text()
    migrate = services["migrate"]
    assert migrate["environment"]["DATABASE_MIGRATION_URL"] == "postgres://selec@db:5432/selec"
    assert migrate["secrets"] == ["postgres_owner_password"]
    assert services["db"]["environment"]["POSTGRES_PASSWORD_FILE"].endswith(
        "/postgres_owner_password"
    )


def test_the_database_creates_the_application_role_at_its_initialisation(services) -> None:
    assert "./docker/postgres-init:/docker-entrypoint-initdb.d:ro" in services["db"]["volumes"]
    assert (ROOT / "docker" / "postgres-init" / "10-app-role.sh").exists()


def test_the_new_variables_are_in_the_example_environment() -> None:
    example = (ROOT / "docker" / "env.example").read_text()
    for variable in ("POSTGRES_APP_USER=", "POSTGRES_APP_PASSWORD=", "CACHE_URL"):
        assert variable in example


# --- The image --------------------------------------------------------------------------------


def _dockerignore() -> set[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


@pytest.mark.parametrize("path", [".env", "secrets", "tls", "var", ".venv", ".git", "tests"])
def test_secrets_and_development_files_stay_out_of_the_build_context(path: str) -> None:
    assert path in _dockerignore()


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def _copied() -> set[str]:
    sources: set[str] = set()
    for line in _dockerfile().splitlines():
        if line.startswith("COPY "):
            sources.update(line.split()[1:-1])
    return sources


def test_the_image_copies_every_app_by_name_and_never_everything() -> None:
    copied = _copied()
    assert "." not in copied
    apps = {
        app.split(".")[0]
        for app in settings.INSTALLED_APPS
        if (ROOT / app.split(".")[0]).is_dir() and app != "bench"
    }
    assert apps <= copied, apps - copied
    assert {"templates", "static", "docker", "manage.py"} <= copied


def test_the_image_collects_static_files_once_and_runs_as_a_user() -> None:
    dockerfile = _dockerfile()
    assert "collectstatic" in dockerfile
    assert "collectstatic" not in (ROOT / "docker" / "entrypoint.sh").read_text()
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users
    assert users[-1] != "root"


def test_the_image_installs_the_lock_alone_without_the_embedded_database() -> None:
    # The lock holds the main dependencies only; pgserver is the development extra.
    assert "pgserver" not in (ROOT / "requirements.lock").read_text().lower()
    dockerfile = _dockerfile()
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "pip install --no-cache-dir --no-deps ." in dockerfile  # no extras
