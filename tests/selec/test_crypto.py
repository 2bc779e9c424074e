"""Encryption at rest: the AES-256-GCM primitives (the encrypted model fields are in
``test_crypto_fields``, the key rotation command in ``test_crypto_rotation``)."""

from __future__ import annotations

import base64

import pytest

from selec.core.crypto import (
    DecryptionError,
    associated_data,
    decrypt_bytes,
    decrypt_text,
    encrypt_bytes,
    encrypt_text,
    key_id_of,
)
from tests.selec.encryption import KEY_B, rotate_to_b, tamper

AAD = associated_data("exchanges.exchange", "subject", "7d7f0c1e-0000-4000-8000-000000000001")


# --- primitives -------------------------------------------------------------------------------


def test_text_round_trips_and_the_ciphertext_names_its_key(keyring_a) -> None:
    token = encrypt_text("Suspect: Ion Popescu, born 1980 — Constanța", aad=AAD)

    assert token.startswith("old:")
    assert key_id_of(token) == "old"
    assert "Popescu" not in token
    assert decrypt_text(token, aad=AAD) == "Suspect: Ion Popescu, born 1980 — Constanța"


def test_bytes_round_trip_and_the_ciphertext_names_its_key(keyring_a) -> None:
    content = b"%PDF-1.4 confidential\x00\xff"
    blob = encrypt_bytes(content, aad=AAD)

    assert blob.startswith(b"old:")
    assert key_id_of(blob) == "old"
    assert b"confidential" not in blob
    assert decrypt_bytes(blob, aad=AAD) == content
    # psycopg2 hands bytea back as a memoryview.
    assert decrypt_bytes(memoryview(blob), aad=AAD) == content


def test_the_same_plaintext_encrypts_differently_each_time(keyring_a) -> None:
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
def test_a_ciphertext_is_refused_under_other_associated_data(keyring_a, other_aad: bytes) -> None:
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
) -> None:
    token = encrypt_text("a sixteen+ byte plaintext", aad=AAD)

    with pytest.raises(DecryptionError, match="altered"):
        decrypt_text(tamper(token, index), aad=AAD)


def test_a_tampered_bytes_ciphertext_is_refused(keyring_a) -> None:
    blob = bytearray(encrypt_bytes(b"file content", aad=AAD))
    blob[len(b"old:") + 20] ^= 0x80

    with pytest.raises(DecryptionError, match="altered"):
        decrypt_bytes(bytes(blob), aad=AAD)


@pytest.mark.parametrize(
    "token", ["old:", "old:AAAA", "old:" + base64.b64encode(bytes(27)).decode()]
)
def test_a_truncated_ciphertext_is_refused_with_decryption_error(keyring_a, token: str) -> None:
    with pytest.raises(DecryptionError):
        decrypt_text(token, aad=AAD)
    with pytest.raises(DecryptionError):
        decrypt_bytes(token.encode()[:5], aad=AAD)


@pytest.mark.parametrize(
    ("token", "message"),
    [("plain text, never encrypted", "no key id"), ("old:not base64!", "not valid base64")],
)
def test_a_value_that_is_not_a_ciphertext_is_refused(keyring_a, token: str, message: str) -> None:
    with pytest.raises(DecryptionError, match=message):
        decrypt_text(token, aad=AAD)


def test_a_ciphertext_under_an_unknown_key_is_refused(keyring_a) -> None:
    token = encrypt_text("secret", aad=AAD)
    blob = encrypt_bytes(b"secret", aad=AAD)
    keyring_a.FIELD_ENCRYPTION_KEYS = {"new": KEY_B}

    with pytest.raises(DecryptionError, match="'old', which is not in the keyring"):
        decrypt_text(token, aad=AAD)
    with pytest.raises(DecryptionError, match="'old', which is not in the keyring"):
        decrypt_bytes(blob, aad=AAD)


def test_a_key_kept_second_in_the_ring_still_decrypts_old_values(keyring_a) -> None:
    old_token = encrypt_text("written under the old key", aad=AAD)
    old_blob = encrypt_bytes(b"written under the old key", aad=AAD)
    rotate_to_b(keyring_a)

    assert decrypt_text(old_token, aad=AAD) == "written under the old key"
    assert decrypt_bytes(old_blob, aad=AAD) == b"written under the old key"
    assert encrypt_text("new", aad=AAD).startswith("new:")
    assert encrypt_bytes(b"new", aad=AAD).startswith(b"new:")
