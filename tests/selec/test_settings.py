"""Settings come from the environment; production refuses to start without its secrets."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from selec.environment import Mode, parse_keyring, read_secret, with_session_settings

ROOT = Path(__file__).resolve().parents[2]
KEY = base64.b64encode(b"k" * 32).decode()
PRODUCTION_ENV = {
    "SELEC_ENV": "production",
    "SECRET_KEY": "x7#Lq9!vRz2@pW4mT8&nY6$kB3^dF1*hJ5(gC0)sE-aU+oI=eQ",
    "FIELD_ENCRYPTION_KEYS": f"k1:{KEY}",
    "BLIND_INDEX_KEY": KEY,
    "AUDIT_CHAIN_KEY": KEY,
    # Nothing listens there: these checks must not need the database.
    "DATABASE_URL": "postgres://selec@127.0.0.1:9/selec",
    "ALLOWED_HOSTS": "selec.example.org",
    "EMAIL_URL": "smtp+tls://relay:secret@mail.example.org:587",
    "AUDIT_ANCHOR_PATH": "/var/lib/selec/audit-anchor/selec.log",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.endswith("_FILE")
    }
    for inherited in ("CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        clean.pop(inherited, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "FIELD_ENCRYPTION_KEYS",
        "BLIND_INDEX_KEY",
        "AUDIT_CHAIN_KEY",
        "DATABASE_URL",
        "ALLOWED_HOSTS",
        "EMAIL_URL",
        "AUDIT_ANCHOR_PATH",
        "CACHE_URL",
    ],
)
def test_production_refuses_to_start_without_each_required_setting(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_passes_check_deploy_without_warnings() -> None:
    result = _manage(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_reads_a_secret_from_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(PRODUCTION_ENV["SECRET_KEY"] + "\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage(
        {**env, "SECRET_KEY_FILE": str(secret_file)}, "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stderr


def test_an_unknown_mode_is_refused() -> None:
    result = _manage({"SELEC_ENV": "staging"}, "check")
    assert result.returncode != 0
    assert "SELEC_ENV='staging'" in result.stderr


def test_demo_commands_are_refused_in_production() -> None:
    for command in (["demo_totp", "lo.ro"], ["seed_demo"]):
        result = _manage(PRODUCTION_ENV, *command)
        assert result.returncode != 0
        assert "refused in production" in result.stderr


def test_the_benchmark_is_not_installed_in_production() -> None:
    result = _manage(PRODUCTION_ENV, "bench", "--help")
    assert result.returncode != 0
    assert "Unknown command: 'bench'" in result.stderr


def test_the_benchmark_is_installed_outside_production() -> None:
    assert apps.is_installed("bench")


def test_development_generates_each_secret_once_and_keeps_it_private(tmp_path: Path) -> None:
    first = read_secret(
        "AUDIT_CHAIN_KEY", mode=Mode.DEVELOPMENT, keys_dir=tmp_path, generate=lambda: "one"
    )
    second = read_secret(
        "AUDIT_CHAIN_KEY", mode=Mode.DEVELOPMENT, keys_dir=tmp_path, generate=lambda: "two"
    )
    assert first == second == "one"
    assert stat.S_IMODE((tmp_path / "AUDIT_CHAIN_KEY").stat().st_mode) == 0o600


def test_production_never_generates_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BLIND_INDEX_KEY", raising=False)
    monkeypatch.delenv("BLIND_INDEX_KEY_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="BLIND_INDEX_KEY is required in production"):
        read_secret(
            "BLIND_INDEX_KEY", mode=Mode.PRODUCTION, keys_dir=tmp_path, generate=lambda: "x"
        )
    assert not (tmp_path / "BLIND_INDEX_KEY").exists()


def test_a_keyring_keeps_its_order_and_refuses_short_keys() -> None:
    other = base64.b64encode(b"o" * 32).decode()
    assert list(parse_keyring("K", f"new:{KEY},old:{other}")) == ["new", "old"]
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        parse_keyring("K", "k1:" + base64.b64encode(b"short").decode())
    with pytest.raises(ImproperlyConfigured, match="id:base64key"):
        parse_keyring("K", KEY)


def test_a_new_audit_key_may_not_take_a_previous_key_s_id() -> None:
    # Two keys under one id: the events of one of them could no longer be verified.
    env = {
        **PRODUCTION_ENV,
        "AUDIT_CHAIN_KEY_ID": "1",
        "AUDIT_CHAIN_PREVIOUS_KEYS": f"1:{base64.b64encode(b'o' * 32).decode()}",
    }
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "AUDIT_CHAIN_KEY_ID names a previous key" in result.stderr


def test_session_settings_go_with_the_connection_s_start_and_the_url_s_own_win() -> None:
    options = {"connect_timeout": 5, "options": "-c work_mem=8MB"}
    given = {"NAME": "selec", "OPTIONS": options}

    database = with_session_settings(given, max_parallel_workers_per_gather=0)

    assert database["OPTIONS"] == {
        "connect_timeout": 5,
        "options": "-c max_parallel_workers_per_gather=0 -c work_mem=8MB",
    }
    assert options["options"] == "-c work_mem=8MB"  # the caller's left as it was
    assert with_session_settings({"NAME": "selec"}, jit="off")["OPTIONS"] == {
        "options": "-c jit=off"
    }


@pytest.mark.django_db
def test_the_application_s_sessions_run_no_parallel_query() -> None:
    # The pages' statements are short: workers would cost more than they save (settings.py).
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)
