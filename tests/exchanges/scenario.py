"""Building exchanges for tests through the real services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypedDict, Unpack

from django.db.models import QuerySet

from exchanges.models import Exchange, ExchangeKind, Priority, Recipient
from exchanges.services.inputs import AttachmentInput, EntityInput, Evaluation, Message
from exchanges.services.sending import exchange_send
from partners.models import Agency, Officer
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea

CODES: dict[str, Restrictions] = {
    "H0": Restrictions(),
    "H1": Restrictions(evidence=True),
    "H2": Restrictions(dissemination=True),
    "H3": Restrictions(text="Not to be shared with the vehicle's registered owner."),
}
EVALUATED = Evaluation(source_reliability="B", information_accuracy="2")
A_PERSON_NAMES = "Ђорђе Ђорђевић"
A_PERSON = EntityInput(
    "person", {"names": A_PERSON_NAMES, "date_of_birth": "1980-04-12", "nationality": "RS"}
)
A_NOTE = AttachmentInput("note.txt", "text/plain", b"Seizure report: 40 kg, Kapitan Andreevo.")


class MessageText(TypedDict, total=False):
    """The words of a test message, where the defaults of ``message`` will not do."""

    subject: str
    body: str


class MessageParts(MessageText, total=False):
    """What ``send`` passes on to ``message``, besides the handling code and personal flag."""

    entities: Sequence[EntityInput] | None
    attachments: Sequence[AttachmentInput]


def agency_ids(*names: str) -> list[int]:
    ids = dict(Agency.objects.filter(name__in=names).values_list("name", "pk"))
    return [ids[name] for name in names]


def message(
    *,
    code: str = "H0",
    personal: bool = False,
    subject: str = "Cocaine shipment via Constanța",
    body: str = "Container MSCU 123456-7 expected on 3 December.",
    entities: Sequence[EntityInput] | None = None,
    attachments: Sequence[AttachmentInput] = (A_NOTE,),
) -> Message:
    return Message(
        subject=subject,
        body=body,
        restrictions=CODES[code],
        personal_data=personal,
        evaluation=EVALUATED if personal else Evaluation(),
        entities=([A_PERSON] if personal else []) if entities is None else entities,
        attachments=attachments,
    )


def send(
    officer: Officer,
    *recipients: str,
    code: str = "H0",
    personal: bool = False,
    kind: str = ExchangeKind.REQUEST,
    priority: str = Priority.URGENT,
    **message_kwargs: Unpack[MessageParts],
) -> Exchange:
    return exchange_send(
        officer=officer,
        kind=kind,
        recipient_agency_ids=agency_ids(*recipients),
        crime_area_id=CrimeArea.objects.get(code="drugs").pk,
        priority=priority,
        message=message(code=code, personal=personal, **message_kwargs),
    )


def set_due(exchanges: QuerySet[Exchange], due_at: dt.datetime) -> None:
    """Move the due date of these exchanges, and of their receipts, which carry a copy."""
    Recipient.objects.filter(exchange__in=exchanges.values("pk")).update(due_at=due_at)
    exchanges.update(due_at=due_at)
