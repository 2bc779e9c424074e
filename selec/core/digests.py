"""Keyed digests: HMAC-SHA256 of a value under a key derived, for one purpose, from the audit
key (``selec.core.audit_keys``).

A digest lets the database compare or name a value without holding it: the H3 text an officer
confirmed, the SHA-256 of a downloaded file in the audit log. A plain hash would not do: whoever
holds a dump and a guess (a file they have, a likely wording) could compute it and confirm the
guess. Without the key nobody can.

Each purpose has its own derived key, so a digest made for one use never matches one made for
another. The key is the audit log's: digests recorded in audit events stay checkable for as long
as the log itself, which no rotation of the field encryption keys touches. A digest is made under
the current audit key; a stored one is matched against the digests under every configured key
(``keyed_digests``), so that a rotation of the audit key loses no confirmation.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

from selec.core.audit_keys import audit_keyring, current_key_id, derived_key


class DigestPurpose(StrEnum):
    # The H3 text an officer confirmed (exchanges.RestrictionConfirmation).
    RESTRICTION_TEXT = "h3 restriction text"
    # The SHA-256 of an attached file, as the audit log names it.
    FILE_SHA256 = "attachment sha256"
    # A value a provider's correction replaced: the audit log keeps this, never the value.
    CORRECTED_VALUE = "corrected value"


def keyed_digest(purpose: DigestPurpose, value: str, *, key_id: str | None = None) -> str:
    """The hex HMAC-SHA256 of ``value`` under the key of ``purpose`` (derived from the current
    audit key, or from ``key_id``'s)."""
    key = derived_key(key_id or current_key_id(), b"selec keyed digest|" + purpose.value.encode())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def keyed_digests(purpose: DigestPurpose, value: str) -> list[str]:
    """``keyed_digest`` under every configured audit key, the current one first: what a digest
    stored before a rotation of the key may be."""
    return [keyed_digest(purpose, value, key_id=key_id) for key_id in audit_keyring()]


def file_digest(sha256: str) -> str:
    """What the audit log records of an attached file: the keyed digest of its SHA-256, which
    those who hold the file and the key can check and nobody else can compute."""
    return keyed_digest(DigestPurpose.FILE_SHA256, sha256)
