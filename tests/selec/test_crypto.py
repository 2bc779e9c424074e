"""Encryption at rest: the AES-256-GCM primitives, the encrypted model fields on the real
exchange models, and the key rotation command."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import os
import uuid

import pytest
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.utils import timezone

from cases.models import Case, MeetingAttachment, OperationalMeeting
from exchanges.models import Attachment, DisseminationRequest, Entity, Exchange, ExchangeKind
from exchanges.services import (
    dissemination_request_decide,
    dissemination_request_file,
    exchange_confirm_restrictions,
    exchange_consult,
)
from partners.models import Agency, Officer
from selec.core.crypto import (
    DecryptionError,
    associated_data,
    decrypt_bytes,
    decrypt_text,
    encrypt_bytes,
    encrypt_text,
    key_id_of,
)
from selec.core.files import open_attachment
from taskforces.models import CrimeArea
from tests.cases.scenario import A_MINUTES_FILE, add_meeting, open_case
from tests.exchanges.scenario import CODES, send

KEY_A = os.urandom(32)
KEY_B = os.urandom(32)
AAD = associated_data("exchanges.exchange", "subject", "7d7f0c1e-0000-4000-8000-000000000001")


@pytest.fixture
def keyring_a(settings):  # type: ignore[no-untyped-def]
    """Key "old" (A) first: everything written from here is encrypted under it. The test
    environment's own keys stay behind it so that rows written before the test (demo data, if
    any) still read and rotate like any other."""
    settings.FIELD_ENCRYPTION_KEYS = {"old": KEY_A, **settings.FIELD_ENCRYPTION_KEYS}
    return settings


def rotate_to_b(settings) -> None:  # type: ignore[no-untyped-def]
    """The rotation procedure's first step: the new key first, the old one kept second."""
    settings.FIELD_ENCRYPTION_KEYS = {"new": KEY_B, **settings.FIELD_ENCRYPTION_KEYS}


def tamper(token: str, index: int) -> str:
    """Flip one bit of byte ``index`` of the decoded payload and encode it again."""
    key_id, _, payload = token.partition(":")
    sealed = bytearray(base64.b64decode(payload))
    sealed[index] ^= 0x01
    return f"{key_id}:{base64.b64encode(bytes(sealed)).decode()}"


# --- primitives -------------------------------------------------------------------------------


def test_text_round_trips_and_the_ciphertext_names_its_key(keyring_a) -> None:  # type: ignore[no-untyped-def]
    token = encrypt_text("Suspect: Ion Popescu, born 1980 — Constanța", aad=AAD)

    assert token.startswith("old:")
    assert key_id_of(token) == "old"
    assert "Popescu" not in token
    assert decrypt_text(token, aad=AAD) == "Suspect: Ion Popescu, born 1980 — Constanța"


def test_bytes_round_trip_and_the_ciphertext_names_its_key(keyring_a) -> None:  # type: ignore[no-untyped-def]
    content = b"%PDF-1.4 confidential\x00\xff"
    blob = encrypt_bytes(content, aad=AAD)

    assert blob.startswith(b"old:")
    assert key_id_of(blob) == "old"
    assert b"confidential" not in blob
    assert decrypt_bytes(blob, aad=AAD) == content
    # psycopg2 hands bytea back as a memoryview.
    assert decrypt_bytes(memoryview(blob), aad=AAD) == content


def test_the_same_plaintext_encrypts_differently_each_time(keyring_a) -> None:  # type: ignore[no-untyped-def]
    assert encrypt_text("same", aad=AAD) != encrypt_text("same", aad=AAD)
    assert encrypt_bytes(b"same", aad=AAD) != encrypt_bytes(b"same", aad=AAD)


@pytest.mark.parametrize(
    "other_aad",
    [
        associated_data("exchanges.exchange", "subject", "7d7f0c1e-0000-4000-8000-000000000002"),
        associated_data("exchanges.exchange", "body", "7d7f0c1e-0000-4000-8000-000000000001"),
        associated_data("exchanges.entity", "subject", "7d7f0c1e-0000-4000-8000-000000000001"),
    ],
    ids=["another row", "another field", "another model"],
)
def test_a_ciphertext_is_refused_under_other_associated_data(keyring_a, other_aad: bytes) -> None:  # type: ignore[no-untyped-def]
    token = encrypt_text("bound to its row", aad=AAD)
    blob = encrypt_bytes(b"bound to its row", aad=AAD)

    with pytest.raises(DecryptionError, match="another row or field"):
        decrypt_text(token, aad=other_aad)
    with pytest.raises(DecryptionError, match="another row or field"):
        decrypt_bytes(blob, aad=other_aad)


@pytest.mark.parametrize(
    "index", [0, 11, 12, -17, -1], ids=["nonce", "nonce end", "body", "body end", "tag"]
)
def test_a_tampered_text_ciphertext_is_refused_never_returned_as_garbage(
    keyring_a, index: int
) -> None:  # type: ignore[no-untyped-def]
    token = encrypt_text("a sixteen+ byte plaintext", aad=AAD)

    with pytest.raises(DecryptionError, match="altered"):
        decrypt_text(tamper(token, index), aad=AAD)


def test_a_tampered_bytes_ciphertext_is_refused(keyring_a) -> None:  # type: ignore[no-untyped-def]
    blob = bytearray(encrypt_bytes(b"file content", aad=AAD))
    blob[len(b"old:") + 20] ^= 0x80

    with pytest.raises(DecryptionError, match="altered"):
        decrypt_bytes(bytes(blob), aad=AAD)


@pytest.mark.parametrize(
    "token", ["old:", "old:AAAA", "old:" + base64.b64encode(bytes(27)).decode()]
)
def test_a_truncated_ciphertext_is_refused_with_decryption_error(keyring_a, token: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DecryptionError):
        decrypt_text(token, aad=AAD)
    with pytest.raises(DecryptionError):
        decrypt_bytes(token.encode()[:5], aad=AAD)


@pytest.mark.parametrize(
    ("token", "message"),
    [("plain text, never encrypted", "no key id"), ("old:not base64!", "not valid base64")],
)
def test_a_value_that_is_not_a_ciphertext_is_refused(keyring_a, token: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DecryptionError, match=message):
        decrypt_text(token, aad=AAD)


def test_a_ciphertext_under_an_unknown_key_is_refused(keyring_a) -> None:  # type: ignore[no-untyped-def]
    token = encrypt_text("secret", aad=AAD)
    blob = encrypt_bytes(b"secret", aad=AAD)
    keyring_a.FIELD_ENCRYPTION_KEYS = {"new": KEY_B}

    with pytest.raises(DecryptionError, match="'old', which is not in the keyring"):
        decrypt_text(token, aad=AAD)
    with pytest.raises(DecryptionError, match="'old', which is not in the keyring"):
        decrypt_bytes(blob, aad=AAD)


def test_a_key_kept_second_in_the_ring_still_decrypts_old_values(keyring_a) -> None:  # type: ignore[no-untyped-def]
    old_token = encrypt_text("written under the old key", aad=AAD)
    old_blob = encrypt_bytes(b"written under the old key", aad=AAD)
    rotate_to_b(keyring_a)

    assert decrypt_text(old_token, aad=AAD) == "written under the old key"
    assert decrypt_bytes(old_blob, aad=AAD) == b"written under the old key"
    assert encrypt_text("new", aad=AAD).startswith("new:")
    assert encrypt_bytes(b"new", aad=AAD).startswith(b"new:")


# --- fields on the real models ----------------------------------------------------------------


def make_exchange(author: Officer, *, subject: str, body: str) -> Exchange:
    sent_at = timezone.now()
    return Exchange.objects.create(
        reference=f"T-{uuid.uuid4().hex[:12]}",
        kind=ExchangeKind.INFORMATION,
        sender_agency=Agency.objects.get(name="Romanian Police"),
        author=author,
        crime_area=CrimeArea.objects.get(code="drugs"),
        sent_at=sent_at,
        due_at=sent_at + dt.timedelta(days=14),
        subject=subject,
        body=body,
    )


def make_entity(exchange: Exchange, attributes: dict[str, str]) -> Entity:
    return Entity.objects.create(exchange=exchange, kind="person", attributes=attributes)


def make_attachment(exchange: Exchange, content: bytes) -> Attachment:
    attachment = Attachment(
        exchange=exchange,
        filename="evidence.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    attachment.content = encrypt_bytes(
        content, aad=associated_data("exchanges.attachment", "content", str(attachment.uuid))
    )
    attachment.save()
    return attachment


def raw_column(model: type[models.Model], pk: int, field_name: str) -> str | bytes:
    """The column as stored, read past the ORM."""
    quote = connection.ops.quote_name
    column = model._meta.get_field(field_name).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} WHERE id = %s",  # noqa: S608 (identifiers from model metadata)
            [pk],
        )
        (value,) = cursor.fetchone()
    return bytes(value) if isinstance(value, memoryview) else value


def write_raw_column(
    model: type[models.Model], pk: int, field_name: str, value: str | bytes
) -> None:
    quote = connection.ops.quote_name
    column = model._meta.get_field(field_name).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608 (identifiers from model metadata)
            [value, pk],
        )


SUBJECT = "Heroin shipment via Constanța port"
BODY = "Driver: Ion Popescu, passport RO1234567, truck B-123-XYZ."
ATTRIBUTES = {"name": "Ion Popescu", "born": "1980-04-02", "passport": "RO1234567"}


@pytest.mark.django_db
def test_encrypted_fields_read_back_as_plaintext(keyring_a, lo_ro: Officer) -> None:  # type: ignore[no-untyped-def]
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)
    entity = make_entity(exchange, ATTRIBUTES)

    exchange.refresh_from_db()
    assert (exchange.subject, exchange.body) == (SUBJECT, BODY)
    assert Entity.objects.get(pk=entity.pk).attributes == ATTRIBUTES


@pytest.mark.django_db
def test_the_columns_hold_ciphertext_under_the_current_key_not_plaintext(
    keyring_a, lo_ro: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)
    entity = make_entity(exchange, ATTRIBUTES)

    columns = [
        raw_column(Exchange, exchange.pk, "subject"),
        raw_column(Exchange, exchange.pk, "body"),
        raw_column(Entity, entity.pk, "attributes"),
    ]
    for column in columns:
        assert isinstance(column, str)
        assert column.startswith("old:")
        for secret in ("Heroin", "Popescu", "RO1234567", "1980-04-02"):
            assert secret not in column


@pytest.mark.django_db
def test_a_ciphertext_copied_into_another_row_does_not_decrypt(keyring_a, lo_ro: Officer) -> None:  # type: ignore[no-untyped-def]
    first = make_exchange(lo_ro, subject=SUBJECT, body=BODY)
    second = make_exchange(lo_ro, subject="Routine query", body="Nothing personal.")
    entity = make_entity(first, ATTRIBUTES)
    other_entity = make_entity(second, {"name": "Someone else"})
    write_raw_column(Exchange, second.pk, "subject", raw_column(Exchange, first.pk, "subject"))
    write_raw_column(
        Entity, other_entity.pk, "attributes", raw_column(Entity, entity.pk, "attributes")
    )

    with pytest.raises(DecryptionError):
        _ = Exchange.objects.get(pk=second.pk).subject
    with pytest.raises(DecryptionError):
        _ = Entity.objects.get(pk=other_entity.pk).attributes
    # The untouched column of the same row still reads.
    assert Exchange.objects.get(pk=second.pk).body == "Nothing personal."


@pytest.mark.django_db
def test_a_ciphertext_copied_into_another_field_of_the_row_does_not_decrypt(
    keyring_a, lo_ro: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)
    write_raw_column(Exchange, exchange.pk, "body", raw_column(Exchange, exchange.pk, "subject"))

    with pytest.raises(DecryptionError):
        _ = Exchange.objects.get(pk=exchange.pk).body


@pytest.mark.django_db
def test_values_list_returns_ciphertext_not_plaintext(keyring_a, lo_ro: Officer) -> None:  # type: ignore[no-untyped-def]
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)

    (subject,) = Exchange.objects.filter(pk=exchange.pk).values_list("subject", flat=True)
    assert subject != SUBJECT
    assert subject.startswith("old:")
    assert subject == raw_column(Exchange, exchange.pk, "subject")


@pytest.mark.django_db
def test_serialisation_writes_ciphertext_not_plaintext(keyring_a, lo_ro: Officer) -> None:  # type: ignore[no-untyped-def]
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)

    dumped = serializers.serialize("json", [Exchange.objects.get(pk=exchange.pk)])
    assert "Heroin" not in dumped
    assert "Popescu" not in dumped


@pytest.mark.django_db
def test_a_deferred_encrypted_field_is_loaded_and_decrypted_when_read(
    keyring_a, lo_ro: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)

    assert Exchange.objects.only("reference").get(pk=exchange.pk).subject == SUBJECT
    assert Exchange.objects.defer("body").get(pk=exchange.pk).body == BODY


@pytest.mark.django_db
def test_saving_an_unread_row_keeps_its_plaintext(keyring_a, lo_ro: Officer) -> None:  # type: ignore[no-untyped-def]
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)

    loaded = Exchange.objects.get(pk=exchange.pk)
    loaded.priority = "urgent"
    loaded.save()  # subject and body were never read: saved again, not double-encrypted

    assert Exchange.objects.get(pk=exchange.pk).subject == SUBJECT


# --- key rotation -----------------------------------------------------------------------------


@pytest.fixture
def rows_under_old_key(keyring_a, lo_ro: Officer):  # type: ignore[no-untyped-def]
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
def test_rotation_re_encrypts_every_value_under_the_new_key(rows_under_old_key, settings) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
    assert exchange_consult(officer=lo_bg, exchange=exchange).body


@pytest.mark.django_db
def test_a_second_rotation_finds_nothing_left(rows_under_old_key, settings) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
def test_a_dry_run_counts_and_changes_nothing(rows_under_old_key, settings) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
    exchange, entity, attachment = rows_under_old_key
    corrupt = make_exchange(lo_ro, subject="to be corrupted", body="fine")
    write_raw_column(
        Exchange, corrupt.pk, "subject", tamper(raw_column(Exchange, corrupt.pk, "subject"), 20)
    )
    corrupt_blob = bytearray(raw_column(Attachment, attachment.pk, "content"))
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
) -> None:  # type: ignore[no-untyped-def]
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


def test_a_batch_size_below_one_is_refused(keyring_a) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="at least 1"):
        rotate("--batch-size", "0")
