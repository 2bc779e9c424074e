"""The results report: the seeds' Mirage 2003/2004 table given back when its figures are entered,
the fields counted from linked exchanges, who reads which grouping over which cases (observers:
strategic totals only), the exports, a historical case's year, and the report's query count."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.policy import ReportBy, results_report_access
from cases.results_report import ReportQuery
from cases.services_results import SeizureInput, result_record, results_report_read
from partners.models import Officer, Party
from selec.core.models import AuditAction, AuditEvent
from tests.cases.results_scenario import (
    SEEDS_MIRAGE,
    enter_mirage,
    operation,
    report,
    report_of,
)
from tests.cases.scenario import send_in_case

pytestmark = pytest.mark.django_db

REPORT = "/cases/results/"

# --- The seeds' table -----------------------------------------------------------------------


def test_the_seeds_mirage_figures_give_the_seeds_table(
    login, lo_ro: Officer, lo_bg: Officer, analyst: Officer
) -> None:
    mirage_2003, mirage_2004 = enter_mirage(lo_ro, lo_bg)
    # Entered in 2026, they keep the year they happened in.
    assert mirage_2003.reference == "SELEC-RO-2003-0001"
    assert mirage_2004.reference == "SELEC-RO-2004-0001"
    for officer in (analyst, lo_ro, lo_bg):
        columns, table = report_of(officer, ReportBy.SERIES, series="Mirage")
        assert [label for label, _key in columns] == ["Mirage 2003", "Mirage 2004"]
        assert table == SEEDS_MIRAGE
    # "1140 traffickers were identified and more than 500 were charged"
    _columns, by_year = report_of(analyst, ReportBy.YEAR)
    assert dict(by_year)["Persons identified"] == [595, 545]
    assert sum(dict(by_year)["Persons identified"]) == 1140
    assert sum(dict(by_year)["Persons charged"]) == 509

    page = login(analyst).get(REPORT, {"by": "series", "series": "Mirage"})
    assert page.status_code == 200
    rows = [(i.label, values) for i, values, _total in page.context["report"].rows()]
    assert rows == SEEDS_MIRAGE
    assert page.context["charts"]["counts"]["labels"] == ["Mirage 2003", "Mirage 2004"]

    exported = login(analyst).get(f"{REPORT}export/csv/", {"by": "series", "series": "Mirage"})
    assert exported["Content-Disposition"].startswith("attachment")
    lines = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert lines[0] == ["indicator", "unit", "Mirage 2003", "Mirage 2004", "total"]
    assert lines[1:] == [
        ["victims_identified", "", "463", "601", "1064"],
        ["victims_assisted", "", "70", "102", "172"],
        ["victims_repatriated", "", "62", "138", "200"],
        ["persons_identified", "", "595", "545", "1140"],
        ["persons_charged", "", "207", "302", "509"],
        ["information_exchanged", "", "92", "120", "212"],
    ]


def test_the_containment_seizures_come_back_per_item_and_unit_and_cash_with_its_currency(
    lo_ro: Officer, lo_bg: Officer, analyst: Officer
) -> None:
    first = operation(
        lo_ro, "Bulgarian Police", series="Containment", started_on=dt.date(2002, 5, 1)
    )
    second = operation(
        lo_ro, "Bulgarian Police", series="Containment", started_on=dt.date(2003, 5, 1)
    )
    lines = {
        first: [("heroin", "584", "kg", ""), ("cannabis", "1829", "kg", ""),
                ("amphetamines", "250000", "tablets", ""), ("cash", "12500.50", "currency", "EUR")],
        second: [("heroin", "124", "kg", ""), ("cannabis", "188.9", "kg", ""),
                 ("amphetamines", "63", "kg", "")],
    }  # fmt: skip
    for case, seized in lines.items():
        result_record(
            officer=lo_bg,
            case=case,
            party_id=Party.objects.get(code="BG").pk,
            reported_on=dt.date(2003, 12, 1),
            counts={"persons_arrested": 55},
            seizures=[
                SeizureInput(item=i, quantity=Decimal(q), unit=u, currency=c)
                for i, q, u, c in seized
            ],
        )
    _columns, table = report_of(analyst, ReportBy.SERIES, series="Containment")
    assert table == [
        ("Persons arrested", [55, 55]),
        ("Heroin (kg)", [Decimal("584"), Decimal("124")]),
        ("Cannabis / marijuana (kg)", [Decimal("1829"), Decimal("188.9")]),
        ("Amphetamines (kg)", [0, Decimal("63")]),
        ("Amphetamines (tablets)", [Decimal("250000"), 0]),
        ("Cash (EUR)", [Decimal("12500.5"), 0]),
    ]


def test_a_currency_amount_names_an_iso_4217_code_and_other_units_none(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    case = operation(lo_ro, "Bulgarian Police", series="Shadow", started_on=dt.date(2004, 3, 1))
    for unit, currency in (
        ("currency", ""),
        ("currency", "XYZ"),
        ("currency", "eur"),
        ("kg", "EUR"),
    ):
        with pytest.raises(ValidationError) as refused:
            result_record(
                officer=lo_bg,
                case=case,
                party_id=Party.objects.get(code="BG").pk,
                reported_on=dt.date(2004, 4, 1),
                seizures=[
                    SeizureInput(item="cash", quantity=Decimal(10), unit=unit, currency=currency)
                ],
            )
        assert "Line 1" in refused.value.message_dict["seizures"][0]
    assert not case.results.exists()


# --- Counted, not typed ---------------------------------------------------------------------


def test_information_exchanged_and_requests_are_counted_from_the_linked_exchanges(
    lo_ro: Officer, lo_bg: Officer, analyst: Officer, login
) -> None:
    case = operation(lo_ro, "Bulgarian Police", series="Road Show", started_on=dt.date(2004, 6, 1))
    other = operation(lo_ro, "Bulgarian Police", series="Other", started_on=dt.date(2004, 6, 1))
    send_in_case(lo_ro, case, "Bulgarian Police")
    send_in_case(lo_ro, case, "Bulgarian Police", kind="request")
    send_in_case(lo_ro, case, "Bulgarian Police", kind="warning")
    send_in_case(lo_bg, case, "Romanian Police", kind="request")
    send_in_case(lo_bg, other, "Romanian Police", kind="request")  # another operation's
    _columns, table = report_of(analyst, ReportBy.OPERATION, series="Road Show")
    assert table == [("Information exchanged", [4]), ("Requests initiated", [2])]
    columns, by_party = report_of(analyst, ReportBy.PARTY, series="Road Show")
    assert [key for _label, key in columns] == ["BG", "RO"]
    assert by_party == [("Information exchanged", [1, 3]), ("Requests initiated", [1, 1])]
    # One more linked exchange, one more counted: nothing typed anywhere.
    send_in_case(lo_bg, case, "Romanian Police")
    assert report_of(analyst, ReportBy.OPERATION, series="Road Show")[1][0] == (
        "Information exchanged",
        [5],
    )
    # They cannot be reported as results: the form has no such field, the service refuses them.
    form = login(lo_ro).get(f"/cases/{case.reference}/results/new/").context["form"]
    assert "information_exchanged" not in form.fields
    with pytest.raises(ValidationError, match="Unknown counts: information_exchanged"):
        report(lo_ro, case, "RO", dt.date(2004, 7, 1), information_exchanged=5)
    # The case page shows them too.
    page = login(lo_bg).get(f"/cases/{case.reference}/")
    assert page.context["page"].counted == {"information_exchanged": 5, "requests_initiated": 2}


# --- Who reads what -------------------------------------------------------------------------


def test_participants_read_their_operations_and_outsiders_none_of_them(
    lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, outsider: Officer, op_it: Officer
) -> None:
    case = operation(lo_ro, "Bulgarian Police", series="Mirage", started_on=dt.date(2003, 9, 1))
    report(lo_bg, case, "BG", dt.date(2003, 10, 1), victims_identified=7)
    assert report_of(lo_bg, ReportBy.OPERATION)[0] == [("Mirage 2003", case.reference)]
    assert report_of(lo_ro, ReportBy.PARTY)[1] == [("Victims identified", [7])]
    for officer in (lo_tr, outsider, op_it):
        assert report_of(officer, ReportBy.OPERATION) == ([], [])


def test_observers_read_the_strategic_totals_only(
    login, lo_ro: Officer, lo_bg: Officer, obs_at: Officer
) -> None:
    case = operation(lo_ro, "Bulgarian Police", series="Mirage", started_on=dt.date(2003, 9, 1))
    report(lo_bg, case, "BG", dt.date(2003, 10, 1), victims_identified=7, persons_charged=2)
    client = login(obs_at)
    # Totals per series and year, over every case (Austria takes part in none).
    page = client.get(REPORT, {"by": "series"})
    assert page.status_code == 200
    assert page.context["report"].strategic_only
    assert page.context["report"].table() == [("Victims identified", [7]), ("Persons charged", [2])]
    content = page.content.decode()
    assert case.reference not in content
    assert "Bulgaria" not in content
    assert [value for value, _label in page.context["form"].fields["by"].choices] == [
        "series",
        "year",
    ]
    # Per operation or per party: refused by the form (the strategic default is shown), and by
    # the service whatever calls it.
    for by in ("operation", "party"):
        page = client.get(REPORT, {"by": by})
        assert page.context["report"].query.by == ReportBy.SERIES
        assert case.reference not in page.content.decode()
        exported = client.get(f"{REPORT}export/csv/", {"by": by})
        lines = b"".join(exported.streaming_content).decode().splitlines()
        assert lines[0] == "indicator,unit,Mirage 2003,total"
    assert obs_at.party is not None
    access = results_report_access(role=obs_at.role, party_status=obs_at.party.status)
    with pytest.raises(PermissionDenied):
        results_report_read(
            officer=obs_at,
            access=access,
            query=ReportQuery(by=ReportBy.OPERATION),
            export_format="csv",
        )


def test_the_dpo_and_the_directory_admin_get_404(
    login, dpo: Officer, directory_admin: Officer
) -> None:
    for officer in (dpo, directory_admin):
        client = login(officer)
        assert client.get(REPORT).status_code == 404
        assert client.get(f"{REPORT}export/xlsx/").status_code == 404


def test_reading_and_exporting_the_report_are_audited(
    login, analyst: Officer, lo_ro: Officer
) -> None:
    client = login(analyst)
    client.get(REPORT, {"by": "year"})
    client.get(f"{REPORT}export/xlsx/", {"by": "year"})
    events = AuditEvent.objects.filter(object_type="cases.results_report").order_by("pk")
    assert [(e.action, e.details["format"]) for e in events] == [
        (AuditAction.CONSULTATION, "html"),
        (AuditAction.EXPORT, "xlsx"),
    ]


# --- Exports --------------------------------------------------------------------------------


def test_the_xlsx_holds_the_table_and_a_native_chart(
    login, lo_ro: Officer, lo_bg: Officer, analyst: Officer
) -> None:
    first = operation(
        lo_ro, "Bulgarian Police", series="=HYPERLINK(1)", started_on=dt.date(2003, 9, 1)
    )
    report(lo_bg, first, "BG", dt.date(2003, 10, 1), victims_identified=463, persons_charged=207)
    response = login(analyst).get(f"{REPORT}export/xlsx/", {"by": "series"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[4]] == ["Indicator", "=HYPERLINK(1) 2003", "Total"]
    assert sheet.cell(4, 2).data_type == "s"  # text, never a formula
    assert [c.value for c in sheet[5]] == ["Victims identified", 463, 463]
    assert [c.value for c in sheet[6]] == ["Persons charged", 207, 207]
    assert len(sheet._charts) == 1
    csv_body = b"".join(
        login(analyst).get(f"{REPORT}export/csv/", {"by": "series"}).streaming_content
    ).decode()
    assert csv_body.splitlines()[0] == "indicator,unit,'=HYPERLINK(1) 2003,total"


# --- A historical case's year ---------------------------------------------------------------


def test_a_historical_case_keeps_its_year_in_its_reference_and_its_results(
    lo_ro: Officer, lo_bg: Officer, analyst: Officer
) -> None:
    earlier = operation(lo_ro, series="Mirage", started_on=dt.date(2003, 9, 1))
    later = operation(lo_ro, series="Mirage", started_on=dt.date(2003, 11, 1))
    today = operation(lo_ro, series="", started_on=dt.date(2026, 1, 5))
    assert (earlier.reference, later.reference) == ("SELEC-RO-2003-0001", "SELEC-RO-2003-0002")
    assert today.reference == "SELEC-RO-2026-0001"
    # Reported in 2004 and entered in 2026, the results count in 2003.
    report(lo_ro, earlier, "RO", dt.date(2004, 2, 1), victims_identified=5)
    report(lo_ro, today, "RO", dt.date(2026, 2, 1), victims_identified=1)
    columns, table = report_of(analyst, ReportBy.YEAR)
    assert [key for _label, key in columns] == ["2003", "2026"]
    assert table == [("Victims identified", [5, 1])]
    columns, table = report_of(analyst, ReportBy.SERIES, first_year=2003, last_year=2003)
    assert [label for label, _key in columns] == ["Mirage 2003"]


# --- Cost -----------------------------------------------------------------------------------


def _report_queries(client: Client, by: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(REPORT, {"by": by}).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("by", ["operation", "series", "year", "party"])
def test_the_report_costs_the_same_queries_for_one_operation_or_many(
    login, lo_ro: Officer, lo_bg: Officer, analyst: Officer, by: str
) -> None:
    analyst_client = login(analyst)
    first = operation(lo_ro, "Bulgarian Police", series="Mirage", started_on=dt.date(2003, 9, 1))
    report(lo_bg, first, "BG", dt.date(2003, 10, 1), victims_identified=1)
    send_in_case(lo_ro, first, "Bulgarian Police")
    _report_queries(analyst_client, by)  # what a process caches (permission ids) once
    few = _report_queries(analyst_client, by)
    for year in range(2004, 2010):
        case = operation(lo_ro, "Bulgarian Police", series="Mirage", started_on=dt.date(year, 9, 1))
        report(lo_ro, case, "RO", dt.date(year, 10, 1), victims_identified=2, persons_charged=1)
        report(lo_bg, case, "BG", dt.date(year, 10, 2), persons_arrested=3)
        send_in_case(lo_bg, case, "Romanian Police", kind="request")
    assert _report_queries(analyst_client, by) == few
    # The results, the seizures, the exchanges: three aggregates, whatever their number.
    assert few <= 12
