"""Encryption at rest: the key rotation command."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Case, MeetingAttachment, OperationalMeeting
from exchanges.models import Attachment, DisseminationRequest, Entity, Exchange
from exchanges.services.consultation import exchange_consult
from exchanges.services.dissemination_requests import (
    dissemination_request_decide,
    dissemination_request_file,
)
from exchanges.services.on_receipt import exchange_confirm_restrictions
from partners.models import Officer
from selec.core.crypto import associated_data, decrypt_bytes, key_id_of
from selec.core.files import open_attachment
from tests.cases.scenario import A_MINUTES_FILE, add_meeting, open_case
from tests.exchanges.scenario import CODES, send
from tests.helpers import purpose_given
from tests.selec.encryption import (
    ATTRIBUTES,
    BODY,
    KEY_B,
    SUBJECT,
    make_attachment,
    make_entity,
    make_exchange,
    raw_column,
    rotate_to_b,
    tamper,
    write_raw_column,
)


@pytest.fixture
def rows_under_old_key(keyring_a, lo_ro: Officer):
    """An exchange, an entity and an attachment, all encrypted under the old key."""
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)
    entity = make_entity(exchange, ATTRIBUTES)
    attachment = make_attachment(exchange, b"%PDF-1.4 statement of the witness")
    return exchange, entity, attachment


def rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def stored_columns(exchange: Exchange, entity: Entity, attachment: Attachment) -> list[str | bytes]:
    return [
        raw_column(Exchange, exchange.pk, "subject"),
        raw_column(Exchange, exchange.pk, "body"),
        raw_column(Entity, entity.pk, "attributes"),
        raw_column(Attachment, attachment.pk, "filename"),
        raw_column(Attachment, attachment.pk, "content"),
    ]


def attachment_plaintext(attachment: Attachment) -> bytes:
    stored = Attachment.objects.get(pk=attachment.pk)
    return decrypt_bytes(
        stored.content, aad=associated_data("exchanges.attachment", "content", str(stored.uuid))
    )


@pytest.mark.django_db
def test_rotation_re_encrypts_every_value_under_the_new_key(rows_under_old_key, settings) -> None:
    exchange, entity, attachment = rows_under_old_key
    rotate_to_b(settings)

    output = rotate()

    for column in stored_columns(*rows_under_old_key):
        assert key_id_of(column) == "new"
    assert (
        f"exchanges.Exchange.subject: {Exchange.objects.count()} re-encrypted, 0 failed" in output
    )
    assert f"exchanges.Entity.attributes: {Entity.objects.count()} re-encrypted, 0 failed" in output
    assert (
        f"exchanges.Attachment.content: {Attachment.objects.count()} re-encrypted, 0 failed"
        in output
    )
    # The old key is no longer needed.
    settings.FIELD_ENCRYPTION_KEYS = {"new": KEY_B}
    stored = Exchange.objects.get(pk=exchange.pk)
    assert (stored.subject, stored.body) == (SUBJECT, BODY)
    assert Entity.objects.get(pk=entity.pk).attributes == ATTRIBUTES
    assert Attachment.objects.get(pk=attachment.pk).filename == "evidence.pdf"
    assert attachment_plaintext(attachment) == b"%PDF-1.4 statement of the witness"


@pytest.mark.django_db
def test_rotation_re_encrypts_the_attachments_of_operational_meetings_too(
    keyring_a, lo_ro: Officer
) -> None:
    meeting = add_meeting(lo_ro, open_case(lo_ro, "Bulgarian Police"))
    attachment = meeting.attachments.get()
    rotate_to_b(keyring_a)

    output = rotate()

    assert key_id_of(raw_column(MeetingAttachment, attachment.pk, "content")) == "new"
    assert "cases.MeetingAttachment.content: 1 re-encrypted, 0 failed" in output
    keyring_a.FIELD_ENCRYPTION_KEYS = {"new": KEY_B}
    assert (
        open_attachment(MeetingAttachment.objects.get(pk=attachment.pk)) == A_MINUTES_FILE.content
    )


@pytest.mark.django_db
def test_rotation_re_encrypts_h3_texts_requests_names_places_and_file_hashes(
    keyring_a, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    held = send(lo_ro, "Bulgarian Police", code="H1", attachments=())
    request = dissemination_request_file(
        officer=lo_bg,
        exchange=held,
        kind="evidence",
        target_agency_ids=[],
        intended_use="Trial in Sofia",
        justification="Court order 12/2026",
    )
    dissemination_request_decide(officer=lo_ro, request=request, grant=True, note="Granted")
    case = open_case(lo_ro, "Bulgarian Police", name="Kapitan")
    meeting = add_meeting(lo_ro, case)
    columns = [
        (Exchange, exchange.pk, "restriction_text"),
        (Attachment, exchange.attachments.get().pk, "sha256"),
        (DisseminationRequest, request.pk, "intended_use"),
        (DisseminationRequest, request.pk, "justification"),
        (DisseminationRequest, request.pk, "decision_note"),
        (Case, case.pk, "name"),
        (Case, case.pk, "restriction_text"),
        (OperationalMeeting, meeting.pk, "place"),
        (MeetingAttachment, meeting.attachments.get().pk, "sha256"),
    ]
    assert {key_id_of(raw_column(*column)) for column in columns} == {"old"}
    rotate_to_b(keyring_a)

    output = rotate()

    assert {key_id_of(raw_column(*column)) for column in columns} == {"new"}
    for model, _, field_name in columns:
        (line,) = [
            x for x in output.splitlines() if x.startswith(f"{model._meta.label}.{field_name}:")
        ]
        assert line.endswith(" re-encrypted, 0 failed"), line
        assert not line.endswith(": 0 re-encrypted, 0 failed"), line
    # The old key is no longer needed; the H3 confirmation (a digest) still holds.
    keyring_a.FIELD_ENCRYPTION_KEYS = {"new": KEY_B}
    assert Exchange.objects.get(pk=exchange.pk).restriction_text == CODES["H3"].text
    stored = DisseminationRequest.objects.get(pk=request.pk)
    assert (stored.intended_use, stored.justification, stored.decision_note) == (
        "Trial in Sofia",
        "Court order 12/2026",
        "Granted",
    )
    assert Case.objects.get(pk=case.pk).name == "Kapitan"
    assert OperationalMeeting.objects.get(pk=meeting.pk).place == "Ruse"
    assert MeetingAttachment.objects.get(pk=meeting.attachments.get().pk).sha256 == (
        hashlib.sha256(A_MINUTES_FILE.content).hexdigest()
    )
    purpose_given(lo_bg, exchange)
    assert exchange_consult(officer=lo_bg, exchange=exchange).body


@pytest.mark.django_db
def test_a_second_rotation_finds_nothing_left(rows_under_old_key, settings) -> None:
    rotate_to_b(settings)
    rotate()
    columns_after_first_run = stored_columns(*rows_under_old_key)

    output = rotate()

    assert "exchanges.Exchange.subject: 0 re-encrypted, 0 failed" in output
    assert "exchanges.Attachment.content: 0 re-encrypted, 0 failed" in output
    assert all(
        line.endswith(": 0 re-encrypted, 0 failed")
        for line in output.splitlines()
        if "re-encrypted," in line
    )
    assert stored_columns(*rows_under_old_key) == columns_after_first_run


@pytest.mark.django_db
def test_rotation_takes_up_only_what_an_earlier_run_left(
    rows_under_old_key, lo_ro: Officer, settings
) -> None:
    exchange, _, _ = rows_under_old_key
    rotate_to_b(settings)
    # As if an interrupted run had finished this row: saving re-encrypts under the first key.
    Exchange.objects.get(pk=exchange.pk).save(update_fields=["subject", "body"])
    already_done = raw_column(Exchange, exchange.pk, "subject")

    output = rotate()

    expected = Exchange.objects.count() - 1
    assert f"exchanges.Exchange.subject: {expected} re-encrypted, 0 failed" in output
    assert raw_column(Exchange, exchange.pk, "subject") == already_done


@pytest.mark.django_db
def test_a_dry_run_counts_and_changes_nothing(rows_under_old_key, settings) -> None:
    rotate_to_b(settings)
    before = stored_columns(*rows_under_old_key)

    output = rotate("--dry-run")

    assert f"exchanges.Exchange.subject: {Exchange.objects.count()} to re-encrypt" in output
    assert f"exchanges.Attachment.content: {Attachment.objects.count()} to re-encrypt" in output
    assert "Dry run: nothing was changed." in output
    assert stored_columns(*rows_under_old_key) == before


@pytest.mark.django_db
def test_a_row_that_does_not_decrypt_is_reported_and_the_others_still_rotate(
    rows_under_old_key, lo_ro: Officer, settings
) -> None:
    exchange, entity, attachment = rows_under_old_key
    corrupt = make_exchange(lo_ro, subject="to be corrupted", body="fine")
    stored_subject = raw_column(Exchange, corrupt.pk, "subject")
    stored_content = raw_column(Attachment, attachment.pk, "content")
    # A text column and a bytea column.
    assert isinstance(stored_subject, str)
    assert isinstance(stored_content, bytes)
    write_raw_column(Exchange, corrupt.pk, "subject", tamper(stored_subject, 20))
    corrupt_blob = bytearray(stored_content)
    corrupt_blob[-1] ^= 0x01
    write_raw_column(Attachment, attachment.pk, "content", bytes(corrupt_blob))
    rotate_to_b(settings)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("rotate_encryption_keys", "--batch-size", "1", stdout=out, stderr=err)

    message = str(refused.value)
    assert f"exchanges.Exchange.subject pk={corrupt.pk}" in message
    assert f"exchanges.Attachment.content pk={attachment.pk}" in message
    assert f"exchanges.Exchange.subject pk={corrupt.pk}" in err.getvalue()
    expected_subjects = Exchange.objects.count() - 1
    assert (
        f"exchanges.Exchange.subject: {expected_subjects} re-encrypted, 1 failed" in out.getvalue()
    )
    expected_contents = Attachment.objects.count() - 1
    assert (
        f"exchanges.Attachment.content: {expected_contents} re-encrypted, 1 failed"
        in out.getvalue()
    )
    # Everything else moved to the new key, including the same rows' other fields.
    assert key_id_of(raw_column(Exchange, corrupt.pk, "subject")) == "old"
    assert key_id_of(raw_column(Exchange, corrupt.pk, "body")) == "new"
    assert key_id_of(raw_column(Attachment, attachment.pk, "content")) == "old"
    assert key_id_of(raw_column(Attachment, attachment.pk, "filename")) == "new"
    assert key_id_of(raw_column(Exchange, exchange.pk, "subject")) == "new"
    assert key_id_of(raw_column(Entity, entity.pk, "attributes")) == "new"


@pytest.mark.django_db
def test_rotation_in_batches_smaller_than_the_table_covers_every_row(
    keyring_a, lo_ro: Officer, settings
) -> None:
    exchanges = [make_exchange(lo_ro, subject=f"subject {n}", body=f"body {n}") for n in range(5)]
    for exchange in exchanges[:2]:
        make_attachment(exchange, f"file {exchange.pk}".encode())
    rotate_to_b(settings)

    output = rotate("--batch-size", "2")

    assert f"exchanges.Exchange.body: {Exchange.objects.count()} re-encrypted, 0 failed" in output
    for exchange in exchanges:
        assert key_id_of(raw_column(Exchange, exchange.pk, "body")) == "new"
    settings.FIELD_ENCRYPTION_KEYS = {"new": KEY_B}
    assert [Exchange.objects.get(pk=e.pk).subject for e in exchanges] == [
        f"subject {n}" for n in range(5)
    ]


def test_a_batch_size_below_one_is_refused(keyring_a) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        rotate("--batch-size", "0")
