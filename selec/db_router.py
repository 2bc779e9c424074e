"""Reads of the statistics go to the read replica, when there is one (DATABASE_REPLICA_URL).

The statistics pages and their exports are the heaviest reads the application makes (a year of
exchanges counted by party, crime area and channel), and they are the one place where data a
few seconds old is as good as fresh: the tables are recomputed by a background run, not by the
request that reads them. Everything else reads and writes the primary ("default"), so that an
officer always sees what they have just done.

Routed to the replica: the reads of the ``analytics`` tables of ``REPLICA_MODELS`` made outside
a transaction. A read inside a transaction on the primary belongs to that transaction (a
statistics run counting what it is about to replace) and stays on the primary; so does a run's
progress (``StatisticsRun``), which a page polls right after asking for it. Writes and
migrations only ever go to the primary: the replica is a copy PostgreSQL keeps.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import Model

DEFAULT = "default"
REPLICA = "replica"
REPLICA_MODELS = frozenset(
    {
        "analytics.exchangestatistic",
        "analytics.importedexchange",
        "analytics.exchangeimport",
        "analytics.recipientset",
    }
)


class ReplicaRouter:
    """Django's database router (``DATABASE_ROUTERS``)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if REPLICA not in connections.settings or model._meta.label_lower not in REPLICA_MODELS:
            return None  # Django's default: the primary, or the instance's own database
        if connections[DEFAULT].in_atomic_block:
            return DEFAULT
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return DEFAULT

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: a row read from either is the same row.
        databases = {DEFAULT, REPLICA}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == DEFAULT
