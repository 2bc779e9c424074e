"""The audit log cannot be cut short: TRUNCATE is refused like UPDATE and DELETE, and the
verifier requires the log to reach the newest head anchored outside the database."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from partners.models import Party
from partners.services import party_rename
from selec.audit import audit_verify, justification_of
from selec.audit_anchor import newest_anchored_head
from selec.models import AuditAction, AuditEvent, Justification

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


@pytest.fixture
def anchor(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.AUDIT_ANCHOR_PATH = tmp_path / "anchor.log"
    return settings.AUDIT_ANCHOR_PATH


def _events(capture: Capture, directory_admin, count: int) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    """Write ``count`` events, running the after-commit work (the anchoring) as a commit would."""
    party = Party.objects.get(code="GE")
    with capture(execute=True):
        for n in range(count):
            party_rename(actor=directory_admin, party=party, name=f"Georgia {n}")
    return list(AuditEvent.objects.order_by("-id")[:count])[::-1]


def _behind_the_triggers(*statements: str) -> None:
    """What a database owner could do: switch the append-only triggers off and edit."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE selec_auditevent DISABLE TRIGGER USER")
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("ALTER TABLE selec_auditevent ENABLE TRIGGER USER")


def test_the_database_refuses_to_truncate_the_log(directory_admin) -> None:  # type: ignore[no-untyped-def]
    party_rename(actor=directory_admin, party=Party.objects.get(code="GE"), name="Georgia")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE selec_auditevent")
    assert AuditEvent.objects.exists()


def test_each_committed_event_is_anchored_with_its_chain_hash(
    anchor: Path, django_capture_on_commit_callbacks: Capture, directory_admin
) -> None:  # type: ignore[no-untyped-def]
    events = _events(django_capture_on_commit_callbacks, directory_admin, 3)
    head = newest_anchored_head()
    assert head is not None
    assert (head.event_id, head.chain_hash) == (events[-1].pk, events[-1].chain_hash)
    assert len(anchor.read_text().splitlines()) == 3
    assert audit_verify().intact
    call_command("verify_audit")


def test_a_rolled_back_event_is_not_anchored(
    anchor: Path, django_capture_on_commit_callbacks: Capture, directory_admin
) -> None:  # type: ignore[no-untyped-def]
    def change_that_fails() -> None:
        with transaction.atomic():
            party_rename(actor=directory_admin, party=Party.objects.get(code="GE"), name="X")
            raise RuntimeError("the change fails after its event was written")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_that_fails()
    assert not anchor.exists()


def test_deleting_the_last_rows_is_detected(
    anchor: Path, django_capture_on_commit_callbacks: Capture, directory_admin
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
    _events(django_capture_on_commit_callbacks, directory_admin, 2)
    _behind_the_triggers("TRUNCATE selec_auditevent")
    assert not AuditEvent.objects.exists()
    with pytest.raises(CommandError, match=r"cut short.*is empty"):
        call_command("verify_audit")


def test_a_line_written_without_the_key_makes_the_anchor_untrusted(
    anchor: Path, django_capture_on_commit_callbacks: Capture, directory_admin
) -> None:  # type: ignore[no-untyped-def]
    _events(django_capture_on_commit_callbacks, directory_admin, 1)
    with anchor.open("a") as file:
        file.write(f"999999 {'0' * 64} 2026-01-01T00:00:00+00:00 {'f' * 64}\n")
    result = audit_verify()
    assert not result.intact
    assert "valid signature" in result.describe()


def test_a_log_with_no_anchor_yet_starts_one_at_its_head(anchor: Path, directory_admin) -> None:  # type: ignore[no-untyped-def]
    party_rename(actor=directory_admin, party=Party.objects.get(code="GE"), name="Georgia")
    assert not anchor.exists()
    result = audit_verify()
    assert result.intact
    head = newest_anchored_head()
    assert head is not None
    assert head.event_id == AuditEvent.objects.latest("id").pk


def test_a_justification_is_kept_encrypted_and_named_by_its_event(directory_admin) -> None:  # type: ignore[no-untyped-def]
    from selec.audit import audit_record

    with transaction.atomic():
        event = audit_record(
            actor=directory_admin,
            action=AuditAction.DISCLOSURE,
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
