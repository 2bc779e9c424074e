"""The application's own database role (``manage.py grant_app_role``): it reads and writes rows,
and the audit log's append-only trigger holds against it, because it owns nothing and so can
neither switch the trigger off nor drop it.

Each test creates a login role in the test cluster (trust authentication on loopback), grants
it through the command, connects as it with psycopg2 to the test database, and drops it at the
end. The tests are transactional: the grants and the rows the role must see are committed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.errors
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from exchanges.models import Exchange
from selec.core.audit import audit_record
from selec.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
SH = shutil.which("sh") or "/bin/sh"
AUDIT_TABLE = AuditEvent._meta.db_table


def _owner_execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.fixture
def app_role() -> Iterator[str]:
    """A fresh login role granted by the command; dropped with its privileges afterwards."""
    role = f"selec_app_{uuid.uuid4().hex[:10]}"
    _owner_execute(f"CREATE ROLE {role} LOGIN")
    try:
        call_command("grant_app_role", role, verbosity=0)
        yield role
    finally:
        # DROP OWNED revokes its privileges and default privileges in this database.
        _owner_execute(f"DROP OWNED BY {role}")
        _owner_execute(f"DROP ROLE {role}")


@pytest.fixture
def as_app_role(app_role: str) -> Iterator[Any]:
    """A psycopg2 connection (autocommit) to the test database as the application's role."""
    settings = connection.settings_dict
    conn = psycopg2.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=app_role,
    )
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def audit_event_id() -> int:
    with transaction.atomic():
        event = audit_record(
            actor=None,
            action=AuditAction.CONSULTATION,
            event="test.thing_recorded",
            object_type="test.thing",
            object_id="1",
            reason="app role test",
        )
    return event.pk


def _refused(conn: Any, sql: str, params: list[object] | None = None) -> psycopg2.Error:
    with pytest.raises(psycopg2.Error) as refused, conn.cursor() as cursor:
        cursor.execute(sql, params)
    return refused.value


def test_the_app_role_reads_and_writes_ordinary_rows(as_app_role) -> None:
    with as_app_role.cursor() as cursor:
        cursor.execute(
            "INSERT INTO selec_serviceheartbeat (name, seen_at) VALUES ('worker:probe', now())"
        )
        cursor.execute("SELECT count(*) FROM selec_serviceheartbeat WHERE name = 'worker:probe'")
        assert cursor.fetchone()[0] == 1
        # Reading the application's tables (what other tests committed there does not matter).
        cursor.execute("SELECT count(*) FROM partners_officer")
        cursor.execute(
            "UPDATE selec_serviceheartbeat SET seen_at = now() WHERE name = 'worker:probe'"
        )
        assert cursor.rowcount == 1
        cursor.execute("DELETE FROM selec_serviceheartbeat WHERE name = 'worker:probe'")
        assert cursor.rowcount == 1
        # The exchange log import refreshes the planner's statistics: as a non-owner, PostgreSQL
        # skips that with a warning instead of failing the import.
        cursor.execute("ANALYZE analytics_importedexchange")


def test_the_trigger_refuses_the_app_roles_update_and_delete_of_audit_rows(
    as_app_role, audit_event_id: int
) -> None:
    for sql in (
        f"UPDATE {AUDIT_TABLE} SET reason = 'rewritten' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {AUDIT_TABLE} WHERE id = %s",  # noqa: S608
    ):
        error = _refused(as_app_role, sql, [audit_event_id])
        assert isinstance(error, psycopg2.errors.InsufficientPrivilege)
        assert "append-only" in str(error)
    assert AuditEvent.objects.filter(pk=audit_event_id, reason="app role test").exists()


@pytest.mark.parametrize(
    "statement",
    [
        f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER ALL",
        f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER selec_audit_append_only",
        f"DROP TRIGGER selec_audit_append_only ON {AUDIT_TABLE}",
        f"TRUNCATE {AUDIT_TABLE}",
        # What the test suite's flush does as a superuser: triggers off for the session.
        "SET session_replication_role = replica",
        f"CREATE TRIGGER selec_probe BEFORE INSERT ON {AUDIT_TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    ],
)
def test_the_app_role_cannot_switch_the_audit_protection_off(as_app_role, statement: str) -> None:
    error = _refused(as_app_role, statement)
    assert isinstance(error, psycopg2.errors.InsufficientPrivilege), error
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND NOT tgisinternal ORDER BY tgname",
            [AUDIT_TABLE],
        )
        assert cursor.fetchall() == [
            ("selec_audit_append_only", "O"),
            ("selec_audit_no_truncate", "O"),
        ]


def _privileges(role: str, table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE',"
            "'REFERENCES','TRIGGER']) AS p WHERE has_table_privilege(%s, %s, p)",
            [role, table],
        )
        return {p for (p,) in cursor.fetchall()}


def test_granting_again_leaves_exactly_the_row_privileges(app_role: str) -> None:
    # A privilege granted by hand meanwhile does not survive the next deploy's grant.
    _owner_execute(f"GRANT TRUNCATE, TRIGGER ON {AUDIT_TABLE} TO {app_role}")
    call_command("grant_app_role", app_role, verbosity=0)
    call_command("grant_app_role", app_role, verbosity=0)
    assert _privileges(app_role, AUDIT_TABLE) == {"SELECT", "INSERT", "UPDATE", "DELETE"}


def test_a_table_created_by_a_later_migration_is_granted_at_its_creation(app_role: str) -> None:
    table = f"probe_{uuid.uuid4().hex[:8]}"
    _owner_execute(f"CREATE TABLE {table} (id bigint GENERATED BY DEFAULT AS IDENTITY)")
    try:
        assert _privileges(app_role, table) == {"SELECT", "INSERT", "UPDATE", "DELETE"}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT has_sequence_privilege(%s, pg_get_serial_sequence(%s, 'id'), 'USAGE')",
                [app_role, table],
            )
            assert cursor.fetchone()[0] is True
    finally:
        _owner_execute(f"DROP TABLE {table}")


def test_it_refuses_a_superuser_and_a_missing_role() -> None:
    with pytest.raises(CommandError, match="superuser"):
        call_command("grant_app_role", "postgres", verbosity=0)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("grant_app_role", f"nobody_{uuid.uuid4().hex[:8]}", verbosity=0)


SEND_AS_APP = """
from partners.models import Officer
from tests.records.reviews import sent
exchange = sent(Officer.objects.get(username="lo.ro"), "Bulgarian Police")
print(exchange.pk)
"""


def _manage_as(role: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    environment = {
        **{k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"},
        "DATABASE_URL": f"postgres://{role}@{host}:{port}/{settings['NAME']}",
        "SELEC_ENV": "test",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_application_sends_and_seals_as_the_app_role(app_role: str) -> None:
    # The send service (encryption, permissions, receipts, notifications, the outbox and its
    # audit events, its after-commit tasks in-process), then the verification that seals the
    # new audit events: all of it as the application's role. The personas are loaded again:
    # the transactional test before this one emptied the database.
    call_command("seed_demo", "--personas-only", verbosity=0)
    sent = _manage_as(app_role, "shell", "-c", SEND_AS_APP)
    assert sent.returncode == 0, sent.stderr
    exchange = Exchange.objects.get(pk=int(sent.stdout.strip().splitlines()[-1]))
    verified = _manage_as(app_role, "verify_audit")
    assert verified.returncode == 0, verified.stderr
    assert not AuditEvent.objects.filter(chain_hash__isnull=True).exists()
    assert AuditEvent.objects.filter(
        object_type="exchanges.exchange", object_id=str(exchange.pk)
    ).exists()


def _run_init_script(role: str, password: str) -> subprocess.CompletedProcess[str]:
    """docker/postgres-init/10-app-role.sh as PostgreSQL's image runs it (psql as the owner)."""
    settings = connection.settings_dict
    environment = {
        **os.environ,
        "PGHOST": settings["HOST"] or "127.0.0.1",
        "PGPORT": str(settings["PORT"] or 5432),
        "POSTGRES_USER": settings["USER"],
        "POSTGRES_DB": settings["NAME"],
        "POSTGRES_APP_USER": role,
        "POSTGRES_APP_PASSWORD": password,
    }
    return subprocess.run(
        [SH, str(ROOT / "docker" / "postgres-init" / "10-app-role.sh")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_database_init_script_creates_a_plain_login_role_and_can_run_again() -> None:
    # A name and a password with quotes: they reach PostgreSQL as literals, not as SQL.
    role = f"selec app'{uuid.uuid4().hex[:8]}"
    quoted = connection.ops.quote_name(role)
    try:
        hashes = []
        for password in ("first'; DROP TABLE selec_auditevent; --", "second"):
            result = _run_init_script(role, password)
            assert result.returncode == 0, result.stderr
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolpassword "
                    "FROM pg_authid WHERE rolname = %s",
                    [role],
                )
                login, superuser, createdb, createrole, password_hash = cursor.fetchone()
            assert (login, superuser, createdb, createrole) == (True, False, False, False)
            hashes.append(password_hash)
        # The second run set the new password on the existing role.
        assert hashes[0] != hashes[1]
        assert all(h.startswith("SCRAM-SHA-256$") for h in hashes)
        assert AuditEvent._meta.db_table in connection.introspection.table_names()
    finally:
        _owner_execute(f"DROP ROLE IF EXISTS {quoted}")
