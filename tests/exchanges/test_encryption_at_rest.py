"""A dump of the database shows none of the personal data sent through the exchanges, nor the
content of a joint investigation, nor what officers type to justify what they do."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import subprocess
from pathlib import Path

import pgserver
import pytest
from django.core.management import call_command
from django.db import connection

from cases.services import CaseDetails, case_create
from cases.services_meetings import meeting_add
from exchanges.services.consultation import (
    attachment_download,
    exchange_consult,
    exchange_export_evidence,
)
from exchanges.services.dissemination_requests import (
    dissemination_request_decide,
    dissemination_request_file,
)
from exchanges.services.inputs import AttachmentInput, EntityInput
from exchanges.services.on_receipt import exchange_confirm_restrictions
from exchanges.services.purposes import purpose_give
from exchanges.services.sending import exchange_forward, exchange_send
from hits.matching import hit_search
from partners.models import Officer
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea
from tests.exchanges.scenario import agency_ids, message, send

CANARIES = {
    "name": "Zdravko Kanarinčev",
    "alias": "Канаринчев",
    "passport": "QX7731095",
    "plate": "CB 4471 XK",
    "vin": "ZFA19900001234567",
    "phone": "+359 887 410 233",
    "iban": "BG80BNBG96611020345678",
    "company": "Kanarche Import Export EOOD",
    "body": "Meeting at the Ruse bridge warehouse at 04:00",
    "subject": "Kanarinchev network shipment",
    "file": "Kanarinchev ledger page 7",
    "case description": "Kanarinchev brothers run the Giurgiu crossing",
    "meeting decisions": "Arrest Kanarinchev at the Vidin ferry",
    "meeting minutes": "Informant Kanarka met the investigators",
    "meeting file": "Kanarinchev surveillance log",
    "meeting file name": "kanarinchev-surveillance.txt",
    "H3 text": "Not to be shown to Kanarinchev's lawyer",
    "case H3 text": "Kanarinchev's cousin in the Ruse police must not hear of it",
    "intended use": "Kanarinchev trial in Varna",
    "dissemination justification": "Kanarinchev's associates operate from Istanbul",
    "decision note": "Only for the Kanarinchev file",
    "case name": "Kanarinchev brothers",
    "meeting place": "Kanarinchev's former warehouse, Giurgiu",
    "forward justification": "Kanarinchev crossed into Türkiye",
    "hit search justification": "Is Kanarinchev's driver known elsewhere",
    "evidence export justification": "Kanarinchev case 1234/2026, Ruse district court",
    "consultation purpose": "Kanarinchev smuggling inquiry 55/2026",
}
# The files' SHA-256: in clear, anyone with the dump and the file could tell it was sent.
FILE_HASHES = {
    "file SHA-256": hashlib.sha256(CANARIES["file"].encode()).hexdigest(),
    "meeting file SHA-256": hashlib.sha256(CANARIES["meeting file"].encode()).hexdigest(),
}


def _pg_dump(database: str) -> str:
    # pgserver ships pg_dump 16, which also dumps the older servers CI may run.
    pg_dump = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [
        str(pg_dump),
        "--data-only",
        "--no-owner",
        "-d",
        database,
        "-U",
        settings["USER"] or "postgres",
    ]
    if settings["HOST"]:
        command += ["-h", settings["HOST"]]
    if settings["PORT"]:
        command += ["-p", str(settings["PORT"])]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_contains_none_of_the_canaries() -> None:
    call_command(
        "seed_demo", "--personas-only", verbosity=0
    )  # the transactional database starts empty
    lo_ro = Officer.objects.select_related("agency__party").get(username="lo.ro")
    entities = [
        EntityInput(
            "person",
            {
                "names": CANARIES["name"],
                "aliases": [CANARIES["alias"]],
                "date_of_birth": "1975-02-14",
                "documents": [
                    {"type": "passport", "number": CANARIES["passport"], "issuing_country": "BG"}
                ],
            },
        ),
        EntityInput("vehicle", {"plate": CANARIES["plate"], "vin": CANARIES["vin"]}),
        EntityInput("phone", {"number": CANARIES["phone"]}),
        EntityInput("bank_account", {"iban": CANARIES["iban"]}),
        EntityInput("company", {"name": CANARIES["company"], "country": "BG"}),
    ]
    attachment = AttachmentInput("ledger.txt", "text/plain", CANARIES["file"].encode())
    exchange = exchange_send(
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
                entities=entities,
                attachments=[attachment],
            ),
            restrictions=Restrictions(text=CANARIES["H3 text"]),
        ),
    )
    # What the recipient does with it: says why they open it, confirms the H3 text, reads it,
    # downloads the file, exports the exchange as evidence and forwards it, each justified in
    # words that name the suspect.
    lo_bg = Officer.objects.select_related("agency__party").get(username="lo.bg")
    purpose_give(officer=lo_bg, exchange=exchange, purpose=CANARIES["consultation purpose"])
    exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    exchange_consult(officer=lo_bg, exchange=exchange)
    attachment_download(officer=lo_bg, attachment_id=exchange.attachments.get().pk)
    exchange_export_evidence(
        officer=lo_bg, exchange=exchange, justification=CANARIES["evidence export justification"]
    )
    exchange_forward(
        officer=lo_bg,
        exchange=exchange,
        agency_ids=agency_ids("Turkish National Police"),
        justification=CANARIES["forward justification"],
    )
    hit_search(
        officer=lo_ro,
        justification=CANARIES["hit search justification"],
        kind="person",
        attributes={"names": CANARIES["name"], "date_of_birth": "1975-02-14"},
    )
    held_back = send(lo_ro, "Bulgarian Police", code="H2")
    request = dissemination_request_file(
        officer=lo_bg,
        exchange=held_back,
        kind="share",
        target_agency_ids=agency_ids("Turkish National Police"),
        intended_use=CANARIES["intended use"],
        justification=CANARIES["dissemination justification"],
    )
    dissemination_request_decide(
        officer=lo_ro, request=request, grant=True, note=CANARIES["decision note"]
    )

    case = case_create(
        officer=lo_ro,
        kind="joint_investigation",
        details=CaseDetails(
            name=CANARIES["case name"],
            started_on=dt.date(2026, 3, 1),
            description=CANARIES["case description"],
            restrictions=Restrictions(text=CANARIES["case H3 text"]),
            personal_data=True,
        ),
        agency_ids=agency_ids("Bulgarian Police"),
    )
    meeting_add(
        officer=lo_ro,
        case=case,
        held_on=dt.date(2026, 3, 10),
        place=CANARIES["meeting place"],
        decisions=CANARIES["meeting decisions"],
        minutes=CANARIES["meeting minutes"],
        attachments=[
            AttachmentInput(
                CANARIES["meeting file name"], "text/plain", CANARIES["meeting file"].encode()
            )
        ],
    )

    dump = _pg_dump(connection.settings_dict["NAME"])

    assert exchange.reference in dump  # the dump is real and holds the exchange
    assert case.reference in dump
    leaked = {label: value for label, value in {**CANARIES, **FILE_HASHES}.items() if value in dump}
    assert leaked == {}
    # Nor the surname in any spelling or case (every canary but the entities' names it).
    assert "kanarinchev" not in dump.lower()
    digits_only = CANARIES["phone"].replace(" ", "").replace("+", "")
    assert digits_only not in dump
