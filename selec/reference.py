"""Reference data: the parties of SELEC with their 2018 status and the history of their status
since the SECI Center, their agencies, the crime areas and the task forces. Loading is
idempotent: what exists (by code; history rows by party, status and date) is left as it is, so
a directory admin's later changes survive a reload, and a database loaded before the history
existed gets it on its next load."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_noop

from partners.models import (
    Agency,
    AgencyKind,
    PartnerAuditEvent,
    Party,
    PartyKind,
    PartyStatus,
    PartyStatusChange,
)
from partners.services.directory import agency_create, party_create
from partners.services.groups import directory_admins_group
from selec.core.audit import audit_record
from selec.core.models import AuditAction
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

# --- Status history before 2018 (seed 001: the SECI Center in 2008) -------------------------
# Statistics take each party's status at the date of each exchange, back to the exchange logs
# of the SECI Center. The SECI Center was set up and became functional in 2001 (the day is not
# in our sources: 1 January); the 2008 listing is the only one we have, so its statuses are
# taken as holding from the Center's start, except where the listing dates an admission to 2008
# (Montenegro, the Czech Republic: from 1 January 2008). A party has no status before its first
# date, which statistics count as "not a member". SECI's permanent advisors (Interpol, WCO) and
# observer missions (EUBAM, UNMIK) were not parties to the SECI Agreement: no status before
# the Convention either.
SECI_CENTER_START = dt.date(2001, 1, 1)
SECI_ADMISSIONS_2008 = dt.date(2008, 1, 1)
SECI_MEMBERS: dict[str, dt.date] = {
    **dict.fromkeys(
        ["AL", "BA", "BG", "HR", "GR", "HU", "MD", "MK", "RO", "RS", "SI", "TR"], SECI_CENTER_START
    ),
    "ME": SECI_ADMISSIONS_2008,
}
SECI_OBSERVERS: dict[str, dt.date] = {
    **dict.fromkeys(
        [
            "AT",
            "AZ",
            "BE",
            "CA",
            "DE",
            "ES",
            "FR",
            "GB",
            "GE",
            "IL",
            "IT",
            "JP",
            "NL",
            "PL",
            "PT",
            "SK",
            "UA",
            "US",
        ],
        SECI_CENTER_START,
    ),
    "CZ": SECI_ADMISSIONS_2008,
}
# SECI observer states that are not among SELEC's partners and observers: their status ended
# when the SELEC Convention entered into force (recorded as "former", which exchanges nothing).
SECI_ONLY_OBSERVERS = {"AZ": "Azerbaijan", "CA": "Canada", "PL": "Poland", "PT": "Portugal"}
SECI_NOTE = "SECI Center {status} (SECI listing of 2008, taken as holding from {since})."
CONVENTION_NOTE = "SELEC Convention in force: status as SELEC listed it in 2018."

# The names are shown translated (gettext at display): marked here for the catalogues.
CRIME_AREAS: list[tuple[str, str]] = [
    ("thb", gettext_noop("Trafficking in human beings")),
    ("migrant_smuggling", gettext_noop("Illegal immigration / migrant smuggling")),
    ("drugs", gettext_noop("Drug trafficking")),
    ("smuggling_fraud", gettext_noop("Smuggling and customs fraud")),
    ("counterfeit_currency", gettext_noop("Counterfeit currency")),
    ("money_laundering", gettext_noop("Money laundering")),
    ("stolen_vehicles", gettext_noop("Stolen vehicles")),
    ("terrorism", gettext_noop("Terrorism")),
    ("container_security", gettext_noop("Container security")),
    ("economic_crime", gettext_noop("Economic crime")),
    ("cybercrime", gettext_noop("Financial and computer crime")),
    ("environment", gettext_noop("Environment and nature-related crime")),
    ("firearms", gettext_noop("Firearms trafficking")),
    ("other", gettext_noop("Other")),
]
TASK_FORCES: list[tuple[str, str, list[str]]] = [
    ("drugs", gettext_noop("Anti-Drug Trafficking"), ["drugs"]),
    (
        "thb_migration",
        gettext_noop("Trafficking in Human Beings and Illegal Migration"),
        ["thb", "migrant_smuggling"],
    ),
    ("stolen_vehicles", gettext_noop("Stolen Vehicles"), ["stolen_vehicles"]),
    ("fraud_smuggling", gettext_noop("Anti-Fraud and Anti-Smuggling"), ["smuggling_fraud"]),
    (
        "financial_computer",
        gettext_noop("Financial and Computer Crimes"),
        ["money_laundering", "counterfeit_currency", "cybercrime", "economic_crime"],
    ),
    # Small arms and light weapons are followed by the anti-terrorism task force.
    ("terrorism", gettext_noop("Anti-Terrorism"), ["terrorism", "firearms"]),
    ("container_security", gettext_noop("Container Security"), ["container_security"]),
    ("environment", gettext_noop("Environment and Nature Related Crimes"), ["environment"]),
]
SUB_TASK_FORCES: list[tuple[str, str, str, str | None]] = [
    # code, name, coordinating party, crime area
    ("money_laundering", gettext_noop("Money Laundering"), "MD", "money_laundering"),
    ("cyber_crime", gettext_noop("Cyber Crime"), "RO", "cybercrime"),
    ("intellectual_property", gettext_noop("Intellectual Property Theft"), "BG", None),
    ("counterfeit_currency", gettext_noop("Counterfeit Currency"), "MK", "counterfeit_currency"),
    ("plastic_card_fraud", gettext_noop("Plastic Card Fraud"), "RO", "cybercrime"),
]


@dataclass(frozen=True)
class StatusPeriod:
    """A status a party held from a date (until the next one in its history)."""

    code: str
    status: PartyStatus
    effective_from: dt.date
    note: str


def selec_statuses() -> dict[str, PartyStatus]:
    """Every party's status under the SELEC Convention, as listed in 2018 (seed 000)."""
    return {
        **dict.fromkeys(MEMBERS, PartyStatus.MEMBER),
        **dict.fromkeys(OPERATIONAL_PARTNERS, PartyStatus.OPERATIONAL_PARTNER),
        **dict.fromkeys(OBSERVERS, PartyStatus.OBSERVER),
        **dict.fromkeys([*FORMER_MEMBERS, *SECI_ONLY_OBSERVERS], PartyStatus.FORMER),
    }


def status_history() -> list[StatusPeriod]:
    """The statuses of the SECI Center's time and, from the Convention's entry into force, the
    2018 status wherever it differs from the SECI one. The current rows that the parties were
    created with (members and former members from 7 October 2011, partners and observers as
    listed on 22 October 2018) complete it."""
    periods = []
    seci: dict[str, PartyStatus] = {}
    for statuses, status in (
        (SECI_MEMBERS, PartyStatus.MEMBER),
        (SECI_OBSERVERS, PartyStatus.OBSERVER),
    ):
        for code, since in statuses.items():
            seci[code] = status
            note = SECI_NOTE.format(status=status.label.lower(), since=since.isoformat())
            periods.append(StatusPeriod(code, status, since, note))
    for code, status in selec_statuses().items():
        if seci.get(code) != status:
            periods.append(StatusPeriod(code, status, CONVENTION_IN_FORCE, CONVENTION_NOTE))
    return periods


@dataclass
class LoadReport:
    parties: int = 0
    agencies: int = 0
    status_changes: int = 0
    crime_areas: int = 0
    task_forces: int = 0
    sub_task_forces: int = 0


@transaction.atomic
def load_reference_data() -> LoadReport:
    report = LoadReport()
    _load_parties(report)
    _load_status_history(report)
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
    for code, name in SECI_ONLY_OBSERVERS.items():
        ensure(
            code, name, PartyKind.STATE, PartyStatus.FORMER, CONVENTION_IN_FORCE, CONVENTION_NOTE
        )
    _load_agencies(report)


def _load_status_history(report: LoadReport) -> None:
    """Add the history rows a party lacks. They are all older than its current status, which
    therefore stays as it is (as do the changes an admin recorded)."""
    parties = {p.code: p for p in Party.objects.all()}
    existing = set(PartyStatusChange.objects.values_list("party__code", "status", "effective_from"))
    missing: dict[str, list[StatusPeriod]] = {}
    for period in status_history():
        if (
            period.code in parties
            and (period.code, period.status, period.effective_from) not in existing
        ):
            missing.setdefault(period.code, []).append(period)
    PartyStatusChange.objects.bulk_create(
        PartyStatusChange(
            party=parties[p.code], status=p.status, effective_from=p.effective_from, note=p.note
        )
        for periods in missing.values()
        for p in periods
    )
    for code, periods in missing.items():
        audit_record(
            actor=None,
            action=AuditAction.ALTERATION,
            event=PartnerAuditEvent.PARTY_STATUS_HISTORY_RECORDED,
            target=parties[code],
            reason="party status history recorded",
            details={
                "statuses": [
                    {"status": str(p.status), "effective_from": p.effective_from.isoformat()}
                    for p in periods
                ]
            },
        )
        report.status_changes += len(periods)


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
