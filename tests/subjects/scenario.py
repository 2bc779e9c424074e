"""Building data subject requests for tests: two providers report one man through the real
send service (in Serbian Cyrillic, then in Latin letters), a third reports somebody else, and
the DPO searches and forwards through the real services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from exchanges.models import Exchange
from partners.models import Officer
from subjects.identifiers import Identifiers
from subjects.models import RequestKind, SubjectRequest
from subjects.services import subject_request_create
from tests.hits.scenario import A_DATE_OF_BIRTH, person, report

# What the ``login`` and ``api`` fixtures give: a page client, an API client for an officer.
Login = Callable[[Officer], Client]
Api = Callable[[Officer], APIClient]

CYRILLIC = "Ђорђе Ђорђевић"
LATIN = "Djordje Djordjevic"
DOCUMENT = "RS4455667"
# What the exchanges hold beyond the identifiers searched: none of it may reach the DPO.
CANARIES = {
    "subject": "Canary subject Kapitan Andreevo",
    "body": "Canary body: 40 kg in a grey Mercedes",
    "alias": "Zmajcanary",
    "other_document": "BG9988776",
    "other_person": "Ivanka Canarova",
}


@dataclass(frozen=True)
class Holdings:
    romanian: Exchange  # lo.ro's report, the name in Cyrillic with an alias
    bulgarian: Exchange  # lo.bg's report, the name in Latin letters with a document
    unrelated: Exchange  # lo.tr's report of somebody else


def two_providers_hold_one_man(lo_ro: Officer, lo_bg: Officer, lo_tr: Officer) -> Holdings:
    romanian = report(
        lo_ro,
        person(CYRILLIC, aliases=[CANARIES["alias"]], nationality="RS"),
        to=["Turkish Customs"],
        subject=CANARIES["subject"],
        body=CANARIES["body"],
    )
    bulgarian = report(
        lo_bg,
        person(
            LATIN,
            documents=[
                {"number": "rs 445 5667", "issuing_country": "RS"},
                {"number": CANARIES["other_document"], "issuing_country": "BG"},
            ],
        ),
        to=["Turkish Customs"],
    )
    unrelated = report(
        lo_tr, person(CANARIES["other_person"], "1990-01-01"), to=["Romanian Police"]
    )
    return Holdings(romanian=romanian, bulgarian=bulgarian, unrelated=unrelated)


def the_man(**more: str) -> Identifiers:
    """The man as he gives himself to the DPO: his name in Latin letters, his date of birth."""
    return Identifiers(names=LATIN, date_of_birth=A_DATE_OF_BIRTH, **more)


def a_request(
    dpo: Officer,
    *,
    kind: str = RequestKind.ACCESS,
    identifiers: Identifiers | None = None,
    received_on: dt.date | None = None,
    due_on: dt.date | None = None,
) -> SubjectRequest:
    return subject_request_create(
        officer=dpo,
        identifiers=identifiers or the_man(),
        kind=kind,
        received_on=received_on or timezone.localdate(),
        due_on=due_on,
        note="Letter of 2 December, registered 2026/117.",
    )
