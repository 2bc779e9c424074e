"""``flush``, which the test suite runs between transactional tests, with the audit log's
TRUNCATE trigger held back in the test mode only.

Everywhere else the database refuses to empty the audit log, whoever asks (migration 0008).
The test mode empties it as PostgreSQL's own replication does: as a superuser, in the
``replica`` session role, in which ordinary triggers do not fire. A role that is not a
superuser cannot take that role, so this opens nothing outside the test databases.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if not settings.TESTING:
            super().handle(**options)
            return
        connection = connections[options["database"]]
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
