"""Keyed digests: HMAC-SHA256 of a value under a key derived, for one purpose, from
``AUDIT_CHAIN_KEY``.

A digest lets the database compare or name a value without holding it: the H3 text an officer
confirmed, the SHA-256 of a downloaded file in the audit log. A plain hash would not do: whoever
holds a dump and a guess (a file they have, a likely wording) could compute it and confirm the
guess. Without the key nobody can.

Each purpose has its own derived key, so a digest made for one use never matches one made for
another. The key is the audit log's: digests recorded in audit events stay checkable for as long
as the log itself, which no rotation of the field encryption keys touches.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

from django.conf import settings


class DigestPurpose(StrEnum):
    # The H3 text an officer confirmed (exchanges.RestrictionConfirmation).
    RESTRICTION_TEXT = "h3 restriction text"
    # The SHA-256 of an attached file, as the audit log names it.
    FILE_SHA256 = "attachment sha256"


def keyed_digest(purpose: DigestPurpose, value: str) -> str:
    """The hex HMAC-SHA256 of ``value`` under the key of ``purpose``."""
    key = hmac.new(
        settings.AUDIT_CHAIN_KEY, b"selec keyed digest|" + purpose.value.encode(), hashlib.sha256
    ).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def file_digest(sha256: str) -> str:
    """What the audit log records of an attached file: the keyed digest of its SHA-256, which
    those who hold the file and the key can check and nobody else can compute."""
    return keyed_digest(DigestPurpose.FILE_SHA256, sha256)
