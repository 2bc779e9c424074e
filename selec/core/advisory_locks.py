"""PostgreSQL advisory locks named by a namespace and an integer (a year, a run's id).

A long computation holds its lock for as long as it runs, and PostgreSQL releases it when the
computation's connection ends, killed process included: a periodic sweep tells a computation
still alive from one whose worker died by trying the lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection


def unlocked_of(namespace: int, numbers: Iterable[int]) -> list[int]:
    """Those of ``numbers`` whose lock ``(namespace, number)`` nobody holds, ascending. Each is
    tried, never waited for, and taken by the current transaction until it ends, so that no
    computation starts on it in between (call it inside ``transaction.atomic``)."""
    wanted = sorted(set(numbers))
    if not wanted:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number FROM unnest(%s::int[]) AS number"
            " WHERE pg_try_advisory_xact_lock(%s, number) ORDER BY number",
            [wanted, namespace],
        )
        return [number for (number,) in cursor.fetchall()]


@contextmanager
def session_lock(namespace: int, number: int) -> Iterator[bool]:
    """Try the lock ``(namespace, number)`` for the connection's session (across the
    transactions of a long run); yield whether it was taken, and release it after."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, number])
        (taken,) = cursor.fetchone() or (False,)
    try:
        yield bool(taken)
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, number])
