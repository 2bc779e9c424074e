"""A thread to erase, built through the real services: Romania's request to Bulgaria with a
person and a vehicle, forwarded to Turkish Customs, answered by Bulgaria (a phone), answered
again by Romania (a company); a dissemination request and an inaccuracy flag on the request,
an H3 confirmation; and Albania's report of the same person and phone, which makes two hits
with an exchange that stays.

Every text of the thread carries a canary word, for the dump test to look for.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.utils import timezone

from exchanges.models import Exchange
from exchanges.services.dissemination_requests import (
    dissemination_request_decide,
    dissemination_request_file,
)
from exchanges.services.inputs import AttachmentInput, EntityInput
from exchanges.services.on_receipt import exchange_confirm_restrictions
from exchanges.services.sending import exchange_forward, exchange_reply, exchange_send
from partners.models import Officer
from records.models import InaccuracyFlag
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea
from tests.exchanges.scenario import agency_ids, message, send
from tests.helpers import agency_of
from tests.hits.scenario import match

CANARIES = {
    "subject": "Vulturescu convoy at Calafat",
    "body": "Vulturescu moves the load on Friday night",
    "H3 text": "Not for Vulturescu's brother-in-law in customs",
    "name": "Ionel Vulturescu",
    "passport": "VX4419027",
    "plate": "DJ 77 VLT",
    "phone": "+40 744 190 733",
    "company": "Vulturescu Trans Logistic SRL",
    "reply subject": "Vulturescu seen in Vidin",
    "reply body": "Vulturescu called his cousin from Vidin",
    "second reply body": "Vulturescu's company pays the drivers",
    "file": "Vulturescu ledger, page 12",
    "file name": "vulturescu-ledger.txt",
    "reply file": "Vulturescu phone extract",
    "intended use": "Vulturescu trial in Craiova",
    "dissemination justification": "Vulturescu's case goes to court",
    "decision note": "Only for the Vulturescu file",
    "flag note": "Vulturescu's date of birth looks wrong",
    "flag answer": "Vulturescu's date checked with the registry",
}
DATE_OF_BIRTH = "1979-08-23"
# Albania's unrelated report: it stays, and its ciphertexts with it.
OTHER = {
    "subject": "Korçari boat at Durrës",
    "body": "Korçari meets the captain at dawn",
    "name": "Ilir Korçari",
    "file": "Korçari manifest",
}


def _person() -> EntityInput:
    return EntityInput(
        "person",
        {
            "names": CANARIES["name"],
            "date_of_birth": DATE_OF_BIRTH,
            "documents": [
                {"type": "passport", "number": CANARIES["passport"], "issuing_country": "RO"}
            ],
        },
    )


@dataclass(frozen=True)
class Thread:
    request: Exchange  # Romania's, forwarded by Bulgaria to Turkish Customs
    reply: Exchange  # Bulgaria's answer
    second_reply: Exchange  # Romania's answer to Bulgaria's
    theirs: Exchange  # Albania's report of the same person and phone: two hits
    other: Exchange  # Albania's unrelated report


def erasure_thread(lo_ro: Officer, lo_bg: Officer, lo_al: Officer, *, entities: int = 0) -> Thread:
    """The thread (``entities`` more vehicles on the request, for the query counts)."""
    vehicles = [EntityInput("vehicle", {"plate": f"B {100 + n} VLT"}) for n in range(entities)]
    request = exchange_send(
        officer=lo_ro,
        kind="request",
        recipient_agency_ids=agency_ids("Bulgarian Police"),
        crime_area_id=CrimeArea.objects.get(code="drugs").pk,
        priority="urgent",
        message=dataclasses.replace(
            message(
                personal=True,
                subject=CANARIES["subject"],
                body=CANARIES["body"],
                entities=[
                    _person(),
                    EntityInput("vehicle", {"plate": CANARIES["plate"]}),
                    *vehicles,
                ],
                attachments=[
                    AttachmentInput(CANARIES["file name"], "text/plain", CANARIES["file"].encode())
                ],
            ),
            # H1, so that Bulgaria may ask to use it as evidence; H3, a text of its own.
            restrictions=Restrictions(evidence=True, text=CANARIES["H3 text"]),
        ),
    )
    exchange_confirm_restrictions(officer=lo_bg, exchange=request)
    exchange_forward(
        officer=lo_bg,
        exchange=request,
        agency_ids=agency_ids("Turkish Customs"),
        justification="Turkish Customs hold the convoy's route",
    )
    reply = exchange_reply(
        officer=lo_bg,
        parent=request,
        message=message(
            personal=True,
            subject=CANARIES["reply subject"],
            body=CANARIES["reply body"],
            entities=[EntityInput("phone", {"number": CANARIES["phone"]})],
            attachments=[
                AttachmentInput("extract.txt", "text/plain", CANARIES["reply file"].encode())
            ],
        ),
    )
    second_reply = exchange_reply(
        officer=lo_ro,
        parent=reply,
        message=message(
            personal=True,
            body=CANARIES["second reply body"],
            entities=[EntityInput("company", {"name": CANARIES["company"], "country": "RO"})],
            attachments=(),
        ),
    )
    asked = dissemination_request_file(
        officer=lo_bg,
        exchange=request,
        kind="evidence",
        target_agency_ids=[],
        intended_use=CANARIES["intended use"],
        justification=CANARIES["dissemination justification"],
    )
    dissemination_request_decide(
        officer=lo_ro, request=asked, grant=True, note=CANARIES["decision note"]
    )
    # No service files a flag yet in this checkout: the row as the flag service stores it.
    InaccuracyFlag.objects.create(
        exchange=request,
        flagging_agency=agency_of(lo_bg),
        flagged_by=lo_bg,
        flagged_at=timezone.now(),
        note=CANARIES["flag note"],
        status="answered",
        answered_by=lo_ro,
        answered_at=timezone.now(),
        outcome="upheld",
        answer=CANARIES["flag answer"],
    )
    theirs = send(
        lo_al,
        "Hellenic Police",
        personal=True,
        kind="information",
        subject="Convoy driver known in Albania",
        body="Known to us since 2019",
        entities=[_person(), EntityInput("phone", {"number": CANARIES["phone"]})],
        attachments=(),
    )
    other = send(
        lo_al,
        "Hellenic Police",
        personal=True,
        subject=OTHER["subject"],
        body=OTHER["body"],
        entities=[EntityInput("person", {"names": OTHER["name"], "date_of_birth": "1985-01-02"})],
        attachments=[AttachmentInput("manifest.txt", "text/plain", OTHER["file"].encode())],
    )
    match(request, reply, second_reply, theirs, other)
    return Thread(request, reply, second_reply, theirs, other)
