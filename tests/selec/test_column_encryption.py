"""The data migrations that encrypt columns which held plaintext (``selec.core.column_encryption``):
the rows stored before them read back, through the encrypted fields, exactly as they were
written, the columns hold ciphertext, and going back restores the plaintext.

Run on the real migrations of the exchanges and cases apps, from the state before them."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases.models import Case, MeetingAttachment, OperationalMeeting
from exchanges.models import Attachment, DisseminationRequest, Exchange, RestrictionConfirmation
from exchanges.selectors import restriction_digest
from partners.models import Agency, Officer, Party
from selec.core.crypto import associated_data, current_key_id, encrypt_bytes
from selec.core.files import open_attachment
from taskforces.models import CrimeArea
from tests.selec.encryption import raw_column

BEFORE = [
    ("exchanges", "0006_attached_files_are_encrypted_file_fields"),
    ("cases", "0005_attached_files_are_encrypted_file_fields"),
]
AFTER = [
    ("exchanges", "0007_h3_dissemination_and_file_hashes_encrypted"),
    ("cases", "0006_names_places_h3_and_file_hashes_encrypted"),
]

H3 = "Not to be shown to Petar Marinov's defence."
FILE = b"Marinov ledger, page 7"
FILE_SHA256 = hashlib.sha256(FILE).hexdigest()
PLAINTEXT = {
    (Exchange, "restriction_text"): H3,
    (Attachment, "sha256"): FILE_SHA256,
    (DisseminationRequest, "intended_use"): "Trial of Petar Marinov",
    (DisseminationRequest, "justification"): "Marinov's partners act from Istanbul",
    (DisseminationRequest, "decision_note"): "For the Marinov file only",
    (Case, "name"): "Marinov brothers",
    (Case, "restriction_text"): "Not a word to Marinov's cousin",
    (OperationalMeeting, "place"): "Marinov's warehouse, Giurgiu",
    (MeetingAttachment, "sha256"): FILE_SHA256,
}


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # the graph as it now stands


def _sealed(label: str, row_key: uuid.UUID) -> bytes:
    return encrypt_bytes(FILE, aad=associated_data(label, "content", str(row_key)))


def _rows_before(apps) -> dict[type, list[int]]:
    """What the database held before the migrations, written with the models of then."""
    lo_ro = Officer.objects.get(username="lo.ro")
    lo_bg = Officer.objects.get(username="lo.bg")
    now = timezone.now()
    exchange = apps.get_model("exchanges", "Exchange").objects.create(
        reference="SELEC-2026-990001",
        kind="request",
        sender_agency_id=lo_ro.agency_id,
        author_id=lo_ro.pk,
        crime_area_id=CrimeArea.objects.get(code="drugs").pk,
        sent_at=now,
        due_at=now + dt.timedelta(days=3),
        subject="Shipment",
        body="Details",
        restriction_text=H3,
    )
    attachment_uuid = uuid.uuid4()
    attachment = apps.get_model("exchanges", "Attachment").objects.create(
        uuid=attachment_uuid,
        exchange=exchange,
        filename="ledger.txt",
        content_type="text/plain",
        size=len(FILE),
        sha256=FILE_SHA256,
        content=_sealed("exchanges.attachment", attachment_uuid),
    )
    apps.get_model("exchanges", "RestrictionConfirmation").objects.create(
        exchange=exchange, officer_id=lo_bg.pk, restriction_text=H3, confirmed_at=now
    )
    requests = [
        apps.get_model("exchanges", "DisseminationRequest").objects.create(
            exchange=exchange,
            kind="evidence",
            requesting_agency_id=lo_bg.agency_id,
            requested_by_id=lo_bg.pk,
            intended_use=PLAINTEXT[DisseminationRequest, "intended_use"],
            justification=PLAINTEXT[DisseminationRequest, "justification"],
            requested_at=now,
            status=status,
            decision_note=note,
        )
        for status, note in (
            ("granted", PLAINTEXT[DisseminationRequest, "decision_note"]),
            ("pending", ""),
        )
    ]
    case = apps.get_model("cases", "Case").objects.create(
        reference="SELEC-JI-2026-9901",
        name=PLAINTEXT[Case, "name"],
        kind="joint_investigation",
        lead_party_id=Party.objects.get(code="RO").pk,
        started_on=dt.date(2026, 3, 1),
        restriction_text=PLAINTEXT[Case, "restriction_text"],
    )
    meeting = apps.get_model("cases", "OperationalMeeting").objects.create(
        case=case,
        held_on=dt.date(2026, 3, 10),
        place=PLAINTEXT[OperationalMeeting, "place"],
        added_by_id=lo_ro.pk,
    )
    meeting_file_uuid = uuid.uuid4()
    meeting_file = apps.get_model("cases", "MeetingAttachment").objects.create(
        uuid=meeting_file_uuid,
        meeting=meeting,
        filename="ledger.txt",
        content_type="text/plain",
        size=len(FILE),
        sha256=FILE_SHA256,
        content=_sealed("cases.meetingattachment", meeting_file_uuid),
    )
    return {
        Exchange: [exchange.pk],
        Attachment: [attachment.pk],
        DisseminationRequest: [r.pk for r in requests],
        Case: [case.pk],
        OperationalMeeting: [meeting.pk],
        MeetingAttachment: [meeting_file.pk],
    }


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_the_rows_stored_before_them_and_going_back_decrypts_them() -> None:
    call_command(
        "seed_demo", "--personas-only", verbosity=0
    )  # the transactional database starts empty
    assert Agency.objects.exists()
    executor = _migrate(BEFORE)
    try:
        rows = _rows_before(executor.loader.project_state(BEFORE).apps)
        [exchange_pk] = rows[Exchange]
        granted_pk = rows[DisseminationRequest][0]

        _migrate(AFTER)

        for (model, field_name), plaintext in PLAINTEXT.items():
            pk = granted_pk if model is DisseminationRequest else rows[model][0]
            stored = raw_column(model, pk, field_name)
            assert isinstance(stored, str)
            assert stored.startswith(f"{current_key_id()}:")
            assert plaintext not in stored
            # Only the column and the row key: later migrations add columns the table lacks now.
            row = model._default_manager.only("uuid", field_name).get(pk=pk)
            assert getattr(row, field_name) == plaintext
        # Every encrypted value reads, the empty ones too.
        pending = DisseminationRequest.objects.get(pk=rows[DisseminationRequest][1])
        assert pending.decision_note == ""
        assert (
            len(
                {
                    r.uuid
                    for r in DisseminationRequest.objects.filter(pk__in=rows[DisseminationRequest])
                }
            )
            == 2
        )
        # The files still open (their recorded SHA-256, now decrypted, matches).
        assert open_attachment(Attachment.objects.get(pk=rows[Attachment][0])) == FILE
        assert open_attachment(MeetingAttachment.objects.get(pk=rows[MeetingAttachment][0])) == FILE
        # The confirmation keeps the digest of the text confirmed: it still holds.
        confirmation = RestrictionConfirmation.objects.get(exchange_id=exchange_pk)
        assert confirmation.restriction_digest == restriction_digest(H3)

        _migrate(BEFORE)

        for (model, field_name), plaintext in PLAINTEXT.items():
            pk = granted_pk if model is DisseminationRequest else rows[model][0]
            assert raw_column(model, pk, field_name) == plaintext
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT restriction_text FROM exchanges_restrictionconfirmation "
                "WHERE exchange_id = %s",
                [exchange_pk],
            )
            assert cursor.fetchall() == [(H3,)]
    finally:
        # Back to the latest state, for the tests that follow on this database.
        latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
        _migrate(latest)
