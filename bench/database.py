"""The bench's own database, next to the configured one on the same server.

It is named after the configured database with ``_bench`` appended, created and dropped
through a maintenance connection (the server's ``postgres`` database), and Django's default
connection points at it while the bench runs: the real database's data is never read or
written. A database kept with ``--keep`` carries a comment naming the number of exchanges
generated into it, so that a later run with the same number measures it again instead of
generating it anew.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import connection, connections

from bench.bulk import plain_connection

SUFFIX = "_bench"
# PostgreSQL's limit on identifiers.
MAX_NAME_LENGTH = 63
_MARKER = re.compile(
    r"selec bench: (?P<exchanges>\d+) exchanges, complete, generated in (?P<seconds>[\d.]+) s"
)


@dataclass(frozen=True)
class Generated:
    """What a complete earlier run generated into a bench database."""

    exchanges: int
    seconds: float


def marker(generated: Generated) -> str:
    return (
        f"selec bench: {generated.exchanges} exchanges, complete, "
        f"generated in {generated.seconds:.1f} s"
    )


def bench_name(configured: str) -> str:
    """The bench database's name; refused when the configured database is itself one."""
    if not configured:
        raise CommandError("The configured database has no name: the bench needs one.")
    if configured.endswith(SUFFIX):
        raise CommandError(
            f"The configured database {configured!r} already ends in {SUFFIX!r}: point "
            f"DATABASE_URL at the real database, the bench makes its own copy next to it."
        )
    name = configured + SUFFIX
    if len(name) > MAX_NAME_LENGTH:
        raise CommandError(f"{name!r} is longer than PostgreSQL's {MAX_NAME_LENGTH} characters.")
    return name


def refuse_production() -> None:
    if settings.PRODUCTION:
        raise CommandError(
            "The bench creates and drops databases and writes generated exchanges: "
            "refused with SELEC_ENV=production."
        )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Server:
    """Statements about whole databases, run from the server's maintenance database."""

    def __init__(self) -> None:
        self._params: dict[str, Any] = dict(connection.get_connection_params())

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        conn = plain_connection(self._params, dbname="postgres")
        # CREATE and DROP DATABASE cannot run inside a transaction block.
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                yield cursor
        finally:
            conn.close()

    def generated(self, name: str) -> Generated | None:
        """What a complete earlier run generated into the database (None when it holds no
        complete generation: never generated, or interrupted)."""
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [name],
            )
            row = cursor.fetchone()
        found = _MARKER.fullmatch(row[0] or "") if row else None
        if found is None:
            return None
        return Generated(exchanges=int(found["exchanges"]), seconds=float(found["seconds"]))

    def create(self, name: str) -> None:
        with self._cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {_quoted(name)}")

    def drop(self, name: str) -> None:
        # FORCE: a run that was interrupted may have left a connection behind.
        with self._cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")

    def mark_complete(self, name: str, generated: Generated) -> None:
        with self._cursor() as cursor:
            cursor.execute(f"COMMENT ON DATABASE {_quoted(name)} IS %s", [marker(generated)])


def _set_default_name(name: str) -> None:
    # One dict in a plain run; kept in step explicitly in case a test runner copied them.
    connections.databases["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name
    settings.DATABASES["default"]["NAME"] = name


@contextmanager
def default_connection_on(name: str) -> Iterator[None]:
    """Point Django's default connection (and settings.DATABASES, which subprocesses are
    told) at another database until the block ends, then back, whatever happens."""
    if connection.in_atomic_block:
        raise CommandError("The bench switches databases: it cannot run inside a transaction.")
    original = connection.settings_dict["NAME"]
    connection.close()
    _set_default_name(name)
    # Content types are cached by id, and ids differ from one database to the other.
    ContentType.objects.clear_cache()
    try:
        yield
    finally:
        connection.close()
        _set_default_name(original)
        ContentType.objects.clear_cache()


def bench_anchor_path(configured: Path | None) -> Path | None:
    """Where the audit heads of the bench database are anchored: beside the configured
    anchor, never in it (the bench's events are not the real log's). In development the
    configured file is named after the database, so this is the name ``verify_audit`` looks
    for when pointed at the bench database."""
    if configured is None:
        return None
    return configured.with_name(f"{configured.stem}{SUFFIX}{configured.suffix}")


def forget_anchor(path: Path | None) -> None:
    """A new or dropped bench database has no heads: an old anchor would name events it does
    not hold."""
    if path is not None:
        path.unlink(missing_ok=True)
