"""The audit log's keys: the one that signs now, and the retired ones that still verify.

Everything the log keys (the chain hashes, the events' content digests, the anchor's lines,
the justifications' digests, the keyed digests of ``selec.core.digests``) is made under the
current key, ``AUDIT_CHAIN_KEY``, named ``AUDIT_CHAIN_KEY_ID``, and each event and anchor line
records the id of the key it was made under. Rotating the key (docs/operations.md) names a new
current key and keeps the previous ones in ``AUDIT_CHAIN_PREVIOUS_KEYS``: what was written under
them verifies as before, what is written from then on is signed with the new one, and the
chain runs on unbroken (each link hashes the previous link, whatever key made it).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def current_key_id() -> str:
    return str(settings.AUDIT_CHAIN_KEY_ID)


def audit_keyring() -> dict[str, bytes]:
    """Every configured key by id, the current one first."""
    return {current_key_id(): settings.AUDIT_CHAIN_KEY, **settings.AUDIT_CHAIN_PREVIOUS_KEYS}


def audit_key(key_id: str) -> bytes:
    """The key of ``key_id``; a key no longer configured is a configuration error, named."""
    try:
        return audit_keyring()[key_id]
    except KeyError:
        raise ImproperlyConfigured(
            f"Audit key {key_id!r} is not configured: keep it in AUDIT_CHAIN_PREVIOUS_KEYS "
            f"while the audit log holds what was written under it."
        ) from None


def derived_key(key_id: str, purpose: bytes) -> bytes:
    """A key of its own for one use of the audit key (the anchor, the events' digests...), so
    that a value made for one use can never stand for another."""
    return hmac.new(audit_key(key_id), purpose, hashlib.sha256).digest()
