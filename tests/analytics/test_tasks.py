"""The statistics task on a real worker, in process without a broker, on demand from an
analyst, nightly from beat, and from the command line."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.models import ExchangeStatistic, RunState, StatisticsRun
from analytics.services import statistics_request_computation
from analytics.tasks import compute_statistics, compute_statistics_nightly
from partners.models import Officer
from selec.core.models import AuditAction, AuditEvent
from selec.reference import load_reference_data
from tests.analytics.logs import LogRow, import_rows

ROWS = [
    LogRow(dt.date(2008, 4, 1), "RO", ("BG", "TR"), "request", "drugs", "daily"),
    LogRow(dt.date(2008, 4, 2), "RO", ("AT",), "information", "thb", "daily"),
    LogRow(dt.date(2010, 1, 5), "BA", ("HR", "SI"), "information", "drugs", "regional_operation"),
]


def _wait_until_done(year: int, timeout: float = 30) -> StatisticsRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = StatisticsRun.objects.filter(year=year).first()
        if run is not None and run.state in (RunState.DONE, RunState.FAILED):
            return run
        time.sleep(0.1)
    raise AssertionError(f"the statistics of {year} were not computed in {timeout} s")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_a_year(celery_app, celery_worker) -> None:
    load_reference_data()  # a transactional test starts from an empty database
    import_rows(ROWS)
    compute_statistics.delay(2008)
    run = _wait_until_done(2008)
    assert (run.state, run.exchanges) == (RunState.DONE, 2)
    assert ExchangeStatistic.objects.filter(year=2008, recipient_party__isnull=True).count() == 2


@pytest.mark.django_db
def test_without_a_broker_an_analysts_request_is_computed_after_the_commit(
    analyst: Officer, in_process_tasks, django_capture_on_commit_callbacks
) -> None:
    import_rows(ROWS)
    with django_capture_on_commit_callbacks(execute=True):
        runs = statistics_request_computation(officer=analyst, years=[2010, 2008, 2010])
        assert [(r.year, r.state) for r in runs] == [
            (2008, RunState.QUEUED),
            (2010, RunState.QUEUED),
        ]
        assert not ExchangeStatistic.objects.filter(year__in=[2008, 2010]).exists()
    runs = list(StatisticsRun.objects.filter(year__in=[2008, 2010]).order_by("year"))
    assert [(r.state, r.exchanges, r.requested_by) for r in runs] == [
        (RunState.DONE, 2, analyst),
        (RunState.DONE, 1, analyst),
    ]
    event = AuditEvent.objects.filter(reason="statistics computation requested").get()
    assert (event.action, event.actor, event.details) == (
        AuditAction.COMBINATION,
        analyst,
        {"years": [2008, 2010]},
    )


@pytest.mark.django_db
def test_only_an_analyst_may_ask_for_a_recomputation(
    lo_ro: Officer,
    obs_at: Officer,
    dpo: Officer,
    outsider: Officer,
    django_capture_on_commit_callbacks,
) -> None:
    for officer in (lo_ro, obs_at, dpo, outsider):
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
            statistics_request_computation(officer=officer, years=[2008])
        assert callbacks == []
    assert not StatisticsRun.objects.filter(year=2008).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("years", [[], [1989], [timezone.localdate().year + 1]])
def test_a_recomputation_names_known_years(analyst: Officer, years: list[int]) -> None:
    with pytest.raises(ValidationError):
        statistics_request_computation(officer=analyst, years=years)
    assert not StatisticsRun.objects.exists()


@pytest.mark.django_db
def test_the_nightly_run_recomputes_every_year_with_exchanges_and_this_one(
    in_process_tasks, django_capture_on_commit_callbacks
) -> None:
    import_rows(ROWS)
    with django_capture_on_commit_callbacks(execute=True):
        queued = compute_statistics_nightly()
    this_year = timezone.localdate().year
    assert queued == [2008, 2010, this_year]
    states = dict(StatisticsRun.objects.values_list("year", "state"))
    assert states == dict.fromkeys(queued, RunState.DONE)


def test_beat_runs_the_nightly_recomputation_at_half_past_two() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["compute-statistics-nightly"]
    assert entry["task"] == compute_statistics_nightly.name
    assert entry["schedule"] == crontab(hour=2, minute=30)


# --- The command ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_computes_every_year_with_exchanges_and_reports_it() -> None:
    import_rows(ROWS)
    out = io.StringIO()
    call_command("compute_statistics", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2008: 2 exchanges, ")
    assert lines[1].startswith("2010: 1 exchanges, 3 rows (computed ")
    assert lines[2].startswith("2 years in ")
    assert StatisticsRun.objects.get(year=2010).state == RunState.DONE


@pytest.mark.django_db
def test_the_command_computes_one_year_in_a_few_queries_whatever_its_size() -> None:
    def queries_for_2010() -> int:
        with CaptureQueriesContext(connection) as queries:
            call_command("compute_statistics", "--year", "2010", stdout=io.StringIO())
        return len(queries)

    import_rows(ROWS)
    few = queries_for_2010()
    import_rows([ROWS[2]] * 300, "more.csv")
    assert queries_for_2010() == few <= 12
    assert StatisticsRun.objects.get(year=2010).exchanges == 301
    assert set(StatisticsRun.objects.values_list("year", flat=True)) == {2010}


# (--async, through the broker: tests/analytics/test_statistics_sweep.py.)
