"""CSV, XLSX and the export command: exact headers, formula-like text kept as text, numbers as
numbers, a native chart on every sheet, and every export audited."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from analytics.exports import csv_lines, csv_response, xlsx_bytes
from analytics.models import Channel
from analytics.policy import Table
from analytics.tables import (
    crime_types_table,
    parties_table,
    statistics_table,
    task_forces_table,
    totals_table,
)
from partners.models import Party, PartyKind, PartyStatus
from selec.core.models import AuditAction, AuditEvent
from selec.core.spreadsheets import neutralise
from taskforces.models import CrimeArea
from tests.analytics.statistics_rows import exchange, no_statistics, store  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_statistics")

FORMULA = '=HYPERLINK("http://evil.example","x")'


def _csv(table) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(csv_lines(table)))))


@pytest.fixture
def sample(no_statistics: None) -> None:  # noqa: F811
    store(
        exchange(2008, "RO", ["BG", "TR"], 5),
        exchange(2008, "BG", ["RO"], 2, kind="information", area="thb", task_force="drugs"),
        exchange(2009, "RO", ["BG"], 3, channel=Channel.REGIONAL_OPERATIONS),
        exchange(2009, "AT", ["RO"], 1, member=False, channel=Channel.MEMBERS_OBSERVERS),
    )


@pytest.fixture
def formula_names(no_statistics: None) -> None:  # noqa: F811
    """A party and a crime area whose names (and the crime area's code) look like formulas."""
    Party.objects.create(
        code="EVIL",
        name=FORMULA,
        kind=PartyKind.STATE,
        status=PartyStatus.MEMBER,
        status_since="2008-01-01",
    )
    CrimeArea.objects.create(code="-cmd", name="@SUM(1+1)*cmd|' /C calc'!A0", position=99)
    store(exchange(2008, "EVIL", ["RO"], 4, area="-cmd"))


# --- CSV ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("sample")
def test_the_totals_csv_has_the_channel_and_a_column_per_year() -> None:
    assert _csv(totals_table((2008, 2009))) == [
        ["channel", "2008", "2009"],
        ["members_daily", "7", "0"],
        ["regional_operations", "0", "3"],
        ["members_observers", "0", "1"],
        ["total", "7", "4"],
    ]


@pytest.mark.usefixtures("sample")
def test_the_crime_types_csv_has_the_header_of_the_published_table() -> None:
    assert _csv(crime_types_table(2008)) == [
        ["crime_area", "requests", "information_exchanges"],
        ["thb", "0", "2"],
        ["drugs", "5", "0"],
        ["total", "5", "2"],
    ]


@pytest.mark.usefixtures("sample")
def test_the_parties_and_task_forces_csv_carry_codes_names_and_counts() -> None:
    rows = _csv(parties_table(2008))
    assert rows[0] == [
        "party",
        "party_name",
        "sent_requests",
        "sent_information_exchanges",
        "received_requests",
        "received_information_exchanges",
    ]
    assert ["RO", "Romania", "5", "0", "0", "2"] in rows
    assert rows[-1] == ["total", "Total", "5", "2", "10", "2"]
    assert _csv(task_forces_table((2008, 2009))) == [
        ["year", "task_force", "task_force_name", "requests", "information_exchanges"],
        ["2008", "drugs", "Anti-Drug Trafficking", "0", "2"],
        ["2008", "", "No task force", "5", "0"],
        ["2009", "", "No task force", "4", "0"],
        ["", "total", "Total", "9", "2"],
    ]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Drug trafficking", "Drug trafficking"),
        ("a=b", "a=b"),
        (12, 12),
    ],
)
def test_a_cell_that_a_spreadsheet_would_evaluate_is_neutralised(
    value: object, written: object
) -> None:
    assert neutralise(value) == written


@pytest.mark.usefixtures("formula_names")
def test_formula_like_names_and_codes_reach_the_csv_as_text() -> None:
    parties = _csv(parties_table(2008))
    assert ["EVIL", "'" + FORMULA, "4", "0", "0", "0"] in parties
    crime_types = _csv(crime_types_table(2008))
    assert ["'-cmd", "4", "0"] in crime_types


@pytest.mark.usefixtures("sample")
def test_the_csv_response_streams_an_attachment() -> None:
    response = csv_response(totals_table((2008, 2009)))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="selec-statistics-totals-2008-2009.csv"'
    )
    body = response.getvalue().decode()
    assert body.splitlines()[0] == "channel,2008,2009"


# --- XLSX -----------------------------------------------------------------------------------


def _workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def _values(sheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(min_row=5, values_only=True)]


@pytest.mark.usefixtures("sample")
def test_the_xlsx_holds_the_counts_as_numbers_and_a_native_chart() -> None:
    book = _workbook(xlsx_bytes([totals_table((2008, 2009))]))
    assert book.sheetnames == ["Totals 2008-2009"]
    sheet = book.active
    assert [cell.value for cell in sheet[4]] == ["Channel", "2008", "2009"]
    assert _values(sheet) == [
        ["Among members: daily exchanges", 7, 0],
        ["Among members: regional operations", 0, 3],
        ["Between members and observers: daily exchanges", 0, 1],
        ["Total", 7, 4],
    ]
    assert sheet["B5"].data_type == "n"
    assert len(sheet._charts) == 1


@pytest.mark.usefixtures("sample")
def test_a_workbook_of_every_table_has_a_sheet_and_a_chart_each() -> None:
    tables = [statistics_table(table, (2008,)) for table in Table]
    content = xlsx_bytes(tables)
    book = _workbook(content)
    assert book.sheetnames == [
        "Totals 2008",
        "Crime types 2008",
        "Parties 2008",
        "Task forces 2008",
    ]
    for sheet in book.worksheets:
        assert len(sheet._charts) == 1, sheet.title
    charts = [n for n in zipfile.ZipFile(io.BytesIO(content)).namelist() if "charts/chart" in n]
    assert len(charts) == 4
    crime_types = book["Crime types 2008"]
    assert _values(crime_types) == [
        ["Trafficking in human beings", 0, 2],
        ["Drug trafficking", 5, 0],
        ["Total", 5, 2],
    ]


@pytest.mark.usefixtures("formula_names")
def test_formula_like_text_stays_text_in_the_xlsx() -> None:
    book = _workbook(xlsx_bytes([parties_table(2008), crime_types_table(2008)]))
    cells = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in "=@"
    ]
    assert {cell.value for cell in cells} == {FORMULA, "@SUM(1+1)*cmd|' /C calc'!A0"}
    assert all(cell.data_type == "s" for cell in cells)
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes([parties_table(2008)]))) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_a_table_without_data_gets_a_sheet_without_a_chart() -> None:
    book = _workbook(xlsx_bytes([crime_types_table(2030)]))
    assert book.worksheets[0]._charts == []
    assert _values(book.worksheets[0]) == [["Total", 0, 0]]


# --- The command ----------------------------------------------------------------------------


@pytest.mark.usefixtures("sample")
def test_the_command_writes_csv_to_standard_output_and_audits_the_export() -> None:
    out = io.StringIO()
    call_command(
        "export_statistics",
        "--table",
        "totals",
        "--format",
        "csv",
        "--from",
        "2008",
        "--to",
        "2009",
        stdout=out,
    )
    assert out.getvalue().splitlines() == [
        "channel,2008,2009",
        "members_daily,7,0",
        "regional_operations,0,3",
        "members_observers,0,1",
        "total,7,4",
    ]
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert event.action == AuditAction.EXPORT
    assert event.actor_id is None
    assert event.reason == "command line"
    assert event.details == {"tables": ["totals"], "years": [2008, 2009], "format": "csv"}


@pytest.mark.usefixtures("sample")
def test_the_command_writes_xlsx_and_csv_files(tmp_path) -> None:
    target = tmp_path / "crime-types.xlsx"
    call_command(
        "export_statistics",
        "--table",
        "crime-types",
        "--format",
        "xlsx",
        "--year",
        "2008",
        "-o",
        str(target),
        stderr=io.StringIO(),
    )
    book = _workbook(target.read_bytes())
    assert _values(book.active)[-1] == ["Total", 5, 2]
    assert len(book.active._charts) == 1
    csv_file = tmp_path / "parties.csv"
    call_command(
        "export_statistics",
        "--table",
        "parties",
        "--format",
        "csv",
        "--year",
        "2009",
        "-o",
        str(csv_file),
        stderr=io.StringIO(),
    )
    assert csv_file.read_text().splitlines()[-1] == "total,Total,4,0,4,0"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--table", "money", "--format", "csv"], "Unknown table 'money'"),
        (["--table", "totals", "--format", "pdf"], "Unknown format 'pdf'"),
        (["--table", "totals", "--format", "xlsx"], "-o FILE"),
        (
            ["--table", "totals", "--format", "csv", "--from", "2010", "--to", "2008"],
            "--to: The range ends (2008) before it starts (2010).",
        ),
        (["--table", "totals", "--format", "csv", "--from", "2010"], "--to: Give both"),
        (["--table", "totals", "--format", "csv", "--year", "last"], "--year: A year is"),
        (
            ["--table", "parties", "--format", "csv", "--from", "2008", "--to", "2009"],
            "covers one year",
        ),
    ],
)
def test_the_command_refuses_what_it_cannot_export_with_a_clear_error(
    arguments: list[str], message: str
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError) as caught:
        call_command("export_statistics", *arguments, stdout=io.StringIO())
    assert message in str(caught.value)
    assert AuditEvent.objects.count() == before
