"""The statistics sweep: runs whose computation was lost (a message never delivered, a worker
killed mid-computation) are queued again and end equal to a clean recomputation; a computation
alive is left alone. And the command that queues through the broker says what it did."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from analytics.models import ExchangeStatistic, RunState, StatisticsRun
from analytics.services import (
    _YEAR_LOCK_NAMESPACE,
    QUEUED_AT_MOST,
    RUNNING_GRACE,
    statistics_compute,
    statistics_sweep,
)
from analytics.tasks import sweep_statistics
from selec.reference import load_reference_data
from tests.analytics.logs import LogRow, import_rows

ROWS = [
    LogRow(dt.date(2008, 4, 1), "RO", ("BG", "TR"), "request", "drugs", "daily"),
    LogRow(dt.date(2008, 4, 2), "RO", ("AT",), "information", "thb", "daily"),
    LogRow(dt.date(2010, 1, 5), "BA", ("HR", "SI"), "information", "drugs", "regional_operation"),
]


def _run(year: int, state: RunState, *, age: dt.timedelta) -> None:
    at = timezone.now() - age
    StatisticsRun.objects.update_or_create(
        year=year, defaults={"state": state, "requested_at": at, "started_at": at}
    )


def _clean_rows(year: int) -> set[tuple]:
    return set(
        ExchangeStatistic.objects.filter(year=year).values_list(
            "channel", "kind", "sender_party_id", "recipient_party_id", "exchanges"
        )
    )


@contextmanager
def _computation_alive(year: int) -> Iterator[None]:
    """Another session holding the year's lock in an open transaction: a computation going on."""
    db = connection.settings_dict
    other = psycopg2.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])
    try:
        # psycopg2 opens a transaction with the first statement, and keeps it open.
        other.cursor().execute("SELECT pg_advisory_xact_lock(%s, %s)", [_YEAR_LOCK_NAMESPACE, year])
        yield
    finally:
        other.close()  # the transaction ends, and the lock with it


@pytest.mark.django_db
def test_a_run_queued_long_ago_lost_its_message_and_is_computed_again(
    in_process_tasks, django_capture_on_commit_callbacks
) -> None:
    import_rows(ROWS)
    _run(2008, RunState.QUEUED, age=QUEUED_AT_MOST + dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert statistics_sweep() == [2008]
    run = StatisticsRun.objects.get(year=2008)
    assert (run.state, run.exchanges) == (RunState.DONE, 2)


@pytest.mark.django_db
def test_a_run_queued_recently_or_finished_is_left_alone(django_capture_on_commit_callbacks):
    _run(2008, RunState.QUEUED, age=QUEUED_AT_MOST - dt.timedelta(seconds=10))
    _run(2009, RunState.DONE, age=dt.timedelta(days=1))
    _run(2010, RunState.FAILED, age=dt.timedelta(days=1))
    with django_capture_on_commit_callbacks() as callbacks:
        assert statistics_sweep() == []
    assert callbacks == []
    assert dict(StatisticsRun.objects.values_list("year", "state")) == {
        2008: RunState.QUEUED,
        2009: RunState.DONE,
        2010: RunState.FAILED,
    }


@pytest.mark.django_db
def test_a_run_left_running_by_a_dead_computation_is_computed_again(
    in_process_tasks, django_capture_on_commit_callbacks
) -> None:
    import_rows(ROWS)
    statistics_compute(year=2010)
    expected = _clean_rows(2010)
    ExchangeStatistic.objects.filter(year=2010).delete()  # what a half-done run could leave
    _run(2010, RunState.RUNNING, age=RUNNING_GRACE + dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert statistics_sweep() == [2010]
    assert StatisticsRun.objects.get(year=2010).state == RunState.DONE
    assert _clean_rows(2010) == expected


@pytest.mark.django_db
def test_a_computation_alive_is_left_alone_however_long_it_runs(
    django_capture_on_commit_callbacks,
) -> None:
    _run(2008, RunState.RUNNING, age=dt.timedelta(hours=1))
    with _computation_alive(2008), django_capture_on_commit_callbacks() as callbacks:
        assert statistics_sweep() == []
    assert callbacks == []
    assert StatisticsRun.objects.get(year=2008).state == RunState.RUNNING


@pytest.mark.django_db
def test_a_run_just_marked_running_has_a_grace_before_its_lock_counts(
    django_capture_on_commit_callbacks,
) -> None:
    # Marked running, its lock not taken yet: the instant between the two.
    _run(2008, RunState.RUNNING, age=RUNNING_GRACE - dt.timedelta(seconds=5))
    with django_capture_on_commit_callbacks() as callbacks:
        assert statistics_sweep() == []
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_a_computation_killed_mid_run_is_redone_by_the_next_sweep(in_process_tasks) -> None:
    load_reference_data()  # a transactional test starts from an empty database
    import_rows(ROWS)
    statistics_compute(year=2008)
    expected = _clean_rows(2008)

    # A real computation in another process, held behind a lock so that it is mid-run (marked
    # running, its transaction open) when it is killed.
    db = connection.settings_dict
    env = {
        **os.environ,
        "SELEC_ENV": "test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    manage = str(settings.BASE_DIR / "manage.py")
    with _computation_alive(2008):
        worker = subprocess.Popen(
            [sys.executable, manage, "compute_statistics", "--year", "2008"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while StatisticsRun.objects.get(year=2008).state != RunState.RUNNING:
            assert time.monotonic() < deadline, "the computation never started"
            time.sleep(0.05)
        worker.kill()
        worker.wait(timeout=30)
    # (As if the sweep came a little later: the run has been running past the grace.)
    StatisticsRun.objects.filter(year=2008).update(
        started_at=timezone.now() - RUNNING_GRACE - dt.timedelta(seconds=1)
    )

    assert statistics_sweep() == [2008]  # the commit runs the computation, in process here
    run = StatisticsRun.objects.get(year=2008)
    assert (run.state, run.exchanges) == (RunState.DONE, 2)
    assert _clean_rows(2008) == expected


def test_beat_sweeps_every_minute() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-statistics"]
    assert entry == {"task": sweep_statistics.name, "schedule": 60.0}


# --- The command, through the broker ------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_says_queued_when_the_broker_took_the_work(celery_app) -> None:
    import_rows(ROWS)
    out = io.StringIO()
    call_command("compute_statistics", "--async", stdout=out)
    assert out.getvalue().strip() == "Queued the statistics of 2008, 2010."
    assert set(StatisticsRun.objects.values_list("year", "state")) == {
        (2008, RunState.QUEUED),
        (2010, RunState.QUEUED),
    }


@pytest.mark.django_db
def test_the_command_fails_and_says_so_when_the_broker_is_unreachable(
    unreachable_broker,
) -> None:
    import_rows(ROWS)
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("compute_statistics", "--async", stdout=out)
    assert out.getvalue() == ""
    assert str(refused.value).startswith(
        "The broker did not take the statistics of 2008, 2010: they are marked queued, and the "
        "periodic sweep queues them once the broker is back"
    )
    # Nothing lost: the runs wait, marked, for the sweep.
    assert set(StatisticsRun.objects.values_list("year", "state")) == {
        (2008, RunState.QUEUED),
        (2010, RunState.QUEUED),
    }
