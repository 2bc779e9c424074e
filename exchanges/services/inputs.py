"""What an author writes, as the services take it (a message with its entities and attachments), and
the reference and due date every new exchange gets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from exchanges.models import EntityKind, Priority, ReferenceCounter
from selec.core.policy_values import Restrictions
from selec.core.service_helpers import counter_next

# Directive (EU) 2023/977, Art. 5: the time limits for answering requests.
DUE_AFTER = {
    Priority.IMMEDIATE: dt.timedelta(hours=8),
    Priority.URGENT: dt.timedelta(days=3),
    Priority.ROUTINE: dt.timedelta(days=7),
}


@dataclass(frozen=True)
class EntityInput:
    kind: EntityKind | str
    attributes: dict[str, object]


@dataclass(frozen=True)
class AttachmentInput:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Evaluation:
    source_reliability: str = ""
    information_accuracy: str = ""


@dataclass(frozen=True)
class Message:
    """What the author writes: shared by new exchanges and replies."""

    subject: str
    body: str
    restrictions: Restrictions = field(default_factory=Restrictions)
    personal_data: bool = False
    evaluation: Evaluation = field(default_factory=Evaluation)
    entities: Sequence[EntityInput] = ()
    attachments: Sequence[AttachmentInput] = ()


def due_date(sent_at: dt.datetime, priority: Priority | str) -> dt.datetime:
    return sent_at + DUE_AFTER[Priority(priority)]


def allocate_reference(year: int) -> str:
    """The next ``SELEC-YYYY-NNNNNN``, consecutive and never repeated (``counter_next``)."""
    return f"SELEC-{year}-{counter_next(ReferenceCounter, year=year):06d}"
