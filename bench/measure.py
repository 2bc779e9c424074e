"""The figures: the code the pages and services run, timed, its queries counted, and, where
one SELECT can return the same rows, the bare SQL beside it.

Each figure is measured after a warm-up, repeated, and reported as its median and 95th
percentile in milliseconds. Queries are counted in one more run of its own
(``CaptureQueriesContext``), so that recording them costs the timed runs nothing. Whatever the
page does before calling its selector (loading the signed-in officer) is done outside the
timer, afresh for every run, so that the per-request queries (the officer's groups, their
agency) are counted as a request pays them.

This module measures; the figures are those of the inbox (``measure_inbox``), the other pages
(``measure_pages``), an officer's actions (``measure_actions``), the statistics
(``measure_statistics``) and the database's size (``measure_storage``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth import get_backends
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.load_client import percentile
from partners.models import Officer

T = TypeVar("T")


@dataclass
class Figure:
    p50_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    bare_p50_ms: float | None = None
    ratio: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "queries": self.queries,
            "bare_p50_ms": self.bare_p50_ms,
            "ratio": self.ratio,
            **self.extra,
        }


@dataclass(frozen=True)
class Plan:
    """How often each figure runs: ``repeat`` for the quick ones, fewer for the slow ones."""

    repeat: int
    warmup: int = 3

    @property
    def slow(self) -> int:
        return max(3, self.repeat // 6)


def _rounded(value: float) -> float:
    return round(value, 3)


def count_queries(run: Callable[[], object]) -> int:
    # The log is a bounded deque: once full (DEBUG logs every query), its length stops
    # growing and the context would count nothing.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def timed(run: Callable[[T], object], fresh: Callable[[], T], *, times: int) -> list[float]:
    """Milliseconds of each run; ``fresh`` makes its argument beforehand, untimed."""
    samples = []
    for _ in range(times):
        argument = fresh()
        start = time.perf_counter()
        run(argument)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def measure(
    run: Callable[[T], object],
    fresh: Callable[[], T],
    *,
    times: int,
    warmup: int,
    bare: Callable[[], object] | None = None,
) -> Figure:
    """Warm up, count the queries of one run, time ``times`` runs, and the bare SQL's."""
    for _ in range(warmup):
        run(fresh())
    argument = fresh()
    queries = count_queries(lambda: run(argument))
    samples = timed(run, fresh, times=times)
    p50_ms = _rounded(percentile(samples, 0.5))
    figure = Figure(p50_ms=p50_ms, p95_ms=_rounded(percentile(samples, 0.95)), queries=queries)
    if bare is not None:
        for _ in range(warmup):
            bare()
        bare_samples = timed(lambda _: bare(), lambda: None, times=times)
        bare_p50_ms = _rounded(percentile(bare_samples, 0.5))
        figure.bare_p50_ms = bare_p50_ms
        figure.ratio = round(p50_ms / bare_p50_ms, 2) if bare_p50_ms else None
    return figure


def nothing() -> None:
    return None


def fresh_officer(username: str) -> Callable[[], Officer]:
    """The officer as the authentication middleware loads them for each request: by the
    first configured backend that loads users (the one a login records in the session)."""
    pk = Officer.objects.values_list("pk", flat=True).get(username=username)

    def load() -> Officer:
        for backend in get_backends():
            # Not every backend loads users (axes' only refuses logins).
            get_user = getattr(backend, "get_user", None)
            officer = get_user(pk) if get_user else None
            if officer is not None:
                return officer
        raise LookupError(f"No authentication backend loads {username}.")

    return load


def worst_of(figures: dict[str, Figure]) -> Figure:
    """The summary of several figures: the slowest median (and its key), the most queries."""
    slowest = max(figures, key=lambda k: figures[k].p50_ms or 0.0)
    figure = figures[slowest]
    return Figure(
        p50_ms=figure.p50_ms,
        p95_ms=max(f.p95_ms or 0.0 for f in figures.values()),
        queries=max(f.queries or 0 for f in figures.values()),
        bare_p50_ms=figure.bare_p50_ms,
        ratio=max(f.ratio or 0.0 for f in figures.values()),
        extra={"slowest": slowest},
    )
