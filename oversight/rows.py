"""One row of the log as the DPO's pages and the API show it: the event, its justification
and, in an access report, the purpose its officer gave for the thread it consulted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from selec.core.models import AuditEvent


@dataclass(frozen=True)
class ThreadPurpose:
    """The purpose an officer gave for a thread, decrypted; ``given_here`` on the row of the
    consultation that carried it."""

    text: str
    given_at: dt.datetime
    given_here: bool = False


@dataclass(frozen=True)
class AuditRow:
    """One event with its justification: the text, None when it records none; ``altered``
    when the stored text no longer matches the event's digest (it is then not shown)."""

    event: AuditEvent
    justification: str | None
    justification_altered: bool = False
    # An access report's consultation of an exchange: its officer's purpose for the thread.
    purpose: ThreadPurpose | None = None

    @property
    def reference(self) -> str:
        return str(self.event.details.get("reference", ""))
