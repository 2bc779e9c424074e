"""The statistics' figures: a year's recomputation and all years', beside one GROUP BY over
the same rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from analytics.services import statistics_compute, statistics_compute_years, statistics_years
from bench.measure import Figure, Plan, measure, nothing
from exchanges.models import Exchange
from partners.models import Agency


def _bare_statistics(year: int | None) -> Callable[[], object]:
    """One GROUP BY over the same rows: the metadata the statistics count, per year (a year
    starts at midnight in the project's time zone)."""
    exchanges, agencies = Exchange._meta.db_table, Agency._meta.db_table
    params: dict[str, Any] = {"zone": settings.TIME_ZONE, "year": year}
    where = ""
    if year is not None:
        where = (
            "WHERE e.sent_at >= make_timestamptz(%(year)s, 1, 1, 0, 0, 0, %(zone)s) "
            "AND e.sent_at < make_timestamptz(%(year)s + 1, 1, 1, 0, 0, 0, %(zone)s)"
        )
    sql = (
        f"SELECT extract(year FROM e.sent_at AT TIME ZONE %(zone)s), e.crime_area_id, e.kind, "  # noqa: S608
        f"s.party_id, e.task_force_id, count(*) FROM {exchanges} e "
        f"JOIN {agencies} s ON s.id = e.sender_agency_id {where} GROUP BY 1, 2, 3, 4, 5"
    )

    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def statistics_year(plan: Plan) -> Figure:
    """``statistics_compute`` of the last whole year (what a recomputation of it runs)."""
    years = statistics_years()
    this_year = timezone.localdate().year
    year = this_year - 1 if this_year - 1 in years else years[-1]
    figure = measure(
        lambda _: statistics_compute(year=year),
        nothing,
        times=plan.slow,
        warmup=1,
        bare=_bare_statistics(year),
    )
    figure.extra["year"] = year
    return figure


def statistics_all(plan: Plan) -> Figure:
    """Every year that has exchanges, computed together (``statistics_compute_years``)."""
    years = statistics_years()
    figure = measure(
        lambda _: statistics_compute_years(years=years),
        nothing,
        times=plan.slow,
        warmup=1,
        bare=_bare_statistics(None),
    )
    figure.extra["years"] = len(years)
    return figure
