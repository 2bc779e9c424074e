"""What a database needs after a bulk load: its sequences moved past the ids written, and its
statistics."""

from __future__ import annotations

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection


def reset_sequences() -> None:
    """Every sequence past the highest id of its table, so the services' inserts go on."""
    statements = connection.ops.sequence_reset_sql(
        no_style(), apps.get_models(include_auto_created=True)
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def vacuum_analyze() -> None:
    """Statistics for the planner, and the visibility map that lets index-only scans skip the
    tables (a database that has run for a while has both; a fresh load has neither)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
