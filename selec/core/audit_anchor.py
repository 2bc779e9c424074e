"""The audit log's anchor: signed heads of the chain, kept outside the database.

The hash chain shows that no row was altered or removed from the middle of the log, but a log
cut at its end (the last rows deleted, or every row) is still a valid chain. So after each
sealing (``selec.core.audit.audit_seal``), the new head (event id, chain position and chain hash)
is appended to the file ``AUDIT_ANCHOR_PATH`` with an HMAC under a key derived from the current
audit key (``selec.core.audit_keys``), whose id the line names: the application's database role cannot rewrite a file on the application
host, and nobody without the key can write a line that verifies. ``selec.core.audit_verification.audit_verify``
then requires the log to hold the newest head the anchor names.

The file is append-only by use (each line is one ``write`` on a file opened with O_APPEND, so
processes of several workers do not interleave lines); lines may arrive out of order, and the
newest head is the one with the highest chain position. The chain's order is the order of
sealing, not of the ids; lines written before positions existed carry none (four fields), come
before every line that has one, and are ordered among themselves by event id, the chain's order
then. In production the file belongs on storage the database administrators cannot reach (a
volume of the application hosts, mounted append-only or shipped to a log store). With no path
set (the test mode's default) nothing is anchored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from selec.core.audit_keys import audit_keyring, current_key_id, derived_key
from selec.core.numbers import whole_number

logger = logging.getLogger(__name__)

# Event id, chain position, chain hash, time written, audit key id, signature. Lines written
# before key ids existed lack the id (their key is the first, "1"), and those written before
# chain positions existed lack the position too.
_LINE_FIELDS = 6
_LINE_FIELDS_WITHOUT_KEY_ID = 5
_LINE_FIELDS_WITHOUT_POSITION = 4
_FIRST_KEY_ID = "1"


class AnchorError(Exception):
    """The anchor file holds a line that is not one this application wrote."""


@dataclass(frozen=True)
class AnchoredHead:
    event_id: int
    chain_hash: str
    written_at: str
    # None on a line written before chain positions existed.
    position: int | None = None

    @property
    def recency(self) -> tuple[bool, int]:
        """Orders heads from oldest to newest: by position, the lines without one first."""
        if self.position is None:
            return (False, self.event_id)
        return (True, self.position)


def anchor_path() -> Path | None:
    configured = getattr(settings, "AUDIT_ANCHOR_PATH", None)
    return Path(configured) if configured else None


def _signature(
    event_id: int, chain_hash: str, written_at: str, position: int | None, key_id: str | None
) -> str:
    key = derived_key(key_id or _FIRST_KEY_ID, b"selec audit anchor")
    fields: tuple[object, ...] = (event_id, chain_hash, written_at)
    if position is not None:
        fields = (event_id, position, chain_hash, written_at)
    if key_id is not None:
        fields = (*fields, key_id)
    message = "|".join(str(field) for field in fields).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchor_append(event_id: int, chain_hash: str, position: int) -> None:
    """Append a signed head. A failure is logged, not raised: the events are sealed already,
    and the next sealing (or the next verification) anchors a newer head."""
    path = anchor_path()
    if path is None:
        return
    written_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    key_id = current_key_id()
    signature = _signature(event_id, chain_hash, written_at, position, key_id)
    line = f"{event_id} {position} {chain_hash} {written_at} {key_id} {signature}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, line.encode())
        finally:
            os.close(descriptor)
    except OSError:
        logger.exception("Audit anchor not written for event #%s", event_id)


def newest_anchored_head() -> AnchoredHead | None:
    """The anchored head furthest along the chain, or None when nothing is anchored yet.
    Raises AnchorError for a line that does not verify (written by someone without the key)."""
    path = anchor_path()
    if path is None or not path.exists():
        return None
    newest: AnchoredHead | None = None
    with path.open(encoding="ascii", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            head = _parsed(line, number)
            if head is not None and (newest is None or head.recency > newest.recency):
                newest = head
    return newest


def _parsed(line: str, number: int) -> AnchoredHead | None:
    fields = line.split()
    if not fields:
        return None
    key_id: str | None = None
    if len(fields) == _LINE_FIELDS:
        event_id, position, chain_hash, written_at, key_id, signature = fields
    elif len(fields) == _LINE_FIELDS_WITHOUT_KEY_ID:
        event_id, position, chain_hash, written_at, signature = fields
    elif len(fields) == _LINE_FIELDS_WITHOUT_POSITION:
        event_id, chain_hash, written_at, signature = fields
        position = ""
    else:
        raise AnchorError(f"line {number} of {anchor_path()} is not an anchored head")
    parsed_event_id, parsed_position = whole_number(event_id), whole_number(position)
    if parsed_event_id is None or (parsed_position is None and position != ""):
        raise AnchorError(f"line {number} of {anchor_path()} is not an anchored head")
    head = AnchoredHead(
        event_id=parsed_event_id,
        chain_hash=chain_hash,
        written_at=written_at,
        position=parsed_position,
    )
    if key_id is not None and key_id not in audit_keyring():
        raise AnchorError(
            f"line {number} of {anchor_path()} is signed with audit key {key_id!r}, which is not "
            f"configured (AUDIT_CHAIN_PREVIOUS_KEYS)"
        )
    expected = _signature(head.event_id, head.chain_hash, head.written_at, head.position, key_id)
    if not hmac.compare_digest(signature, expected):
        raise AnchorError(f"line {number} of {anchor_path()} does not carry a valid signature")
    return head
