"""Computing the yearly exchange statistics, and asking for it.

``statistics_compute_years`` (``statistics_compute`` for one year) brings the years' rows of
``ExchangeStatistic`` to the result of one aggregate statement over the metadata of the live
and the imported exchanges (see ``analytics.queries`` for the counting rules as SQL), which
reads each source once whatever the number of years, in a constant number of queries. It is
idempotent (the same data give the same rows, and an unchanged year writes nothing) and safe
when two run at once for one year: a transaction-scoped advisory lock per year serialises
them, and each changes the years' rows in its own transaction, so readers see either the
previous rows or the new ones. ``StatisticsRun`` records the progress, and
``statistics_sweep`` (every minute) queues again the runs whose computation was lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import queries
from analytics.access import statistics_access_for
from analytics.models import AnalyticsAuditEvent, RunState, StatisticsRun
from analytics.tables import MIN_YEAR
from analytics.tasks import compute_statistics
from partners.models import Officer
from selec.core.advisory_locks import unlocked_of
from selec.core.audit import audit_record
from selec.core.models import AuditAction

logger = logging.getLogger(__name__)

# The first key of the advisory locks (pg_advisory_xact_lock(int, int)) that serialise the
# computations of one year; the second is the year.
_YEAR_LOCK_NAMESPACE = 0x5E1EC57
# For the computation's transaction only. Its rows can always be computed again, and a crash
# loses the whole transaction (rows and runs alike): no need to wait for the commit to reach
# the disk. The statement runs once per plan: compiling it (JIT) costs more than it saves. It
# groups every exchange of the years: the planner, which cannot know how alike they are,
# expects as many groups as exchanges (ten times more rows than there are, besides, as it
# counts ten for each set-returning function) and would sort them on disk; hashed, the groups
# of a million exchanges take tens of MB (at most 512 MB per grouping, then it spills). Room
# to hash is not enough: for every year at once its count outgrows any room (200,000
# exchanges: 5.3 million groups expected, 150,000 found; a sort of 62 MB on disk, 3.8 of the
# statement's 4.2 s), so sorting is ruled out where hashing can do the work instead (the
# small sorts of the status history and the periods stay: nothing else can do theirs).
COMPUTATION_SETTINGS = (
    "SET LOCAL synchronous_commit = off; SET LOCAL jit = off; "
    "SET LOCAL work_mem = '64MB'; SET LOCAL hash_mem_multiplier = 8; "
    "SET LOCAL enable_sort = off"
)


def statistics_compute(*, year: int) -> StatisticsRun:
    """Recompute one year. On failure the run records the error, the previous rows stay in
    place, and the error is raised again."""
    (run,) = statistics_compute_years(years=[year])
    return run


def statistics_compute_years(*, years: Iterable[int]) -> list[StatisticsRun]:
    """Recompute several years at once, oldest first: one statement reads each source once
    for all of them, in a constant number of queries whatever their number. The years
    succeed or fail together: on failure every run records the error, the previous rows stay
    in place, and the error is raised again."""
    wanted = sorted(set(years))
    if not wanted:
        return []
    _mark_running(wanted)
    try:
        with transaction.atomic():
            counted = _recompute_rows(wanted)
            _mark_done(counted)
    except Exception as exc:
        logger.exception("Statistics of %s failed.", years_listed(wanted))
        StatisticsRun.objects.filter(year__in=wanted).update(
            state=RunState.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    return list(StatisticsRun.objects.filter(year__in=wanted).order_by("year"))


@dataclass(frozen=True)
class YearCounted:
    """What the statement answers for each year: the rows it now has, the exchanges counted."""

    year: int
    rows: int
    exchanges: int


def _mark_running(years: list[int]) -> None:
    """In a transaction of its own, so that the page shows the runs while they last."""
    now = timezone.now()
    StatisticsRun.objects.bulk_create(
        [
            StatisticsRun(year=year, state=RunState.RUNNING, requested_at=now, started_at=now)
            for year in years
        ],
        update_conflicts=True,
        unique_fields=["year"],
        update_fields=["state", "started_at", "finished_at", "error"],
    )


def _recompute_rows(years: list[int]) -> list[YearCounted]:
    """Bring the years' rows to what the data give now, under the years' locks. Returns, per
    year, the number of rows and of exchanges counted."""
    with connection.cursor() as cursor:
        cursor.execute(COMPUTATION_SETTINGS)
        # One lock per year, taken in ascending order (the array is sorted and unnest keeps
        # its order), so that computations of overlapping years queue instead of deadlocking.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, year) FROM unnest(%s::int[]) AS year",
            [_YEAR_LOCK_NAMESPACE, years],
        )
        cursor.execute(queries.YEARLY_STATISTICS, {"years": years, "time_zone": settings.TIME_ZONE})
        return [YearCounted(*row) for row in cursor.fetchall()]


def _mark_done(counted: list[YearCounted]) -> None:
    """Every run in one UPDATE, each with its own counts."""
    finished = timezone.now()
    StatisticsRun.objects.filter(year__in=[each.year for each in counted]).update(
        state=RunState.DONE,
        finished_at=finished,
        computed_at=finished,
        rows=_per_year(counted, "rows"),
        exchanges=_per_year(counted, "exchanges"),
        error="",
    )


def _per_year(counted: list[YearCounted], field: str) -> Case:
    """``field`` of each year's count, as a column expression of the year's run."""
    return Case(
        *(When(year=each.year, then=Value(getattr(each, field))) for each in counted),
        default=Value(0),
    )


def years_listed(years: Iterable[int]) -> str:
    """The years as the logs and the command name them: "2008, 2010"."""
    return ", ".join(str(year) for year in years)


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
        raise PermissionDenied(_("Only analysts recompute statistics."))
    wanted = _valid_years(years)
    runs = statistics_queue(years=wanted, requested_by=officer)
    audit_record(
        actor=officer,
        action=AuditAction.COMBINATION,
        event=AnalyticsAuditEvent.STATISTICS_COMPUTATION_REQUESTED,
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
    with transaction.atomic():
        runs = statistics_mark_queued(years=years, requested_by=requested_by)
        for run in runs:
            compute_statistics.delay_on_commit(run.year)
        return runs


def statistics_mark_queued(
    *, years: Iterable[int], requested_by: Officer | None = None
) -> list[StatisticsRun]:
    """Mark the years queued, without queueing anything: the caller queues them, or leaves it
    to ``statistics_sweep``, which queues runs left queued."""
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
        return list(StatisticsRun.objects.filter(year__in=wanted).order_by("year"))


def statistics_queue_every_year() -> list[StatisticsRun]:
    """The nightly recomputation: every year with exchanges, and the current one.

    Every year rather than the ones whose data changed: the counts depend on rows other apps
    own and change (the status history, which an admin may backdate; cases; imports), and a
    year costs one indexed aggregate, seconds even for a million exchanges. Recomputing them
    all needs no change tracking and repairs whatever a missed run left behind.
    """
    return statistics_queue(years=[*statistics_years(), timezone.localdate().year])


# A run queued this long ago lost its message (published while the broker was down, or
# taken by a worker that died before starting it): the sweep queues it again. Longer than the
# nightly queue of every year takes to drain; a run queued twice is computed twice, harmlessly.
QUEUED_AT_MOST = dt.timedelta(minutes=5)
# A run marked running takes its years' locks an instant later (or waits for them behind
# another computation, which holds them): before this long, a free lock proves nothing.
RUNNING_GRACE = dt.timedelta(seconds=30)


def statistics_sweep() -> list[int]:
    """Queue again the runs whose computation was lost; return their years.

    Run every minute (``analytics.tasks.sweep_statistics``). Lost: queued longer than
    QUEUED_AT_MOST, or marked running while no computation holds the year's lock (its worker
    was killed: the database ended its transaction and released the lock). A computation
    alive, or ending right now (its transaction holds the run's row), is left alone.
    """
    now = timezone.now()
    with transaction.atomic():
        # SKIP LOCKED: a row locked is one a computation is marking running or done.
        candidates = list(
            StatisticsRun.objects.select_for_update(skip_locked=True)
            .filter(
                Q(state=RunState.QUEUED, requested_at__lt=now - QUEUED_AT_MOST)
                | Q(state=RunState.RUNNING, started_at__lt=now - RUNNING_GRACE)
            )
            .order_by("year")
            .values_list("year", "state")
        )
        running = [year for year, state in candidates if state == RunState.RUNNING]
        lost = [year for year, state in candidates if state == RunState.QUEUED]
        # Years whose lock nobody holds: their computation died (taken until this commit).
        lost += unlocked_of(_YEAR_LOCK_NAMESPACE, running)
        if not lost:
            return []
        lost.sort()
        # requested_at restarts the wait; requested_by stays who asked.
        StatisticsRun.objects.filter(year__in=lost).update(state=RunState.QUEUED, requested_at=now)
        for year in lost:
            compute_statistics.delay_on_commit(year)
    logger.warning("Statistics of %s lost their computation: queued again.", years_listed(lost))
    return lost


def _valid_years(years: Iterable[int]) -> list[int]:
    """The years asked for, sorted and each once: from MIN_YEAR to the current year."""
    wanted = sorted(set(years))
    this_year = timezone.localdate().year
    if not wanted:
        raise ValidationError({"years": [_("Choose at least one year.")]})
    outside = [year for year in wanted if not MIN_YEAR <= year <= this_year]
    if outside:
        raise ValidationError(
            {
                "years": [
                    _("Years run from %(first)d to %(last)d, not %(year)d.")
                    % {"first": MIN_YEAR, "last": this_year, "year": outside[0]}
                ]
            }
        )
    return wanted
