"""The size figure: the database's bytes per exchange, and its main tables'."""

from __future__ import annotations

from typing import Any

from django.db import connection

from bench.measure import Figure
from exchanges.models import Entity, Exchange, ExchangeGroupObjectPermission, Recipient


def _bytes(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [table])
        return cursor.fetchone()[0]


def bytes_per_exchange() -> Figure:
    """The database's size per exchange, and the main tables' with their indexes."""
    count = Exchange.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
    tables = {
        "exchanges": Exchange._meta.db_table,
        "receipts": Recipient._meta.db_table,
        "permissions": ExchangeGroupObjectPermission._meta.db_table,
        "entities": Entity._meta.db_table,
        "audit": "selec_auditevent",
        "notifications": "selec_notification",
    }
    extra: dict[str, Any] = {
        "bytes": round(database / count),
        "database_bytes": database,
        "exchanges_counted": count,
    }
    for name, table in tables.items():
        extra[f"{name}_bytes_per_exchange"] = round(_bytes(table) / count)
    return Figure(extra=extra)
