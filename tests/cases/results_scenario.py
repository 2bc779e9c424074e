"""Operation results entered through the real services: the seeds' Mirage 2003/2004 figures and
the operations they belong to (the results report's tests and the products' figures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cases.models import Case, CaseKind, CaseStatus
from cases.policy import ReportBy, results_report_access
from cases.results_report import Number, ReportQuery
from cases.services import CaseDetails, case_create
from cases.services_results import result_record, results_report_read
from partners.models import Officer, Party
from tests.cases.scenario import send_in_case
from tests.exchanges.scenario import agency_ids

# The seeds' table "THB & Migrant Smuggling TF — Regional Operations" (2005 presentation).
SEEDS_MIRAGE = [
    ("Victims identified", [463, 601]),
    ("Victims assisted", [70, 102]),
    ("Victims repatriated", [62, 138]),
    ("Persons identified", [595, 545]),  # traffickers identified
    ("Persons charged", [207, 302]),  # traffickers charged
    ("Information exchanged", [92, 120]),
]


def operation(
    officer: Officer,
    *agencies: str,
    series: str,
    started_on: dt.date,
    name: str | None = None,
) -> Case:
    return case_create(
        officer=officer,
        kind=CaseKind.REGIONAL_OPERATION,
        status=CaseStatus.ACTIVE,
        details=CaseDetails(
            name=name or f"{series} {started_on.year}", series=series, started_on=started_on
        ),
        agency_ids=agency_ids(*agencies),
    )


def report_of(
    officer: Officer, by: ReportBy = ReportBy.SERIES, **query: Any
) -> tuple[list[tuple[str, str]], list[tuple[str, list[Number]]]]:
    """The report's columns (label, key) and its table (each indicator's values)."""
    party = officer.party
    access = results_report_access(role=officer.role, party_status=party.status if party else None)
    report = results_report_read(
        officer=officer,
        access=access,
        query=ReportQuery(by=by, **query),
        export_format="html",
    )
    return [(column.label, column.key) for column in report.columns], report.table()


def report(officer: Officer, case: Case, party: str, day: dt.date, **counts: int) -> None:
    result_record(
        officer=officer,
        case=case,
        party_id=Party.objects.get(code=party).pk,
        reported_on=day,
        counts=counts,
    )


def enter_mirage(lo_ro: Officer, lo_bg: Officer) -> tuple[Case, Case]:
    """The seeds' Mirage 2003 and 2004 figures, entered today by Romania and Bulgaria, with the
    information exchanged as exchanges linked to each operation."""
    mirage_2003 = operation(
        lo_ro, "Bulgarian Police", series="Mirage", started_on=dt.date(2003, 9, 1)
    )
    mirage_2004 = operation(
        lo_ro, "Bulgarian Police", series="Mirage", started_on=dt.date(2004, 9, 6)
    )
    day = dt.date(2004, 12, 1)
    report(lo_ro, mirage_2003, "RO", day, victims_identified=400, victims_assisted=50,
           victims_repatriated=40, persons_identified=500, persons_charged=200)  # fmt: skip
    report(lo_bg, mirage_2003, "BG", day, victims_identified=63, victims_assisted=20,
           victims_repatriated=22, persons_identified=95, persons_charged=7)  # fmt: skip
    report(lo_ro, mirage_2004, "RO", day, victims_identified=601, victims_assisted=102,
           victims_repatriated=138, persons_identified=545, persons_charged=302)  # fmt: skip
    for case, count in ((mirage_2003, 92), (mirage_2004, 120)):
        for n in range(count):
            sender, to = (lo_ro, "Bulgarian Police") if n % 2 else (lo_bg, "Romanian Police")
            send_in_case(sender, case, to)
    return mirage_2003, mirage_2004
