"""Computing the yearly exchange statistics, and asking for it.

``statistics_compute`` replaces one year's rows of ``ExchangeStatistic`` with the result of one
aggregate statement over the metadata of the live and the imported exchanges (see
``analytics.queries`` for the counting rules as SQL). It is idempotent (the same data give the
same rows) and safe when two run at once for one year: a transaction-scoped advisory lock per
year serialises them, and each deletes and inserts the year's rows in its own transaction, so
readers see either the previous rows or the new ones. ``StatisticsRun`` records the progress.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from analytics import queries
from analytics.access import statistics_access_for
from analytics.models import ExchangeStatistic, RunState, StatisticsRun
from analytics.tables import MIN_YEAR
from analytics.tasks import compute_statistics
from partners.models import Officer
from selec.audit import audit_record
from selec.models import AuditAction

logger = logging.getLogger(__name__)

# The first key of the advisory locks (pg_advisory_xact_lock(int, int)) that serialise the
# computations of one year; the second is the year.
_YEAR_LOCK_NAMESPACE = 0x5E1EC57


@dataclass(frozen=True)
class YearBounds:
    first_day: dt.date
    next_year: dt.date
    first_moment: dt.datetime
    next_moment: dt.datetime


def year_bounds(year: int) -> YearBounds:
    """The year as dates and as instants: it starts at midnight in the project's time zone."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    first_day, next_year = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    return YearBounds(
        first_day=first_day,
        next_year=next_year,
        first_moment=dt.datetime.combine(first_day, dt.time(), tzinfo=zone),
        next_moment=dt.datetime.combine(next_year, dt.time(), tzinfo=zone),
    )


def statistics_compute(*, year: int) -> StatisticsRun:
    """Recompute one year. On failure the run records the error, the previous rows stay in
    place, and the error is raised again."""
    _mark_running(year)
    try:
        with transaction.atomic():
            rows, exchanges = _replace_rows(year)
            finished = timezone.now()
            StatisticsRun.objects.filter(year=year).update(
                state=RunState.DONE,
                finished_at=finished,
                computed_at=finished,
                rows=rows,
                exchanges=exchanges,
                error="",
            )
    except Exception as exc:
        logger.exception("Statistics of %s failed.", year)
        StatisticsRun.objects.filter(year=year).update(
            state=RunState.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    return StatisticsRun.objects.get(year=year)


def _mark_running(year: int) -> None:
    """In a transaction of its own, so that the page shows the run while it lasts."""
    now = timezone.now()
    StatisticsRun.objects.bulk_create(
        [StatisticsRun(year=year, state=RunState.RUNNING, requested_at=now, started_at=now)],
        update_conflicts=True,
        unique_fields=["year"],
        update_fields=["state", "started_at", "finished_at", "error"],
    )


def _replace_rows(year: int) -> tuple[int, int]:
    """Delete the year's rows and insert them again, under the year's lock. Returns the
    number of rows and of exchanges counted."""
    bounds = year_bounds(year)
    dates = {"first_day": bounds.first_day, "next_year": bounds.next_year}
    with connection.cursor() as cursor:
        # The rows can always be computed again, and a crash loses the whole transaction (rows
        # and run alike): no need to wait for the commit to reach the disk.
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_YEAR_LOCK_NAMESPACE, year])
        ExchangeStatistic.objects.filter(year=year).delete()
        cursor.execute(queries.STATUS_CHANGE_DAYS, dates)
        period_starts = [bounds.first_day, *(day for (day,) in cursor.fetchall())]
        cursor.execute(
            queries.yearly_statistics(len(period_starts)),
            {
                **dates,
                "year": year,
                "period_starts": period_starts,
                "first_moment": bounds.first_moment,
                "next_moment": bounds.next_moment,
                "time_zone": settings.TIME_ZONE,
            },
        )
        rows, exchanges = cursor.fetchone()
    return rows, exchanges


def statistics_years() -> list[int]:
    """The years that have any exchange, live or imported, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(queries.YEARS_WITH_EXCHANGES, {"time_zone": settings.TIME_ZONE})
        return [year for (year,) in cursor.fetchall()]


@transaction.atomic
def statistics_request_computation(*, officer: Officer, years: list[int]) -> list[StatisticsRun]:
    """An analyst asks for years to be recomputed: each is marked queued, and computed by a
    task after the commit."""
    if not statistics_access_for(officer).may_recompute:
        raise PermissionDenied("Only analysts recompute statistics.")
    wanted = _valid_years(years)
    runs = statistics_queue(years=wanted, requested_by=officer)
    audit_record(
        actor=officer,
        action=AuditAction.COMBINATION,
        object_type=StatisticsRun._meta.label_lower,
        object_id=",".join(str(year) for year in wanted),
        reason="statistics computation requested",
        details={"years": wanted},
    )
    return runs


def statistics_queue(
    *, years: Iterable[int], requested_by: Officer | None = None
) -> list[StatisticsRun]:
    """Mark the years queued and queue their computation after the commit (no audit: the
    callers are the nightly schedule, the command line, and the services that audit)."""
    wanted = sorted(set(years))
    now = timezone.now()
    with transaction.atomic():
        StatisticsRun.objects.bulk_create(
            [
                StatisticsRun(
                    year=year, state=RunState.QUEUED, requested_by=requested_by, requested_at=now
                )
                for year in wanted
            ],
            update_conflicts=True,
            unique_fields=["year"],
            update_fields=["state", "requested_by", "requested_at"],
        )
        for year in wanted:
            compute_statistics.delay_on_commit(year)
        return list(StatisticsRun.objects.filter(year__in=wanted).order_by("year"))


def statistics_queue_every_year() -> list[StatisticsRun]:
    """The nightly recomputation: every year with exchanges, and the current one.

    Every year rather than the ones whose data changed: the counts depend on rows other apps
    own and change (the status history, which an admin may backdate; cases; imports), and a
    year costs one indexed aggregate, seconds even for a million exchanges. Recomputing them
    all needs no change tracking and repairs whatever a missed run left behind.
    """
    return statistics_queue(years=[*statistics_years(), timezone.localdate().year])


def _valid_years(years: Iterable[int]) -> list[int]:
    """The years asked for, sorted and each once: from MIN_YEAR to the current year."""
    wanted = sorted(set(years))
    this_year = timezone.localdate().year
    if not wanted:
        raise ValidationError({"years": ["Choose at least one year."]})
    outside = [year for year in wanted if not MIN_YEAR <= year <= this_year]
    if outside:
        raise ValidationError(
            {"years": [f"Years run from {MIN_YEAR} to {this_year}, not {outside[0]}."]}
        )
    return wanted
