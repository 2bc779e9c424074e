"""A verification asked for is never lost and never shows running for ever: the request is a
row, the sweep queues it again when the broker did not take its message, a walk holds a lock
that dies with its process, and the sweep ends as interrupted a run whose walk died. A walk
alive is left alone, and a run is walked once however often its message is delivered."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import psycopg2
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from oversight.integrity import verification_start
from partners.models import Officer
from selec.core.audit import _CHAIN_LOCK_ID
from selec.core.audit_verification import (
    _WALK_LOCK_NAMESPACE,
    INTERRUPTED,
    REQUESTED_AT_MOST,
    STARTED_GRACE,
    audit_verification_sweep,
)
from selec.core.models import AuditVerificationRun
from selec.core.tasks import sweep_audit_verifications, verify_audit_log

Capture = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


def _run(*, asked: dt.timedelta, started: dt.timedelta | None = None) -> AuditVerificationRun:
    """A run asked for ``asked`` ago, and claimed ``started`` ago (or not yet)."""
    now = timezone.now()
    return AuditVerificationRun.objects.create(
        requested_at=now - asked,
        started_at=None if started is None else now - started,
        started_by="dpo",
    )


def _queued_runs(callbacks: list[Callable[[], None]]) -> list[Callable[[], None]]:
    return [c for c in callbacks if getattr(c, "task_name", None) == verify_audit_log.name]


@contextmanager
def _other_session() -> Iterator[psycopg2.extensions.connection]:
    """A connection of its own to the test database, as another process has."""
    db = connection.settings_dict
    other = psycopg2.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        yield other
    finally:
        other.close()  # its session ends, and PostgreSQL releases what it held
        _wait_for_locks_released(pid)


def _wait_for_locks_released(pid: int) -> None:
    """The server ends a closed connection's session a moment after the client closed it: wait
    until that backend holds no advisory lock (pg_locks is read live, even in a transaction)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT FROM pg_locks WHERE pid = %s AND locktype = 'advisory')",
                [pid],
            )
            (held,) = cursor.fetchone()
        if not held:
            return
        time.sleep(0.02)
    raise AssertionError(f"backend {pid} still holds its advisory locks 10 s after its close")


def _walk_lock_held(run_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND classid = %s"
            " AND objid = %s AND objsubid = 2 AND granted)",
            [_WALK_LOCK_NAMESPACE, run_id],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


# --- A message lost --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_the_broker_did_not_take_is_queued_by_the_sweep_and_completes(
    unreachable_broker, dpo: Officer, django_capture_on_commit_callbacks: Capture, caplog
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        asked = verification_start(officer=dpo)

    # The broker refused the message: the request is kept, waiting.
    assert "Broker unreachable" in caplog.text
    run = AuditVerificationRun.objects.get()
    assert run.pk == asked.pk
    assert (run.started_by, run.started_at, run.finished_at) == (dpo.username, None, None)
    with pytest.raises(ValidationError, match="A verification is running"):
        verification_start(officer=dpo)

    # Within the minute the sweep leaves it be; past it, the sweep queues it again.
    with django_capture_on_commit_callbacks() as callbacks:
        assert audit_verification_sweep() == ([], [])
    assert _queued_runs(callbacks) == []
    AuditVerificationRun.objects.filter(pk=run.pk).update(
        requested_at=timezone.now() - REQUESTED_AT_MOST - dt.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert audit_verification_sweep() == ([run.pk], [])
    assert len(_queued_runs(callbacks)) == 1

    # The message a worker then takes (the task, called as the worker calls it).
    assert verify_audit_log(run.pk) is True
    run.refresh_from_db()
    assert run.intact is True
    assert run.started_at is not None
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at >= run.requested_at
    assert audit_verification_sweep() == ([], [])


@pytest.mark.django_db(transaction=True)
def test_the_sweep_queues_a_lost_request_to_the_broker_and_a_worker_walks_it(
    celery_app, celery_worker
) -> None:
    # What a request leaves when its message never reached the broker.
    run = _run(asked=REQUESTED_AT_MOST + dt.timedelta(seconds=1))

    assert sweep_audit_verifications() == {"queued": [run.pk], "interrupted": []}

    deadline = time.monotonic() + 30
    while AuditVerificationRun.objects.get(pk=run.pk).finished_at is None:
        assert time.monotonic() < deadline, "no worker walked the run queued again"
        time.sleep(0.1)
    run.refresh_from_db()
    assert run.intact is True
    assert "Audit chain intact" in run.description
    assert not _walk_lock_held(run.pk)


# --- One walk per run ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_delivery_of_the_same_run_does_nothing(dpo: Officer) -> None:
    run = _run(asked=dt.timedelta(0))
    assert verify_audit_log(run.pk) is True
    run.refresh_from_db()
    walked = (run.started_at, run.finished_at, run.events, run.description)

    assert verify_audit_log(run.pk) is None

    run.refresh_from_db()
    assert (run.started_at, run.finished_at, run.events, run.description) == walked
    assert AuditVerificationRun.objects.count() == 1
    assert not _walk_lock_held(run.pk)


@pytest.mark.django_db
def test_a_delivery_while_another_worker_holds_the_run_does_nothing() -> None:
    run = _run(asked=dt.timedelta(0))
    with _other_session() as other:
        other.cursor().execute("SELECT pg_advisory_lock(%s, %s)", [_WALK_LOCK_NAMESPACE, run.pk])

        assert verify_audit_log(run.pk) is None

    run.refresh_from_db()
    assert (run.started_at, run.finished_at) == (None, None)


# --- A walk that died, and one alive ---------------------------------------------------------


@pytest.mark.django_db
def test_a_live_walk_is_left_alone_however_long_it_runs(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    run = _run(asked=dt.timedelta(hours=3), started=dt.timedelta(hours=3))
    with _other_session() as walker:
        walker.cursor().execute("SELECT pg_advisory_lock(%s, %s)", [_WALK_LOCK_NAMESPACE, run.pk])
        with django_capture_on_commit_callbacks() as callbacks:
            assert audit_verification_sweep() == ([], [])
        assert callbacks == []
        run.refresh_from_db()
        assert (run.finished_at, run.intact) == (None, None)

    # Its session gone (the walker's process ended), the next sweep ends the run.
    assert audit_verification_sweep() == ([], [run.pk])


@pytest.mark.django_db
def test_a_run_just_started_has_a_grace_before_its_lock_counts() -> None:
    run = _run(asked=dt.timedelta(0), started=STARTED_GRACE - dt.timedelta(seconds=10))
    assert audit_verification_sweep() == ([], [])
    run.refresh_from_db()
    assert run.finished_at is None


@pytest.mark.django_db
def test_finished_runs_are_left_as_they_are() -> None:
    long_ago = timezone.now() - dt.timedelta(days=1)
    AuditVerificationRun.objects.create(
        requested_at=long_ago,
        started_at=long_ago,
        finished_at=long_ago,
        started_by="schedule",
        intact=True,
        description="Audit chain intact: 3 events, head #3.",
    )
    assert audit_verification_sweep() == ([], [])
    assert AuditVerificationRun.objects.get().description.startswith("Audit chain intact")


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_walker_was_killed_is_ended_interrupted_and_a_new_one_may_be_asked(
    in_process_tasks,
) -> None:
    call_command("seed_demo", "--personas-only", verbosity=0)  # emptied by an earlier test
    run = _run(asked=dt.timedelta(0))
    db = connection.settings_dict
    env = {
        **os.environ,
        "SELEC_ENV": "test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    # The task called in that process as a worker calls it.
    walk = f"from selec.core.tasks import verify_audit_log; verify_audit_log({run.pk})"
    # A real walk in another process, held at the sealing that starts it (the sealers' lock,
    # taken here) so that it is mid-run, claimed and holding its lock, when it is killed.
    with _other_session() as sealer:
        sealer.autocommit = False
        sealer.cursor().execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])
        walker = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "-c", walk],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # The walk takes its lock, then commits its claim: wait for both.
        deadline = time.monotonic() + 60
        while not (
            _walk_lock_held(run.pk)
            and AuditVerificationRun.objects.get(pk=run.pk).started_at is not None
        ):
            assert walker.poll() is None, "the walker exited before it claimed the run"
            assert time.monotonic() < deadline, "the walk never started"
            time.sleep(0.05)
        # Alive: the sweep leaves it alone even past the grace.
        AuditVerificationRun.objects.filter(pk=run.pk).update(
            started_at=timezone.now() - STARTED_GRACE - dt.timedelta(seconds=1)
        )
        assert audit_verification_sweep() == ([], [])

        walker.kill()
        walker.wait(timeout=30)
    # A backend waiting on a lock notices its client gone once it has the lock: PostgreSQL
    # then ends the session and releases the walk's lock.
    deadline = time.monotonic() + 30
    while _walk_lock_held(run.pk):
        assert time.monotonic() < deadline, "PostgreSQL kept the dead walker's lock"
        time.sleep(0.05)

    assert audit_verification_sweep() == ([], [run.pk])

    run.refresh_from_db()
    assert run.finished_at is not None
    assert run.intact is None
    assert run.description == INTERRUPTED
    # A second delivery of its message finds it claimed; the DPO may ask again.
    assert verify_audit_log(run.pk) is None
    again = verification_start(officer=Officer.objects.get(username="dpo"))
    assert again.pk != run.pk
    assert AuditVerificationRun.objects.get(pk=again.pk).intact is True  # in process here


def test_beat_sweeps_every_minute() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-audit-verifications"]
    assert entry == {"task": sweep_audit_verifications.name, "schedule": 60.0}
