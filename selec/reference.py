"""Reference data: the parties of SELEC with their 2018 status, their agencies, the crime
areas and the task forces. Loading is idempotent: what exists (by code) is left as it is, so
a directory admin's later changes survive a reload."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from partners.models import Agency, AgencyKind, Party, PartyKind, PartyStatus
from partners.services import agency_create, directory_admins_group, party_create
from taskforces.models import CrimeArea, SubTaskForce, TaskForce

# The SELEC Convention entered into force on 7 October 2011: members from then on, and the
# two SECI members that did not join SELEC became former members.
CONVENTION_IN_FORCE = dt.date(2011, 10, 7)
# Partners' and observers' admission dates are not in our sources: their status is recorded
# as listed in SELEC's presentation of 22 October 2018.
STATUS_LISTED_2018 = dt.date(2018, 10, 22)
NOTE_2018 = "Status as listed by SELEC on 22 October 2018."

MEMBERS: dict[str, tuple[str, str, str]] = {
    # code: (name, police agency, customs agency)
    "AL": ("Albania", "Albanian State Police", "Albanian Customs Administration"),
    "BA": (
        "Bosnia and Herzegovina",
        "Police of Bosnia and Herzegovina",
        "Indirect Taxation Authority of Bosnia and Herzegovina",
    ),
    "BG": ("Bulgaria", "Bulgarian Police", "Bulgarian Customs Agency"),
    "MK": (
        "North Macedonia",
        "Police of North Macedonia",
        "Customs Administration of North Macedonia",
    ),
    "GR": ("Greece", "Hellenic Police", "Hellenic Customs"),
    "HU": ("Hungary", "Hungarian Police", "Hungarian National Tax and Customs Administration"),
    "MD": ("Moldova", "Moldovan Police", "Moldovan Customs Service"),
    "ME": ("Montenegro", "Police of Montenegro", "Customs Administration of Montenegro"),
    "RO": ("Romania", "Romanian Police", "Romanian Customs Authority"),
    "RS": ("Serbia", "Serbian Police", "Customs Administration of Serbia"),
    "TR": ("Türkiye", "Turkish National Police", "Turkish Customs"),
}
OPERATIONAL_PARTNERS: dict[str, tuple[str, PartyKind]] = {
    "INTERPOL": ("International Criminal Police Organization", PartyKind.ORGANISATION),
    "IT": ("Italy", PartyKind.STATE),
    "US": ("United States of America", PartyKind.STATE),
}
OBSERVERS: dict[str, tuple[str, PartyKind]] = {
    "AT": ("Austria", PartyKind.STATE),
    "BE": ("Belgium", PartyKind.STATE),
    "BY": ("Belarus", PartyKind.STATE),
    "CZ": ("Czech Republic", PartyKind.STATE),
    "ES": ("Spain", PartyKind.STATE),
    "EUBAM": ("EU Border Assistance Mission to Moldova and Ukraine", PartyKind.ORGANISATION),
    "FR": ("France", PartyKind.STATE),
    "GB": ("United Kingdom", PartyKind.STATE),
    "GCC-CIC": ("Gulf Cooperation Council Criminal Information Center", PartyKind.ORGANISATION),
    "GE": ("Georgia", PartyKind.STATE),
    "DE": ("Germany", PartyKind.STATE),
    "IL": ("Israel", PartyKind.STATE),
    "IOM": ("International Organization for Migration", PartyKind.ORGANISATION),
    "JP": ("Japan", PartyKind.STATE),
    "NL": ("Netherlands", PartyKind.STATE),
    "SK": ("Slovakia", PartyKind.STATE),
    "CH": ("Switzerland", PartyKind.STATE),
    "UA": ("Ukraine", PartyKind.STATE),
    "UNMIK": ("United Nations Interim Administration Mission in Kosovo", PartyKind.ORGANISATION),
    "UNODC": ("United Nations Office on Drugs and Crime", PartyKind.ORGANISATION),
    "WCO": ("World Customs Organization", PartyKind.ORGANISATION),
}
FORMER_MEMBERS = {"HR": "Croatia", "SI": "Slovenia"}

CRIME_AREAS: list[tuple[str, str]] = [
    ("thb", "Trafficking in human beings"),
    ("migrant_smuggling", "Illegal immigration / migrant smuggling"),
    ("drugs", "Drug trafficking"),
    ("smuggling_fraud", "Smuggling and customs fraud"),
    ("counterfeit_currency", "Counterfeit currency"),
    ("money_laundering", "Money laundering"),
    ("stolen_vehicles", "Stolen vehicles"),
    ("terrorism", "Terrorism"),
    ("container_security", "Container security"),
    ("economic_crime", "Economic crime"),
    ("cybercrime", "Financial and computer crime"),
    ("environment", "Environment and nature-related crime"),
    ("firearms", "Firearms trafficking"),
    ("other", "Other"),
]
TASK_FORCES: list[tuple[str, str, list[str]]] = [
    ("drugs", "Anti-Drug Trafficking", ["drugs"]),
    (
        "thb_migration",
        "Trafficking in Human Beings and Illegal Migration",
        ["thb", "migrant_smuggling"],
    ),
    ("stolen_vehicles", "Stolen Vehicles", ["stolen_vehicles"]),
    ("fraud_smuggling", "Anti-Fraud and Anti-Smuggling", ["smuggling_fraud"]),
    (
        "financial_computer",
        "Financial and Computer Crimes",
        ["money_laundering", "counterfeit_currency", "cybercrime", "economic_crime"],
    ),
    # Small arms and light weapons are followed by the anti-terrorism task force.
    ("terrorism", "Anti-Terrorism", ["terrorism", "firearms"]),
    ("container_security", "Container Security", ["container_security"]),
    ("environment", "Environment and Nature Related Crimes", ["environment"]),
]
SUB_TASK_FORCES: list[tuple[str, str, str, str | None]] = [
    # code, name, coordinating party, crime area
    ("money_laundering", "Money Laundering", "MD", "money_laundering"),
    ("cyber_crime", "Cyber Crime", "RO", "cybercrime"),
    ("intellectual_property", "Intellectual Property Theft", "BG", None),
    ("counterfeit_currency", "Counterfeit Currency", "MK", "counterfeit_currency"),
    ("plastic_card_fraud", "Plastic Card Fraud", "RO", "cybercrime"),
]


@dataclass
class LoadReport:
    parties: int = 0
    agencies: int = 0
    crime_areas: int = 0
    task_forces: int = 0
    sub_task_forces: int = 0


@transaction.atomic
def load_reference_data() -> LoadReport:
    report = LoadReport()
    _load_parties(report)
    _load_task_forces(report)
    directory_admins_group()
    return report


def _load_parties(report: LoadReport) -> None:
    existing = set(Party.objects.values_list("code", flat=True))

    def ensure(
        code: str, name: str, kind: PartyKind, status: PartyStatus, since: dt.date, note: str
    ) -> None:
        if code not in existing:
            party_create(
                actor=None,
                code=code,
                name=name,
                kind=kind,
                status=status,
                status_since=since,
                note=note,
            )
            report.parties += 1

    for code, (name, _police, _customs) in MEMBERS.items():
        ensure(
            code,
            name,
            PartyKind.STATE,
            PartyStatus.MEMBER,
            CONVENTION_IN_FORCE,
            "Member under the SELEC Convention.",
        )
    for code, (name, kind) in OPERATIONAL_PARTNERS.items():
        ensure(code, name, kind, PartyStatus.OPERATIONAL_PARTNER, STATUS_LISTED_2018, NOTE_2018)
    for code, (name, kind) in OBSERVERS.items():
        ensure(code, name, kind, PartyStatus.OBSERVER, STATUS_LISTED_2018, NOTE_2018)
    for code, name in FORMER_MEMBERS.items():
        ensure(
            code,
            name,
            PartyKind.STATE,
            PartyStatus.FORMER,
            CONVENTION_IN_FORCE,
            "SECI Center member; did not join SELEC.",
        )
    _load_agencies(report)


def _load_agencies(report: LoadReport) -> None:
    parties = {p.code: p for p in Party.objects.all()}
    existing = set(Agency.objects.values_list("party__code", "name"))

    def ensure(code: str, name: str, kind: AgencyKind, nfp: bool = False) -> None:
        if (code, name) not in existing:
            agency_create(
                actor=None, party=parties[code], name=name, kind=kind, is_national_focal_point=nfp
            )
            report.agencies += 1

    for code, (name, police, customs) in MEMBERS.items():
        ensure(code, police, AgencyKind.POLICE)
        ensure(code, customs, AgencyKind.CUSTOMS)
        ensure(code, f"National Focal Point of {name}", AgencyKind.POLICE, nfp=True)
    for code, (name, kind) in {**OPERATIONAL_PARTNERS, **OBSERVERS}.items():
        if kind == PartyKind.STATE:
            ensure(code, f"Police of {name}", AgencyKind.POLICE)
        else:
            ensure(code, f"{code} liaison office", AgencyKind.OTHER)


def _load_task_forces(report: LoadReport) -> None:
    areas = {}
    for position, (code, name) in enumerate(CRIME_AREAS):
        areas[code], created = CrimeArea.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
        report.crime_areas += created
    task_forces = {}
    for position, (code, name, area_codes) in enumerate(TASK_FORCES):
        task_forces[code], created = TaskForce.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
        if created:
            task_forces[code].crime_areas.set([areas[a] for a in area_codes])
            report.task_forces += 1
    parties = {p.code: p for p in Party.objects.filter(code__in={s[2] for s in SUB_TASK_FORCES})}
    for code, name, coordinator, area in SUB_TASK_FORCES:
        _, created = SubTaskForce.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "task_force": task_forces["financial_computer"],
                "coordinator": parties[coordinator],
                "crime_area": areas[area] if area else None,
            },
        )
        report.sub_task_forces += created
