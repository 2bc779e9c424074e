"""What an author writes, as the services take it (a message with its entities and attachments), and
the reference and due date every new exchange gets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection

from exchanges.models import (
    EntityKind,
    Priority,
)
from selec.core.policy_values import Restrictions

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
    """The next ``SELEC-YYYY-NNNNNN``: one atomic upsert, whose row lock holds concurrent senders
    back until this transaction ends, so numbers are consecutive and never repeat."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO exchanges_referencecounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = exchanges_referencecounter.last + 1 RETURNING last",
            [year],
        )
        (number,) = cursor.fetchone()
    return f"SELEC-{year}-{number:06d}"
