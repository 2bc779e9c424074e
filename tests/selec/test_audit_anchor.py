"""The audit log cannot be cut short: TRUNCATE is refused like UPDATE and DELETE, and the
verifier requires the log to reach the newest head anchored outside the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from partners.models import Party
from partners.services.directory import party_rename
from selec.core.audit import justification_of
from selec.core.audit_anchor import anchor_append, newest_anchored_head
from selec.core.audit_verification import audit_verify
from selec.core.models import AuditAction, AuditEvent, Justification

# The sealing task a commit queues runs at once, in-process (the embedded default).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]

Capture = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


def _events(capture: Capture, directory_admin, count: int) -> list[AuditEvent]:
    """Write ``count`` events, each in a request of its own, running the after-commit work (the
    sealing, then the anchoring) as each commit would."""
    party = Party.objects.get(code="GE")
    for n in range(count):
        with capture(execute=True):
            party_rename(actor=directory_admin, party=party, name=f"Georgia {n}")
    return list(AuditEvent.objects.order_by("-id")[:count])[::-1]


def _behind_the_triggers(*statements: str) -> None:
    """What a database owner could do: switch the append-only triggers off and edit."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE selec_auditevent DISABLE TRIGGER USER")
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("ALTER TABLE selec_auditevent ENABLE TRIGGER USER")


def test_the_database_refuses_to_truncate_the_log(directory_admin) -> None:
    party_rename(actor=directory_admin, party=Party.objects.get(code="GE"), name="Georgia")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE selec_auditevent")
    assert AuditEvent.objects.exists()


def test_each_sealed_head_is_anchored_with_its_position_and_chain_hash(
    anchor: Path, django_capture_on_commit_callbacks: Capture, directory_admin
) -> None:
    events = _events(django_capture_on_commit_callbacks, directory_admin, 3)
    head = newest_anchored_head()
    assert head is not None
    assert (head.event_id, head.position, head.chain_hash) == (
        events[-1].pk,
        events[-1].chain_position,
        events[-1].chain_hash,
    )
    assert len(anchor.read_text().splitlines()) == 3
    assert audit_verify().intact
    call_command("verify_audit")


def test_events_sealed_together_anchor_their_last(
    anchor: Path, django_capture_on_commit_callbacks: Capture, directory_admin
) -> None:
    party = Party.objects.get(code="GE")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            party_rename(actor=directory_admin, party=party, name=f"Georgia {n}")
    last = AuditEvent.objects.latest("chain_position")
    assert len(anchor.read_text().splitlines()) == 1
    head = newest_anchored_head()
    assert head is not None
    assert (head.event_id, head.position) == (last.pk, last.chain_position)


def test_the_newest_head_is_the_furthest_along_the_chain_not_the_highest_id(
    anchor: Path,
) -> None:
    # A transaction that took its id early and committed late is sealed after a later id, and
    # two sealers may append their lines in either order.
    anchor_append(200, "b" * 64, 8)
    anchor_append(150, "c" * 64, 9)
    anchor_append(180, "a" * 64, 7)
    head = newest_anchored_head()
    assert head is not None
    assert (head.event_id, head.position) == (150, 9)


def test_lines_anchored_before_positions_existed_still_verify_and_come_first(
    anchor: Path, settings
) -> None:
    # A line as the anchor wrote them before: event id, hash, time, signature.
    key = hmac.new(settings.AUDIT_CHAIN_KEY, b"selec audit anchor", hashlib.sha256).digest()
    written_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).isoformat(timespec="seconds")
    signature = hmac.new(key, f"900|{'d' * 64}|{written_at}".encode(), hashlib.sha256)
    anchor.write_text(f"900 {'d' * 64} {written_at} {signature.hexdigest()}\n")
    head = newest_anchored_head()
    assert head is not None
    assert (head.event_id, head.position) == (900, None)
    anchor_append(12, "e" * 64, 3)
    head = newest_anchored_head()
    assert head is not None
    assert (head.event_id, head.position) == (12, 3)


def test_a_rolled_back_event_is_not_anchored(
    anchor: Path, django_capture_on_commit_callbacks: Capture, directory_admin
) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            party_rename(actor=directory_admin, party=Party.objects.get(code="GE"), name="X")
            raise RuntimeError("the change fails after its event was written")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_that_fails()
    assert not anchor.exists()


def test_deleting_the_last_rows_is_detected(
    anchor: Path, django_capture_on_commit_callbacks: Capture, directory_admin
) -> None:
    events = _events(django_capture_on_commit_callbacks, directory_admin, 4)
    _behind_the_triggers(f"DELETE FROM selec_auditevent WHERE id >= {int(events[2].pk)}")  # noqa: S608
    result = audit_verify()
    assert not result.intact
    assert result.missing_anchor is not None
    assert result.missing_anchor.event_id == events[-1].pk
    with pytest.raises(CommandError, match=f"cut short: the anchor names event #{events[-1].pk}"):
        call_command("verify_audit")


def test_an_emptied_log_is_detected(
    anchor: Path, django_capture_on_commit_callbacks: Capture, directory_admin
) -> None:
    _events(django_capture_on_commit_callbacks, directory_admin, 2)
    _behind_the_triggers("TRUNCATE selec_auditevent")
    assert not AuditEvent.objects.exists()
    with pytest.raises(CommandError, match=r"cut short.*is empty"):
        call_command("verify_audit")


def test_a_line_written_without_the_key_makes_the_anchor_untrusted(
    anchor: Path, django_capture_on_commit_callbacks: Capture, directory_admin
) -> None:
    _events(django_capture_on_commit_callbacks, directory_admin, 1)
    with anchor.open("a") as file:
        file.write(f"999999 {'0' * 64} 2026-01-01T00:00:00+00:00 {'f' * 64}\n")
    result = audit_verify()
    assert not result.intact
    assert "valid signature" in result.describe()


def test_a_log_with_no_anchor_yet_starts_one_at_its_head(anchor: Path, directory_admin) -> None:
    party_rename(actor=directory_admin, party=Party.objects.get(code="GE"), name="Georgia")
    assert not anchor.exists()
    result = audit_verify()
    assert result.intact
    head = newest_anchored_head()
    assert head is not None
    assert head.event_id == AuditEvent.objects.latest("id").pk


def test_a_justification_is_kept_encrypted_and_named_by_its_event(directory_admin) -> None:
    from selec.core.audit import audit_record

    with transaction.atomic():
        event = audit_record(
            actor=directory_admin,
            action=AuditAction.DISCLOSURE,
            event="test.thing_recorded",
            object_type="test.thing",
            object_id="1",
            reason="forwarded",
            justification="Investigation of Ђорђе Ђорђевић, Sofia case 44/2026",
        )
    assert "Ђорђевић" not in str(event.details)
    assert "Ђорђевић" not in event.reason
    assert justification_of(event) == "Investigation of Ђорђе Ђорђевић, Sofia case 44/2026"
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM selec_justification")
        (stored,) = cursor.fetchone()
    assert "Ђорђевић" not in stored
    # Swapped for another text, or removed: refused, never shown as the officer's words.
    Justification.objects.filter(uuid=event.details["justification"]).delete()
    with pytest.raises(ValueError, match="altered or removed"):
        justification_of(event)
    Justification.objects.create(uuid=event.details["justification"], text="nothing to see")
    with pytest.raises(ValueError, match="altered or removed"):
        justification_of(event)
