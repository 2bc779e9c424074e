"""Reading the environment: the run mode, secrets and the embedded database.

Settings call these helpers so that every rule about *where* a value may come from lives in
one place: production takes secrets only from the environment (or a ``*_FILE`` path) and
fails loudly when one is missing; development and test generate them once under ``var/keys``.
"""

from __future__ import annotations

import base64
import os
import secrets
import time
import warnings
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"


def read_mode() -> Mode:
    raw = os.environ.get("SELEC_ENV", Mode.DEVELOPMENT.value)
    try:
        return Mode(raw)
    except ValueError:
        allowed = ", ".join(m.value for m in Mode)
        raise ImproperlyConfigured(f"SELEC_ENV={raw!r} is not one of: {allowed}.") from None


def random_key_b64() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def random_django_secret() -> str:
    return secrets.token_urlsafe(64)


def random_keyring() -> str:
    # A keyring is "key-id:base64-key" entries separated by commas; the first one encrypts.
    return f"k1:{random_key_b64()}"


def read_secret(name: str, *, mode: Mode, keys_dir: Path, generate: Callable[[], str]) -> str:
    """Return secret ``name`` from the environment, from ``{name}_FILE``, or (outside
    production) from a file generated once under ``keys_dir``."""
    value = os.environ.get(name)
    if value:
        return value.strip()
    path_from_env = os.environ.get(f"{name}_FILE")
    if path_from_env:
        try:
            return Path(path_from_env).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE={path_from_env!r} cannot be read: {exc}"
            ) from exc
    if mode is Mode.PRODUCTION:
        raise ImproperlyConfigured(
            f"{name} is required in production: set {name} or {name}_FILE in the environment."
        )
    return _generated_once(keys_dir / name, generate)


def _generated_once(path: Path, generate: Callable[[], str]) -> str:
    # O_EXCL makes the first process win when several start at once (test workers, the
    # web server and a Celery worker): the others read what the winner wrote.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_nonempty(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(generate())
    return _read_nonempty(path)


def _read_nonempty(path: Path) -> str:
    for _ in range(50):
        text = path.read_text().strip()
        if text:
            return text
        # Another process created the file and is still writing it.
        time.sleep(0.05)
    raise ImproperlyConfigured(f"{path} is empty: delete it to have it generated again.")


def parse_keyring(name: str, raw: str) -> dict[str, bytes]:
    """Parse ``id:base64key,id2:base64key`` into an ordered mapping of 32-byte keys."""
    keyring: dict[str, bytes] = {}
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        key_id, sep, encoded = entry.partition(":")
        if not sep or not key_id:
            raise ImproperlyConfigured(f"{name}: entry {key_id!r} is not of the form id:base64key.")
        keyring[key_id] = decode_key(name, encoded)
    if not keyring:
        raise ImproperlyConfigured(f"{name} holds no key.")
    return keyring


def decode_key(name: str, encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: a key is not valid base64.") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name}: every key must be 32 bytes (256 bits).")
    return key


def embedded_database(pgdata: Path, name: str) -> dict[str, object]:
    """Start (or join) the PostgreSQL kept under ``pgdata`` and return Django's settings for it.

    The server keeps running after this process exits, so the next command, test run or
    worker reuses it at once; ``make stop-db`` stops it.
    """
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; /tmp is used instead.
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ImportError as exc:
            raise ImproperlyConfigured(
                "DATABASE_URL is unset and the embedded PostgreSQL (the pgserver package) is "
                "not installed: install the 'embedded' extra (pip install -e '.[embedded]') "
                "or set DATABASE_URL."
            ) from exc

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    _create_database_once(server, name)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": "",
        "CONN_MAX_AGE": 0,
    }


def _create_database_once(server, name: str) -> None:  # type: ignore[no-untyped-def]
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")  # noqa: S608
    if "(1 row)" in exists:
        return
    try:
        server.psql(f'CREATE DATABASE "{name}";')
    except Exception as exc:  # another process may have created it a moment ago
        if "already exists" not in str(exc):
            raise


def with_session_settings(database: dict[str, Any], **values: object) -> dict[str, Any]:
    """``database`` (Django's settings of one connection) with PostgreSQL settings for each
    of its sessions, sent with the connection's start (libpq's ``options``: no statement,
    no round trip). Settings the database's URL gives already (``?options=-c ...``) come
    after these, so that a deployment's own choice wins."""
    options = dict(database.get("OPTIONS") or {})
    ours = " ".join(f"-c {name}={value}" for name, value in values.items())
    given = str(options.get("options") or "").strip()
    options["options"] = f"{ours} {given}".strip()
    return {**database, "OPTIONS": options}
