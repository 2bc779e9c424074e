"""The fixture of the entity tests: one man, Tsvetan Zhekov, reported by Romania in Latin
letters and by Bulgaria in Cyrillic (a hit), consulted, downloaded, forwarded, exported as
evidence, corrected and erased; and beside him another man whose exchange goes through the same
hands, and a hit search for Zhekov, neither of which is an event about his exchanges.

Everything goes through the real services, except the correction and the erasure (written with
``audit_record`` as their services write them) and the purposes, given as the thread page
records them (``tests.helpers.purpose_given``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from exchanges.models import Exchange
from exchanges.services.consultation import (
    attachment_download,
    exchange_consult,
    exchange_export_evidence,
)
from exchanges.services.sending import exchange_forward
from hits.matching import hit_search
from hits.models import Hit
from partners.models import Officer
from records.models import RecordsAuditEvent
from selec.core.audit import audit_record
from selec.core.models import AuditAction, AuditEvent
from tests.exchanges.scenario import A_NOTE, agency_ids, send
from tests.helpers import purpose_given, verified_client
from tests.hits.scenario import RECIPIENT, hit_between, match, person, report

CYRILLIC = "Цветан Жеков"
LATIN = "Tsvetan Zhekov"
BORN = "1975-02-03"
# Pieces of the identifier that must never reach the log or an address.
IDENTIFIER_PIECES = ("Жеков", "Цветан", "Zhekov", "Tsvetan", "zekov", "cvetan", BORN)

TR_PURPOSE = "Inquiry 9/2026: couriers at Kapikule"
AL_PURPOSE = "Request 31 of the Albanian prosecutor"
FORWARD_WHY = "Forwarded for the Durrës investigation"
EVIDENCE_WHY = "Proceedings 55/2026, Edirne court"
CORRECTION_WHY = "The date of birth was mistyped"
OTHER_PURPOSE = "Inquiry 2/2026 into Marinescu"


@dataclass(frozen=True)
class EntityLogged:
    romanian: Exchange  # lo.ro's report of Zhekov in Latin letters, with a note attached
    bulgarian: Exchange  # lo.bg's report of him in Cyrillic: the hit's other side
    other: Exchange  # lo.ro's report of another man, through the same hands
    hit: Hit
    baseline: int
    # The scenario's events about Zhekov's exchanges and hit, oldest first.
    about: list[int]


def _recorded(event: RecordsAuditEvent, officer: Officer, exchange: Exchange, why: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=officer,
            action=AuditAction.ALTERATION
            if event == RecordsAuditEvent.CORRECTED
            else AuditAction.ERASURE,
            event=event,
            target=exchange,
            reason=str(event.label),
            details={"reference": exchange.reference},
            justification=why,
        )


def _last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def log_entity_scenario(
    *, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, lo_al: Officer, outsider: Officer
) -> EntityLogged:
    baseline = _last_event()
    romanian = send(
        lo_ro,
        RECIPIENT,
        personal=True,
        kind="information",
        entities=[person(LATIN, BORN)],
        attachments=(A_NOTE,),
        subject="Zhekov, courier",
    )
    other = report(lo_ro, person("Ion Marinescu"), subject="Marinescu, driver")
    bulgarian = report(lo_bg, person(CYRILLIC, BORN), subject="Жеков at Ruse")
    assert match(bulgarian) == 1
    hit = hit_between(romanian, bulgarian)
    assert hit is not None
    purpose_given(lo_tr, romanian, TR_PURPOSE)
    purpose_given(lo_tr, other, OTHER_PURPOSE)
    exchange_consult(officer=lo_tr, exchange=romanian)  # carries the purpose
    exchange_consult(officer=lo_tr, exchange=other)
    exchange_consult(officer=lo_tr, exchange=romanian)  # on record
    attachment_download(officer=lo_tr, attachment_id=romanian.attachments.get().pk)
    exchange_forward(
        officer=lo_tr,
        exchange=romanian,
        agency_ids=agency_ids("Albanian State Police"),
        justification=FORWARD_WHY,
    )
    exchange_forward(
        officer=lo_tr,
        exchange=other,
        agency_ids=agency_ids("Albanian State Police"),
        justification="Forwarded about Marinescu",
    )
    purpose_given(lo_al, romanian, AL_PURPOSE)
    exchange_consult(officer=lo_al, exchange=romanian)
    exchange_export_evidence(officer=lo_tr, exchange=romanian, justification=EVIDENCE_WHY)
    hit_search(
        officer=lo_ro,
        justification="Looking for Zhekov",
        kind="person",
        attributes={"names": LATIN, "date_of_birth": BORN},
    )
    _recorded(RecordsAuditEvent.CORRECTED, lo_bg, bulgarian, CORRECTION_WHY)
    _recorded(RecordsAuditEvent.ERASED, lo_bg, bulgarian, "Review: no longer needed")
    client = verified_client(Client(), outsider)
    assert client.get(f"/exchanges/{romanian.reference}/").status_code == 404
    about = [
        event.pk
        for event in AuditEvent.objects.filter(pk__gt=baseline).order_by("occurred_at", "id")
        if _about(event, romanian, bulgarian, hit)
    ]
    return EntityLogged(
        romanian=romanian,
        bulgarian=bulgarian,
        other=other,
        hit=hit,
        baseline=baseline,
        about=about,
    )


def _about(event: AuditEvent, romanian: Exchange, bulgarian: Exchange, hit: Hit) -> bool:
    """Whether an event is about Zhekov's exchanges or hit, as a reader of the log would tell."""
    ids = {str(romanian.pk), str(bulgarian.pk)}
    references = {romanian.reference, bulgarian.reference}
    details = event.details
    return (
        (event.object_type == "exchanges.exchange" and event.object_id in ids)
        or (event.object_type == "exchanges.hit" and event.object_id == str(hit.pk))
        or details.get("reference") in references
        or bool(references & set(details.get("references", [])))
        or details.get("arguments", {}).get("reference") in references
    )


# --- What the DPO does with it ----------------------------------------------------------------


def typed(client: Client, names: str, born: str | None = BORN, show: str = "events") -> Any:
    """The entity page's form posted with a person's name (and date of birth): its answer."""
    data = {"kind": "person", "show": show, "entity-names": names}
    if born:
        data["entity-date_of_birth"] = born
    return client.post("/dpo/entity/", data)


def tokens_of(client: APIClient, names: str, born: str | None = BORN) -> str:
    """A person's tokens, as the API gives them to the DPO."""
    attributes = {"names": names, **({"date_of_birth": born} if born else {})}
    response = client.post(
        "/api/v1/audit/entity-tokens/", {"entity": {"kind": "person", "attributes": attributes}}
    )
    assert response.status_code == 200, response.content
    return str(response.json()["entity"])


def more_of_zhekov(lo_ro: Officer, lo_tr: Officer, times: int) -> None:
    """More exchanges about Zhekov, each sent and consulted: two events each."""
    for _ in range(times):
        exchange = report(lo_ro, person(LATIN, BORN))
        purpose_given(lo_tr, exchange, "Another inquiry")
        exchange_consult(officer=lo_tr, exchange=exchange)
