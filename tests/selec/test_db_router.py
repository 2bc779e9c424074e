"""With a read replica (DATABASE_REPLICA_URL), the statistics are read from it, and everything
else, writes and migrations included, goes to the primary (selec.db_router).

The replica here is a second real database with the primary's schema: a row written only there
is what proves where a read went.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import psycopg2
import pytest
from django.db import connection, connections, transaction

from analytics.models import ExchangeStatistic, RecipientSet, StatisticsRun
from partners.models import Party
from selec.db_router import REPLICA, ReplicaRouter

router = ReplicaRouter()


def _on_the_server(statement: str) -> None:
    """Run ``statement`` (CREATE or DROP DATABASE: outside a transaction) on the server."""
    settings = connection.settings_dict
    admin = psycopg2.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
    )
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(statement)
    finally:
        admin.close()


def _executable(name: str) -> str:
    path = shutil.which(name)
    # PostgreSQL's client programs come with the server the tests run against.
    assert path is not None, f"{name} is not installed"
    return path


def _libpq_environment() -> dict[str, str]:
    settings = connection.settings_dict
    environment = {"PGHOST": settings["HOST"], "PGUSER": settings["USER"]}
    environment["PGPORT"] = str(settings["PORT"] or 5432)
    if settings["PASSWORD"]:
        environment["PGPASSWORD"] = settings["PASSWORD"]
    return environment


@pytest.fixture(scope="module", autouse=True)
def replica(django_db_setup) -> Iterator[str]:
    """A database holding the primary's schema, reachable as the "replica" alias, as the
    settings define it when DATABASE_REPLICA_URL is given. Module-wide: the alias must exist
    before a test declares that it uses it."""
    primary = connection.settings_dict["NAME"]
    name = f"{primary}_replica"
    _on_the_server(f'DROP DATABASE IF EXISTS "{name}"')
    _on_the_server(f'CREATE DATABASE "{name}"')
    env = {**os.environ, **_libpq_environment()}
    schema = subprocess.run(
        [_executable("pg_dump"), "--schema-only", "--no-owner", primary],
        env=env,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(
        [_executable("psql"), "--quiet", "--set", "ON_ERROR_STOP=1", name],
        input=schema,
        env=env,
        capture_output=True,
        check=True,
    )
    connections.settings[REPLICA] = {**connection.settings_dict, "NAME": name}
    try:
        yield name
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        _on_the_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Transactional: in a test's own transaction, every read is inside a transaction, and stays on
# the primary.
with_replica = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@with_replica
def test_statistics_are_read_from_the_replica() -> None:
    RecipientSet.objects.using(REPLICA).create(party_ids=[101, 102])
    # Read without naming a database: the router sends it to the replica, the only place the
    # row exists.
    assert RecipientSet.objects.filter(party_ids=[101, 102]).exists()
    assert not RecipientSet.objects.using("default").filter(party_ids=[101, 102]).exists()


@with_replica
def test_a_read_inside_a_transaction_stays_on_the_primary() -> None:
    RecipientSet.objects.using(REPLICA).create(party_ids=[103])
    with transaction.atomic():
        # What a statistics run counts before replacing it must be what it replaces.
        assert not RecipientSet.objects.filter(party_ids=[103]).exists()


@with_replica
def test_writes_go_to_the_primary() -> None:
    RecipientSet.objects.create(party_ids=[104])
    assert RecipientSet.objects.using("default").filter(party_ids=[104]).exists()
    assert not RecipientSet.objects.using(REPLICA).filter(party_ids=[104]).exists()


def test_everything_else_reads_the_primary() -> None:
    assert router.db_for_read(Party) is None  # Django's default: the primary
    assert router.db_for_read(StatisticsRun) is None  # a run's progress, polled right after
    assert router.db_for_read(ExchangeStatistic) == REPLICA


def test_without_a_replica_every_read_is_the_primary_s(monkeypatch) -> None:
    monkeypatch.delitem(connections.settings, REPLICA)
    assert router.db_for_read(ExchangeStatistic) is None
    assert router.db_for_write(ExchangeStatistic) == "default"


def test_migrations_run_on_the_primary_only() -> None:
    assert router.allow_migrate("default", "analytics") is True
    assert router.allow_migrate(REPLICA, "analytics") is False
