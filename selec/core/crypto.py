"""AES-256-GCM encryption at rest, with a keyring for rotation.

A ciphertext names the key that made it, so old rows stay readable after a new key is put
first in ``FIELD_ENCRYPTION_KEYS``; ``rotate_encryption_keys`` then re-encrypts them. The
associated data binds a ciphertext to its row and field: copied into another row or column it
no longer decrypts, and an altered ciphertext is refused, never returned as garbage.

Text form (fields): ``<key id>:<base64(nonce | ciphertext | tag)>``.
Binary form (attachments): ``<key id>:`` as ASCII, then ``nonce | ciphertext | tag``.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """The ciphertext cannot be trusted: unknown key, altered bytes, or another row's data."""


def current_key_id() -> str:
    return next(iter(settings.FIELD_ENCRYPTION_KEYS))


def _key(key_id: str) -> bytes:
    try:
        return settings.FIELD_ENCRYPTION_KEYS[key_id]
    except KeyError:
        raise DecryptionError(
            f"encrypted with key {key_id!r}, which is not in the keyring"
        ) from None


def _seal(plaintext: bytes, aad: bytes, key_id: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(_key(key_id)).encrypt(nonce, plaintext, aad)


def _open(sealed: bytes, aad: bytes, key_id: str) -> bytes:
    # Too short to hold a nonce and a tag: AESGCM would raise ValueError, not InvalidTag.
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext refused: it is truncated")
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return AESGCM(_key(key_id)).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise DecryptionError(
            "ciphertext refused: it was altered, or it belongs to another row or field"
        ) from None


def encrypt_text(plaintext: str, *, aad: bytes) -> str:
    key_id = current_key_id()
    return f"{key_id}:{base64.b64encode(_seal(plaintext.encode(), aad, key_id)).decode()}"


# A sealed value holds at least its nonce and its tag (see _seal).
_SEALED_MIN_BYTES = 12 + 16


def is_sealed_text(value: str) -> bool:
    """Whether ``value`` has the form of ``encrypt_text``'s output under a known key (without
    opening it): what the encrypted fields let through to the database."""
    key_id, sep, payload = value.partition(":")
    if not sep or key_id not in settings.FIELD_ENCRYPTION_KEYS:
        return False
    try:
        return len(base64.b64decode(payload, validate=True)) >= _SEALED_MIN_BYTES
    except ValueError:
        return False


def decrypt_text(token: str, *, aad: bytes) -> str:
    key_id, sep, payload = token.partition(":")
    if not sep:
        raise DecryptionError("not an encrypted value (no key id)")
    try:
        sealed = base64.b64decode(payload, validate=True)
    except ValueError:
        raise DecryptionError("ciphertext refused: it is not valid base64") from None
    return _open(sealed, aad, key_id).decode()


def encrypt_bytes(plaintext: bytes, *, aad: bytes) -> bytes:
    key_id = current_key_id()
    return key_id.encode() + b":" + _seal(plaintext, aad, key_id)


def decrypt_bytes(blob: bytes, *, aad: bytes) -> bytes:
    key_id, sep, sealed = bytes(blob).partition(b":")
    if not sep:
        raise DecryptionError("not an encrypted value (no key id)")
    return _open(sealed, aad, key_id.decode(errors="replace"))


def key_id_of(value: str | bytes) -> str:
    raw = value.encode() if isinstance(value, str) else bytes(value)
    return raw.partition(b":")[0].decode(errors="replace")


def associated_data(model_label: str, field_name: str, row_key: str) -> bytes:
    return f"{model_label}|{field_name}|{row_key}".encode()
