"""Encryption at rest: the encrypted model fields on the real exchange models."""

from __future__ import annotations

import pytest
from django.core import serializers
from django.db import transaction

from exchanges.models import Entity, Exchange
from partners.models import Officer
from selec.core.crypto import DecryptionError
from tests.selec.encryption import (
    ATTRIBUTES,
    BODY,
    SUBJECT,
    make_entity,
    make_exchange,
    raw_column,
    write_raw_column,
)


@pytest.mark.django_db
def test_encrypted_fields_read_back_as_plaintext(keyring_a, lo_ro: Officer) -> None:
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)
    entity = make_entity(exchange, ATTRIBUTES)

    exchange.refresh_from_db()
    assert (exchange.subject, exchange.body) == (SUBJECT, BODY)
    assert Entity.objects.get(pk=entity.pk).attributes == ATTRIBUTES


@pytest.mark.django_db
def test_the_columns_hold_ciphertext_under_the_current_key_not_plaintext(
    keyring_a, lo_ro: Officer
) -> None:
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
def test_a_ciphertext_copied_into_another_row_does_not_decrypt(keyring_a, lo_ro: Officer) -> None:
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
) -> None:
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)
    write_raw_column(Exchange, exchange.pk, "body", raw_column(Exchange, exchange.pk, "subject"))

    with pytest.raises(DecryptionError):
        _ = Exchange.objects.get(pk=exchange.pk).body


@pytest.mark.django_db
def test_values_list_returns_ciphertext_not_plaintext(keyring_a, lo_ro: Officer) -> None:
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)

    (subject,) = Exchange.objects.filter(pk=exchange.pk).values_list("subject", flat=True)
    assert subject != SUBJECT
    assert subject.startswith("old:")
    assert subject == raw_column(Exchange, exchange.pk, "subject")


@pytest.mark.django_db
def test_serialisation_writes_ciphertext_not_plaintext(keyring_a, lo_ro: Officer) -> None:
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)

    dumped = serializers.serialize("json", [Exchange.objects.get(pk=exchange.pk)])
    assert "Heroin" not in dumped
    assert "Popescu" not in dumped


@pytest.mark.django_db
def test_a_deferred_encrypted_field_is_loaded_and_decrypted_when_read(
    keyring_a, lo_ro: Officer
) -> None:
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)

    assert Exchange.objects.only("reference").get(pk=exchange.pk).subject == SUBJECT
    assert Exchange.objects.defer("body").get(pk=exchange.pk).body == BODY


@pytest.mark.django_db
def test_saving_an_unread_row_keeps_its_plaintext(keyring_a, lo_ro: Officer) -> None:
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)

    loaded = Exchange.objects.get(pk=exchange.pk)
    loaded.priority = "urgent"
    loaded.save()  # subject and body were never read: saved again, not double-encrypted

    assert Exchange.objects.get(pk=exchange.pk).subject == SUBJECT


@pytest.mark.django_db
def test_a_bulk_update_or_update_never_stores_plaintext(keyring_a, lo_ro: Officer) -> None:
    """bulk_update() and QuerySet.update() skip pre_save, which encrypts: refused, not stored."""
    exchange = make_exchange(lo_ro, subject=SUBJECT, body=BODY)
    exchange.subject = "Plain words for the column"
    # Each in a savepoint of its own: bulk_update's transaction is left broken by the refusal.
    with pytest.raises(ValueError, match="bulk_update"), transaction.atomic():
        Exchange.objects.bulk_update([exchange], ["subject"])
    with pytest.raises(ValueError, match="encrypted"), transaction.atomic():
        Exchange.objects.filter(pk=exchange.pk).update(body="Plain words for the column")
    for field in ("subject", "body"):
        column = raw_column(Exchange, exchange.pk, field)
        assert isinstance(column, str)
        assert column.startswith("old:")
    # Ciphertext as read (a row loaded and written back untouched) passes, unchanged.
    stored = raw_column(Exchange, exchange.pk, "subject")
    Exchange.objects.filter(pk=exchange.pk).update(subject=stored)
    exchange.refresh_from_db()
    assert exchange.subject == SUBJECT
