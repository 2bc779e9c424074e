"""The audit log is append-only and tamper-evident: events are written with the action,
sealed into the chain after its commit, once, and never changed after that."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time

import pytest
import redis
from celery.signals import task_prerun
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from partners.models import Party
from partners.services.party_status import party_change_status
from selec.core.audit import audit_record, audit_seal
from selec.core.audit_verification import audit_verify, first_broken_event
from selec.core.models import AuditAction, AuditEvent
from tests.helpers import committed_audit_event

# The embedded default: the sealing task a commit queues runs at once, in-process, so each test
# sees its events sealed right after the commit. A worker doing it is tested at the end.
pytestmark = pytest.mark.usefixtures("in_process_tasks")


@pytest.fixture
def status_change(directory_admin, django_capture_on_commit_callbacks):
    """An event as a committed request leaves it: written, then sealed after the commit."""
    party = Party.objects.get(code="GE")
    with django_capture_on_commit_callbacks(execute=True):
        party_change_status(
            actor=directory_admin,
            party=party,
            status="operational_partner",
            effective_from=dt.date(2026, 1, 1),
        )
    event = AuditEvent.objects.latest("id")
    assert event.is_sealed
    return event


def _unsealed_event(object_id: str = "1") -> AuditEvent:
    """An event written in a transaction whose commit has not run its sealer (yet)."""
    return committed_audit_event(object_id)


def _refused(sql: str, *params: str | int) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def _refused_by_the_schema(sql: str, *params: str | int) -> None:
    with (
        pytest.raises(DatabaseError, match="audit_event_sealed_whole"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def _behind_the_trigger(sql: str, *params: str | int) -> None:
    """What a database owner could do: switch the append-only trigger off and edit."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE selec_auditevent DISABLE TRIGGER selec_audit_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE selec_auditevent ENABLE TRIGGER selec_audit_append_only")


@pytest.mark.django_db
def test_a_service_writes_who_when_what_and_why(status_change: AuditEvent, directory_admin) -> None:
    assert status_change.actor == directory_admin
    assert status_change.actor_username == "admin"
    assert status_change.action == AuditAction.ALTERATION
    assert (status_change.object_type, status_change.object_id) == (
        "partners.party",
        str(Party.objects.get(code="GE").pk),
    )
    assert status_change.reason == "party status changed"
    assert status_change.details["from"] == "observer"
    assert status_change.details["to"] == "operational_partner"


def test_the_chain_of_the_seeded_database_is_intact(status_change: AuditEvent) -> None:
    assert first_broken_event() is None
    call_command("verify_audit")


def test_the_database_refuses_to_update_or_delete_an_event(status_change: AuditEvent) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=status_change.pk).update(reason="nothing happened")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=status_change.pk).delete()


def test_verification_names_the_first_row_changed_behind_the_trigger(
    status_change: AuditEvent,
) -> None:
    _behind_the_trigger(
        "UPDATE selec_auditevent SET reason = 'nothing happened' WHERE id = %s", status_change.pk
    )
    broken = first_broken_event()
    assert broken is not None
    assert broken.pk == status_change.pk
    with pytest.raises(CommandError, match=f"broken at event #{status_change.pk}"):
        call_command("verify_audit")


def test_a_removed_row_breaks_the_link_of_its_successor(status_change: AuditEvent) -> None:
    assert status_change.chain_position is not None
    previous = AuditEvent.objects.get(chain_position=status_change.chain_position - 1)
    _behind_the_trigger("DELETE FROM selec_auditevent WHERE id = %s", previous.pk)
    broken = first_broken_event()
    assert broken is not None
    assert broken.pk == status_change.pk


@pytest.mark.django_db
def test_an_event_written_during_a_request_records_its_id_address_and_agency(
    login, directory_admin, lo_ro
) -> None:
    from partners.models import Agency

    client = login(directory_admin)
    agency = Agency.objects.get(name="Romanian Customs Authority")
    response = client.post(
        f"/admin/partners/agency/{agency.pk}/change/",
        {"name": "Romanian Customs", "kind": "customs"},
        HTTP_X_REQUEST_ID="req-0123456789",
    )
    assert response.status_code == 302
    # The server's own id, never the caller's: a client chooses its header, so it proves nothing.
    server_id = response["X-Request-ID"]
    assert server_id != "req-0123456789"
    assert len(server_id) == 32
    event = AuditEvent.objects.latest("id")
    assert (event.request_id, event.client_request_id) == (server_id, "req-0123456789")
    assert (event.ip_address, event.actor_username) == ("127.0.0.1", "admin")
    # Sealed as the commit would (the test's transaction never commits): every column the
    # request filled in reads back as it was written, so the event verifies.
    assert audit_seal() >= 1
    event.refresh_from_db()
    assert event.is_sealed
    assert first_broken_event() is None


@pytest.mark.django_db
def test_a_malformed_request_id_is_replaced(client) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"
    assert len(response["X-Request-ID"]) == 32


# --- Sealing --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_event_is_written_unsealed_and_sealed_after_the_commit(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        event = _unsealed_event()
    event.refresh_from_db()
    assert not event.is_sealed
    assert (event.previous_hash, event.chain_hash) == (None, None)
    assert event.content_mac

    for callback in callbacks:
        callback()
    event.refresh_from_db()
    head = AuditEvent.objects.exclude(pk=event.pk).order_by("-chain_position").first()
    assert head is not None
    assert head.chain_position is not None  # sealed: every event's sealer has run
    assert event.chain_position == head.chain_position + 1
    assert event.previous_hash == head.chain_hash
    assert first_broken_event() is None


@pytest.mark.django_db
def test_the_seal_columns_are_set_once_and_never_changed() -> None:
    event = _unsealed_event()
    seal = (
        "UPDATE selec_auditevent SET chain_position = 999999, previous_hash = %s, chain_hash = %s"
    )
    where = " WHERE id = %s"
    # Part of a seal, or a seal with any other change, is refused.
    _refused("UPDATE selec_auditevent SET chain_hash = %s WHERE id = %s", "b" * 64, event.pk)
    _refused(seal + ", reason = 'nothing'" + where, "a" * 64, "b" * 64, event.pk)
    _refused(seal + ", content_mac = %s" + where, "a" * 64, "b" * 64, "c" * 64, event.pk)

    with connection.cursor() as cursor:
        cursor.execute(seal + where, ["a" * 64, "b" * 64, event.pk])
    # Once sealed, nothing changes: not the seal, not its removal, not the row.
    _refused(seal + where, "c" * 64, "d" * 64, event.pk)
    _refused(
        "UPDATE selec_auditevent SET chain_position = NULL, previous_hash = NULL, "
        "chain_hash = NULL WHERE id = %s",
        event.pk,
    )
    _refused("UPDATE selec_auditevent SET reason = 'nothing' WHERE id = %s", event.pk)
    _refused("DELETE FROM selec_auditevent WHERE id = %s", event.pk)
    event.refresh_from_db()
    assert (event.chain_position, event.previous_hash, event.chain_hash) == (
        999999,
        "a" * 64,
        "b" * 64,
    )
    # Nor is a row ever written half sealed.
    _refused_by_the_schema(
        "INSERT INTO selec_auditevent (occurred_at, actor_username, actor_agency, actor_party, "
        "action, object_type, object_id, reason, request_id, client_request_id, details, "
        "chain_hash) VALUES (now(), '', '', '', 'grant', 't', '1', 'r', '', '', '{}', %s)",
        "e" * 64,
    )


@pytest.mark.django_db
def test_an_event_changed_before_its_seal_is_never_sealed_and_then_reported(caplog) -> None:
    event = _unsealed_event()
    _behind_the_trigger("UPDATE selec_auditevent SET reason = 'nothing' WHERE id = %s", event.pk)
    with caplog.at_level(logging.ERROR, logger="selec.core.audit"):
        audit_seal()
    assert f"#{event.pk} is not sealed" in caplog.text
    event.refresh_from_db()
    assert not event.is_sealed
    # Within the grace period the verifier waits for it; after it, it fails.
    assert audit_verify().intact
    result = audit_verify(unsealed_grace=dt.timedelta(0))
    assert not result.intact
    assert result.unsealed == event
    assert f"event #{event.pk}" in result.describe()


@pytest.mark.django_db
def test_an_event_written_without_the_key_or_copied_is_never_sealed() -> None:
    genuine = _unsealed_event()
    forged = AuditEvent.objects.create(
        occurred_at=genuine.occurred_at,
        action=AuditAction.GRANT,
        event="test.thing_recorded",
        object_type="test.thing",
        object_id="1",
        reason="granted",
        content_mac="f" * 64,
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.create(
            **{
                field.attname: getattr(genuine, field.attname)
                for field in AuditEvent._meta.concrete_fields
                if not field.primary_key
            }
        )
    audit_seal()
    genuine.refresh_from_db()
    forged.refresh_from_db()
    assert genuine.is_sealed
    assert not forged.is_sealed
    assert not audit_verify(unsealed_grace=dt.timedelta(0)).intact


@pytest.mark.django_db
def test_the_verifier_seals_what_is_committed_before_it_walks() -> None:
    event = _unsealed_event()
    call_command("verify_audit")
    event.refresh_from_db()
    assert event.is_sealed


@pytest.mark.django_db
def test_the_periodic_task_seals_what_no_commit_sealed() -> None:
    from selec.core.tasks import seal_audit_log

    events = [_unsealed_event(str(n)) for n in range(3)]
    assert seal_audit_log() == 3
    assert all(AuditEvent.objects.get(pk=event.pk).is_sealed for event in events)
    assert seal_audit_log() == 0


# --- Concurrency ----------------------------------------------------------------------------


def _in_threads(count: int, work) -> list[BaseException]:
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:  # collected and asserted by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def _written_then_rolled_back(object_id: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=None,
            action=AuditAction.ALTERATION,
            event="test.thing_recorded",
            object_type="test.thing",
            object_id=object_id,
            reason="changed",
        )
        raise RuntimeError("the change fails after its event was written")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain_and_each_event_is_sealed_once(caplog) -> None:
    # Each thread commits events one by one, two at once, and one it rolls back; every commit
    # runs its sealer, as a request does.
    def write(n: int) -> None:
        for m in range(6):
            with transaction.atomic():
                audit_record(
                    actor=None,
                    action=AuditAction.CONSULTATION,
                    event="test.thing_recorded",
                    object_type="test.thing",
                    object_id=f"{n}-{m}",
                    reason="read",
                )
                if m == 2:
                    audit_record(
                        actor=None,
                        action=AuditAction.DISCLOSURE,
                        event="test.thing_recorded",
                        object_type="test.thing",
                        object_id=f"{n}-{m}",
                        reason="forwarded",
                    )
        with pytest.raises(RuntimeError):
            _written_then_rolled_back(f"{n}-rolled-back")

    with caplog.at_level(logging.ERROR):
        errors = _in_threads(8, write)
    assert errors == []
    # The sealers' errors are logged, not raised (the actions had committed): none.
    # The application's own records: the process may also log, at any moment, what the
    # garbage collector found of an earlier test (asyncio's pending tasks of a browser test).
    ours = [r for r in caplog.records if r.name.startswith(("selec", "django", "celery"))]
    assert [record.getMessage() for record in ours] == []

    # (The log may hold events committed before the test: the personas' seeding.)
    events = list(AuditEvent.objects.order_by("chain_position"))
    assert AuditEvent.objects.filter(object_type="test.thing").count() == 8 * 7
    assert not AuditEvent.objects.filter(object_id__endswith="rolled-back").exists()
    # Every event sealed, each at its own position, one after the other from the first.
    assert [event.chain_position for event in events] == list(range(1, len(events) + 1))
    assert len({event.previous_hash for event in events}) == len(events)
    result = audit_verify(unsealed_grace=dt.timedelta(0))
    assert result.intact, result.describe()
    assert result.events == len(events)


@pytest.mark.django_db(transaction=True)
def test_an_open_transaction_holding_an_event_does_not_hold_back_other_writers() -> None:
    written = threading.Event()
    others_committed = threading.Event()

    def slow_action(_: int) -> None:
        with transaction.atomic():
            _unsealed_event("slow")
            written.set()
            # Still open: the other writer must get through, and be sealed, meanwhile.
            assert others_committed.wait(timeout=30)

    def quick_action(_: int) -> None:
        assert written.wait(timeout=30)
        with transaction.atomic():
            audit_record(
                actor=None,
                action=AuditAction.CONSULTATION,
                event="test.thing_recorded",
                object_type="test.thing",
                object_id="quick",
                reason="read",
            )
        others_committed.set()

    errors = _in_threads(2, lambda n: (slow_action if n == 0 else quick_action)(n))
    assert errors == []
    quick, slow = (
        AuditEvent.objects.get(object_id="quick"),
        AuditEvent.objects.get(object_id="slow"),
    )
    # Sealed in the order of the commits, not of the ids.
    assert slow.pk < quick.pk
    assert quick.chain_position is not None
    assert slow.chain_position == quick.chain_position + 1
    assert audit_verify(unsealed_grace=dt.timedelta(0)).intact


@pytest.mark.django_db(transaction=True)
def test_the_commit_queues_the_seal_for_a_worker_and_the_request_pays_none_of_it(
    celery_worker, django_assert_num_queries
) -> None:
    # One BEGIN, the INSERT and the COMMIT: no lock, no read of the log, no UPDATE here.
    with django_assert_num_queries(3):
        event = _unsealed_event("queued")

    # The commit put selec.core.tasks.seal_audit_log on the broker; the worker thread seals it.
    deadline = time.monotonic() + 20
    while not AuditEvent.objects.get(pk=event.pk).is_sealed:
        assert time.monotonic() < deadline, "the worker did not seal the event"
        time.sleep(0.1)
    assert audit_verify(unsealed_grace=dt.timedelta(0)).intact


@pytest.mark.django_db(transaction=True)
def test_commits_in_a_row_are_all_sealed_by_the_worker_whichever_run_they_fall_to(
    celery_worker,
) -> None:
    # Most of these commits find a run queued and not started, and queue none of their own:
    # the waiting run seals them, or the next one, queued by the first commit after a start.
    events = []
    for n in range(20):
        events.append(_unsealed_event(f"in a row {n}"))
        time.sleep(0.01 * (n % 3))
    ids = [event.pk for event in events]
    deadline = time.monotonic() + 20
    while AuditEvent.objects.filter(pk__in=ids, chain_position__isnull=True).exists():
        assert time.monotonic() < deadline, "the worker left events unsealed"
        time.sleep(0.1)
    assert audit_verify(unsealed_grace=dt.timedelta(0)).intact


def test_a_worker_in_a_module_running_tasks_in_process_still_has_a_queue_of_its_own(
    celery_app,
) -> None:
    # This module runs tasks in process (``in_process_tasks``, set up before ``celery_app``),
    # while its worker tests use the environment's Redis: shared with the other test
    # processes, whose commits would fill the queue and lower the waiting flags, unless the
    # keys carry a prefix of this test's own (the in-memory broker is the process's alone).
    broker_url = os.environ.get("CELERY_BROKER_URL") or "memory://"
    assert celery_app.conf.broker_url == broker_url
    prefix = celery_app.conf.broker_transport_options.get("global_keyprefix", "")
    assert prefix.startswith("selec-test-") == broker_url.startswith("redis")


@pytest.mark.django_db(transaction=True)
def test_a_workers_run_gathers_the_commits_of_its_moment_and_seals_them_all(
    celery_app, celery_worker, settings
) -> None:
    # The first commit queues a run; the worker starts it and waits, its flag raised: the
    # commits meanwhile queue nothing (without the wait, the run would have lowered its flag
    # and each of them would queue another); then it seals them all.
    settings.BACKGROUND_GATHER_SECONDS = 6.0
    seal_name = "selec.core.tasks.seal_audit_log"
    runs: list[str] = []

    def count_sealings(sender=None, task_id=None, **_kwargs) -> None:
        # This test's app only: the signal is the process's, and a worker of an earlier test
        # still stopping may run a sealing of its own broker's meanwhile.
        if sender is not None and sender.app is celery_app and sender.name == seal_name:
            runs.append(task_id)

    task_prerun.connect(count_sealings, weak=False)
    try:
        ids = [_unsealed_event("first").pk]
        deadline = time.monotonic() + 20
        while not runs:
            assert time.monotonic() < deadline, "the worker never started the sealing"
            time.sleep(0.05)
        ids += [_unsealed_event(f"gathered {n}").pk for n in range(5)]
        assert len(runs) == 1
        assert _queued_messages(celery_app) == 0
        while AuditEvent.objects.filter(pk__in=ids, chain_position__isnull=True).exists():
            assert time.monotonic() < deadline, "the worker left events unsealed"
            time.sleep(0.1)
    finally:
        task_prerun.disconnect(count_sealings)
    assert audit_verify(unsealed_grace=dt.timedelta(0)).intact


def _queued_messages(app) -> int:
    """Messages waiting in the app's default queue (its broker's Redis, under its prefix)."""
    prefix = app.conf.broker_transport_options.get("global_keyprefix", "")
    with contextlib.closing(redis.Redis.from_url(app.conf.broker_url)) as client:
        return int(client.llen(f"{prefix}{app.conf.task_default_queue}"))


def _sealings(callbacks) -> list[object]:
    return [
        c for c in callbacks if getattr(c, "task_name", None) == "selec.core.tasks.seal_audit_log"
    ]


@pytest.mark.django_db
def test_a_transaction_writing_several_events_queues_one_sealing(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        events = [
            audit_record(
                actor=None,
                action=AuditAction.CONSULTATION,
                event="test.thing_recorded",
                object_type="test.thing",
                object_id=str(n),
                reason="read",
            )
            for n in range(3)
        ]
    assert len(_sealings(callbacks)) == 1
    assert all(AuditEvent.objects.get(pk=event.pk).is_sealed for event in events)


@pytest.mark.django_db
def test_a_sealing_asked_in_a_rolled_back_savepoint_is_asked_again(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        with contextlib.suppress(RuntimeError), transaction.atomic():
            _unsealed_event("rolled back")
            raise RuntimeError("the savepoint rolls back")
        kept = _unsealed_event("kept")
    assert len(_sealings(callbacks)) == 1
    assert AuditEvent.objects.get(pk=kept.pk).is_sealed
    assert not AuditEvent.objects.filter(object_id="rolled back").exists()
