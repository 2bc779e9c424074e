"""What an author writes, as the services take it (a message with its entities and attachments), and
the reference and due date every new exchange gets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

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


class Upload(Protocol):
    """A file as a form or the API receives it (Django's ``UploadedFile``)."""

    name: str | None
    content_type: str | None

    def read(self) -> bytes: ...


def attachments_of(uploads: Iterable[Upload]) -> list[AttachmentInput]:
    """The uploaded files as the services take them: read once, here; a missing name or type
    stays missing for the service's file check to name ("type unknown")."""
    return [
        AttachmentInput(
            filename=upload.name or "attachment",
            content_type=upload.content_type or "",
            content=upload.read(),
        )
        for upload in uploads
    ]


def message_of(
    *,
    subject: str,
    body: str,
    restrictions: Restrictions,
    personal_data: bool,
    source_reliability: str = "",
    information_accuracy: str = "",
    entities: Iterable[EntityInput] = (),
    uploads: Iterable[Upload] = (),
) -> Message:
    """The one way a page's form or the API's serializer turns what the author wrote into the
    ``Message`` the send and reply services take."""
    return Message(
        subject=subject,
        body=body,
        restrictions=restrictions,
        personal_data=personal_data,
        evaluation=Evaluation(
            source_reliability=source_reliability, information_accuracy=information_accuracy
        ),
        entities=list(entities),
        attachments=attachments_of(uploads),
    )


def due_date(sent_at: dt.datetime, priority: Priority | str) -> dt.datetime:
    return sent_at + DUE_AFTER[Priority(priority)]


def allocate_reference(year: int) -> str:
    """The next ``SELEC-YYYY-NNNNNN``, consecutive and never repeated (``counter_next``)."""
    return f"SELEC-{year}-{counter_next(ReferenceCounter, year=year):06d}"
