"""Demo cases from the seeds: joint investigation "Tara" and regional operation "Containment".

Both are made through the services, by the demo personas, so they obey the rules and their
permissions and audit events are the real ones. Loading is idempotent: a demo case that exists
already is left as it is. A case is recognised by what the seeds fix of it (kind, lead party,
start date) and then by its name among those few rows, never by a query on the name: names are
encrypted at rest.

What the rules leave out of the seeds' account:
- Croatia and Slovenia took part in "Tara" (Croatia reported 46 arrests and firearms, Slovenia
  13 arrests), but both are former members now, and former parties hold nothing: they cannot be
  invited, so their results are not recorded.
- Austria (2 arrests in "Tara") is an observer, and "Tara" carries personal data (an organised
  group's members): observers may join only a case without personal data, so Austria is left
  out of "Tara". It follows "Containment", whose results are strategic counts only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from cases.models import Case, CaseKind, CaseStatus, SeizureItem, SeizureUnit
from cases.services import CaseDetails, case_change_status, case_create
from cases.services_meetings import meeting_add
from cases.services_results import SeizureInput, result_record
from partners.models import Agency, Officer, Party
from taskforces.models import CrimeArea, TaskForce

TARA = "Tara"
CONTAINMENT = "Containment"
# What identifies each demo case in the seeds: its kind, its lead party and its first day.
SEEDED = {
    TARA: (CaseKind.JOINT_INVESTIGATION, "BA", dt.date(2008, 11, 11)),
    CONTAINMENT: (CaseKind.REGIONAL_OPERATION, "RO", dt.date(2002, 1, 1)),
}


def _agencies(*names: str) -> list[int]:
    ids = dict(Agency.objects.filter(name__in=names).values_list("name", "pk"))
    return [ids[name] for name in names]


def _parties(*codes: str) -> list[int]:
    ids = dict(Party.objects.filter(code__in=codes).values_list("code", "pk"))
    return [ids[code] for code in codes]


def _tara(officers: dict[str, Officer]) -> None:
    analyst = officers["analyst"]
    # No demo persona serves in Bosnia and Herzegovina: the SELEC analyst who supported the
    # investigation opens it for the lead agency, and is named on it.
    tara = case_create(
        officer=analyst,
        kind=CaseKind.JOINT_INVESTIGATION,
        lead_agency_id=_agencies("Police of Bosnia and Herzegovina")[0],
        status=CaseStatus.ACTIVE,
        details=CaseDetails(
            name=TARA,
            started_on=SEEDED[TARA][2],
            task_force_id=TaskForce.objects.get(code="thb_migration").pk,
            crime_area_id=CrimeArea.objects.get(code="migrant_smuggling").pk,
            description=(
                "An operational team in Bosnia and Herzegovina investigates an organised group "
                "facilitating the illegal migration of Turkish nationals to the EU. Links of the "
                "group were identified in Türkiye, Montenegro, North Macedonia and Serbia (and "
                "in Croatia, Slovenia and Austria)."
            ),
            personal_data=True,
        ),
        agency_ids=_agencies(
            "Turkish National Police",
            "Turkish Customs",
            "Police of Montenegro",
            "Police of North Macedonia",
            "Serbian Police",
        ),
    )
    participants = _parties("BA", "TR", "ME", "MK", "RS")
    meeting_add(
        officer=analyst,
        case=tara,
        held_on=dt.date(2008, 11, 11),
        held_until=dt.date(2008, 11, 12),
        place="Sarajevo, Bosnia and Herzegovina",
        party_ids=participants,
        decisions=(
            "Intelligence to be exchanged through the SECI channel. A criminal analyst to be "
            "involved. A second operational meeting, for analytical conclusions, in December "
            "2008 at SECI Center headquarters in Bucharest."
        ),
        minutes=(
            "Police authorities of the countries involved, the public prosecutors of Bosnia and "
            "Herzegovina and Croatia and the EUPM mission attended; SECI Center was represented "
            "by the liaison officers of the countries involved and a criminal analyst."
        ),
    )
    meeting_add(
        officer=analyst,
        case=tara,
        held_on=dt.date(2008, 12, 12),
        place="Bucharest, SECI Center headquarters",
        party_ids=participants,
        decisions="Common agreement for a one-time action; recommendations for investigators.",
        minutes=(
            "Investigative officers and criminal analysts attended. The SECI criminal analyst "
            "gave the regional picture of the group and the links between suspects."
        ),
    )
    # The seeds date the decision for the one-time action (24 March 2009), not the reports.
    result_record(
        officer=analyst,
        case=tara,
        party_id=_parties("BA")[0],
        reported_on=dt.date(2009, 3, 24),
        counts={"persons_arrested": 7, "vehicles_seized": 1},
    )


def _containment(officers: dict[str, Officer]) -> None:
    # The seeds give the year of Containment I (2002) and its seizures, not its dates or the
    # countries that seized what: the split below is illustrative, the totals are the seeds'.
    containment = case_create(
        officer=officers["lo.ro"],
        kind=CaseKind.REGIONAL_OPERATION,
        status=CaseStatus.ACTIVE,
        details=CaseDetails(
            name=CONTAINMENT,
            # Containment I (2002) of the series the seeds compare with Containment II (2003).
            series=CONTAINMENT,
            started_on=SEEDED[CONTAINMENT][2],
            ended_on=dt.date(2002, 12, 31),
            task_force_id=TaskForce.objects.get(code="drugs").pk,
            crime_area_id=CrimeArea.objects.get(code="drugs").pk,
            description="Regional operation of the Anti-Drug Trafficking Task Force.",
        ),
        agency_ids=_agencies(
            "Bulgarian Police",
            "Turkish Customs",
            "Albanian State Police",
            "Police of Austria",
        ),
        analyst_ids=[officers["analyst"].pk],
    )
    for username, code, item, quantity, unit in [
        ("lo.tr", "TR", SeizureItem.HEROIN, "584", SeizureUnit.KG),
        ("lo.al", "AL", SeizureItem.CANNABIS, "1829", SeizureUnit.KG),
        ("lo.bg", "BG", SeizureItem.AMPHETAMINES, "250000", SeizureUnit.TABLETS),
    ]:
        result_record(
            officer=officers[username],
            case=containment,
            party_id=_parties(code)[0],
            reported_on=dt.date(2002, 12, 31),
            seizures=[SeizureInput(item=item, quantity=Decimal(quantity), unit=unit)],
        )
    case_change_status(officer=officers["lo.ro"], case=containment, status=CaseStatus.CLOSED)


@transaction.atomic
def seed_demo_cases() -> list[Case]:
    """Create the demo cases that do not exist yet (the personas must exist)."""
    officers = {
        o.username: o
        for o in Officer.objects.select_related("agency__party").filter(
            username__in=["analyst", "lo.ro", "lo.tr", "lo.al", "lo.bg"]
        )
    }
    existing = demo_cases()
    if TARA not in existing:
        _tara(officers)
    if CONTAINMENT not in existing:
        _containment(officers)
    return list(demo_cases().values())


def demo_cases() -> dict[str, Case]:
    """The demo cases that exist, by name (one small query per case)."""
    found = {}
    for name, (kind, lead, started_on) in SEEDED.items():
        candidates = Case.objects.filter(
            kind=kind, lead_party__code=lead, started_on=started_on
        ).order_by("pk")[:20]
        case = next((c for c in candidates if c.name == name), None)
        if case is not None:
            found[name] = case
    return found
