"""``manage.py grant_app_role <role>``: give the login role of the running application (web,
worker, beat) exactly what it needs on the schema, and nothing that would let it undo the
audit log's protection.

The migrations run as the database owner, who creates every table and the audit log's
triggers. The application itself connects as another role that owns nothing: it may read and
write rows (SELECT, INSERT, UPDATE, DELETE on the tables, USAGE on the sequences) and that is
all. ``ALTER TABLE ... DISABLE TRIGGER`` and ``DROP TRIGGER`` need the table's owner, TRUNCATE
and TRIGGER are not granted, and a role that is not a superuser cannot switch triggers off for
its session (``session_replication_role``): the append-only trigger holds whatever the
application, or someone holding its password, sends.

Run by the migration step after ``migrate``, as the owner. Idempotent and exact: the role's
privileges on the schema's tables and sequences are revoked and granted again in one
transaction, so a privilege granted by hand earlier (TRUNCATE, say) does not survive a deploy.
The owner's default privileges cover what later migrations create before this runs again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.utils import CursorWrapper

TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_PRIVILEGES = "USAGE"


class Command(BaseCommand):
    help = (
        "Grant the application's login role SELECT, INSERT, UPDATE and DELETE on every table "
        "of the schema and USAGE on its sequences (now and, through default privileges, for "
        "the tables later migrations create), and nothing else. Run as the schema's owner."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The login role web, worker and beat connect as.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        role: str = options["role"]
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            schema = _refuse_unsafe_role(cursor, role)
            for statement in grant_statements(
                role=connection.ops.quote_name(role), schema=connection.ops.quote_name(schema)
            ):
                cursor.execute(statement)
        self.stdout.write(
            self.style.SUCCESS(
                f"{role}: {TABLE_PRIVILEGES} on the tables of schema {schema}, "
                f"{SEQUENCE_PRIVILEGES} on its sequences."
            )
        )


def grant_statements(*, role: str, schema: str) -> list[str]:
    """The statements, for a role and schema already quoted as identifiers."""
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        # Revoked first so that the result is exactly the grant below, whatever came before.
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        # Tables and sequences the owner (the role running this, the one migrations run as)
        # creates from now on: granted at their creation, so a new table is usable by the
        # application even before this command runs again.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {TABLE_PRIVILEGES} ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {role}",
    ]


def _refuse_unsafe_role(cursor: CursorWrapper, role: str) -> str:
    """The current schema, once ``role`` is known to be a role the grants can limit: it exists,
    is not a superuser (whom no privilege limits), and is not the role running this (the owner,
    which would keep its ownership)."""
    cursor.execute(
        "SELECT rolsuper, rolname = current_user, current_schema() FROM pg_roles WHERE rolname = %s",
        [role],
    )
    row = cursor.fetchone()
    if row is None:
        raise CommandError(
            f"Role {role!r} does not exist: create it first (docker/postgres-init/ does so when "
            "the database is initialised; docs/deployment.md shows how for an existing one)."
        )
    superuser, is_current_user, schema = row
    if superuser:
        raise CommandError(f"Role {role!r} is a superuser: no privilege would limit it.")
    if is_current_user:
        raise CommandError(
            f"Role {role!r} is the role running this command, the owner of the tables: the "
            "application must connect as another one."
        )
    return str(schema)
