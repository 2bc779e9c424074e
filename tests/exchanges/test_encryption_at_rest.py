"""A dump of the database shows none of the personal data sent through the exchanges, nor the
content of a joint investigation."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pgserver
import pytest
from django.core.management import call_command
from django.db import connection

from cases.services import CaseDetails, case_create, meeting_add
from exchanges.services import AttachmentInput, EntityInput
from partners.models import Officer
from tests.exchanges.scenario import agency_ids, send

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
    exchange = send(
        lo_ro,
        "Bulgarian Police",
        personal=True,
        subject=CANARIES["subject"],
        body=CANARIES["body"],
        entities=entities,
        attachments=[attachment],
    )

    case = case_create(
        officer=lo_ro,
        kind="joint_investigation",
        details=CaseDetails(
            name="Kanarche",
            started_on=dt.date(2026, 3, 1),
            description=CANARIES["case description"],
            personal_data=True,
        ),
        agency_ids=agency_ids("Bulgarian Police"),
    )
    meeting_add(
        officer=lo_ro,
        case=case,
        held_on=dt.date(2026, 3, 10),
        place="Ruse",
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
    leaked = {label: value for label, value in CANARIES.items() if value in dump}
    assert leaked == {}
    digits_only = CANARIES["phone"].replace(" ", "").replace("+", "")
    assert digits_only not in dump
