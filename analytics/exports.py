"""Every rendering of a statistics table: CSV, XLSX, JSON, and the data of its chart.

All of them read one :class:`analytics.tables.StatisticsTable`, so a file, the API and the page
never disagree. Two rules protect whoever opens an export in a spreadsheet:

- CSV: a text cell starting with ``= + - @`` (or a tab or carriage return) is prefixed with
  ``'``, so the spreadsheet shows it as text instead of evaluating it as a formula;
- XLSX: the workbook is written with ``strings_to_formulas`` and ``strings_to_urls`` off and
  text through ``write_string``, so no text ever becomes a formula or a link; counts are
  written as numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from analytics.policy import Table
from analytics.tables import (
    ChartKind,
    ColumnKind,
    StatisticsTable,
    display_cell,
    machine_cell,
    years_span,
)

# Named here too for the callers of the statistics' exports.
from selec.core.spreadsheets import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    as_download,
    csv_line_writer,
    neutralise,
    safe_workbook,
)


def export_filename(tables: Sequence[StatisticsTable], extension: str) -> str:
    name = tables[0].name if len(tables) == 1 else "tables"
    years = sorted({year for table in tables for year in table.years})
    return f"selec-statistics-{name}-{years_span(years, '-')}.{extension}"


# --- CSV --------------------------------------------------------------------------------------


def csv_lines(table: StatisticsTable) -> Iterator[str]:
    """The header (the columns' keys), then one line per row, the total last."""
    writer = csv_line_writer()
    yield writer.writerow([neutralise(column.key) for column in table.columns])
    for row in table.rows:
        yield writer.writerow([neutralise(machine_cell(column, row)) for column in table.columns])


def csv_response(table: StatisticsTable) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(table), content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8"
    )
    return as_download(response, export_filename([table], "csv"))


# --- XLSX -------------------------------------------------------------------------------------

# By table name (a Table value, or another name such as the page's chart). Translated when a
# sheet is named; a sheet's name is at most 31 characters, the years included.
_SHEET_NAMES: dict[str, str] = {
    Table.TOTALS: gettext_noop("Totals"),
    Table.CRIME_TYPES: gettext_noop("Crime types"),
    Table.PARTIES: gettext_noop("Parties"),
    Table.TASK_FORCES: gettext_noop("Task forces"),
}
_XLSX_CHART_TYPES = {ChartKind.LINE: "line", ChartKind.COLUMN: "column", ChartKind.BAR: "bar"}
# Rows above the table: its title, what it counts, a blank line.
_HEADER_ROW = 3


class _Styles:
    def __init__(self, workbook: Workbook) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 13})
        self.note = workbook.add_format({"italic": True, "font_color": "#555555"})
        self.header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True})
        self.total = workbook.add_format({"bold": True, "top": 1})


def xlsx_bytes(tables: Sequence[StatisticsTable]) -> bytes:
    """A workbook with one sheet per table, each with its native chart."""
    output = io.BytesIO()
    workbook = safe_workbook(output)
    styles = _Styles(workbook)
    taken: set[str] = set()
    for table in tables:
        _write_sheet(workbook, styles, table, _unique(_sheet_name(table), taken))
    workbook.close()
    return output.getvalue()


_SHEET_NAME_MAX = 31  # Excel's limit


def _sheet_name(table: StatisticsTable) -> str:
    if table.name in _SHEET_NAMES:
        base = _(_SHEET_NAMES[table.name])
    else:
        base = table.sheet_title or table.name
    # Excel refuses these characters in a sheet's name (a translation might bring one).
    base = base.translate({ord(c): " " for c in "[]:*?/\\"})
    return f"{base} {years_span(table.years, '-')}"[:_SHEET_NAME_MAX]


def _unique(name: str, taken: set[str]) -> str:
    """The name, numbered when another sheet has it already (two figures of one product may
    show the same table over the same years for two series): Excel compares without case."""
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: _SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def _write_sheet(
    workbook: Workbook, styles: _Styles, table: StatisticsTable, sheet_name: str
) -> None:
    sheet = workbook.add_worksheet(sheet_name)
    sheet.write_string(0, 0, table.heading, styles.title)
    sheet.write_string(1, 0, table.counts_what, styles.note)
    columns = table.display_columns
    for c, column in enumerate(columns):
        sheet.write_string(_HEADER_ROW, c, column.label, styles.header)
        text = column.kind == ColumnKind.DIMENSION
        sheet.set_column(c, c, 34 if text else 14)
    for r, row in enumerate(table.rows, start=_HEADER_ROW + 1):
        style: Format | None = styles.total if row.is_total else None
        for c, column in enumerate(columns):
            _write_cell(sheet, r, c, display_cell(column, row), style)
    if table.has_data:
        _insert_chart(workbook, sheet, table)


def _write_cell(sheet: Worksheet, r: int, c: int, value: Any, style: Format | None) -> None:
    if value is None:
        sheet.write_blank(r, c, None, style)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value, style)
    else:
        sheet.write_string(r, c, value, style)


def _insert_chart(workbook: Workbook, sheet: Worksheet, table: StatisticsTable) -> None:
    name = sheet.get_name()
    columns = table.display_columns
    counts = [c for c, column in enumerate(columns) if column.kind == ColumnKind.COUNT]
    labels = [c for c, column in enumerate(columns) if column.kind != ColumnKind.COUNT]
    first_row = _HEADER_ROW + 1
    last_row = _HEADER_ROW + len(table.data_rows)
    chart = workbook.add_chart({"type": _XLSX_CHART_TYPES[table.chart.kind]})
    if table.chart.series_from_rows:
        # One line per row (a channel, a crime area) across the year columns.
        for r in range(first_row, last_row + 1):
            chart.add_series(
                {
                    "name": [name, r, labels[-1]],
                    "categories": [name, _HEADER_ROW, counts[0], _HEADER_ROW, counts[-1]],
                    "values": [name, r, counts[0], r, counts[-1]],
                    "marker": {"type": "circle"},
                }
            )
    else:
        # One series per count column; the rows are the categories (year and task force
        # together make a two-level axis).
        for c in counts:
            chart.add_series(
                {
                    "name": [name, _HEADER_ROW, c],
                    "categories": [name, first_row, labels[0], last_row, labels[-1]],
                    "values": [name, first_row, c, last_row, c],
                }
            )
    chart.set_title({"name": table.heading})
    value_axis = {"name": table.chart.y_title, "major_gridlines": {"visible": True}}
    if table.chart.kind == ChartKind.BAR:
        chart.set_x_axis(value_axis)
        chart.set_y_axis({"reverse": True})  # the first crime area on top, as in the table
    else:
        chart.set_y_axis(value_axis)
    chart.set_legend({"position": "bottom"})
    height = max(1.0, len(table.data_rows) / 12) if table.chart.kind == ChartKind.BAR else 1.2
    sheet.insert_chart(_HEADER_ROW, len(columns) + 1, chart, {"x_scale": 1.6, "y_scale": height})


def xlsx_response(tables: Sequence[StatisticsTable]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(tables), content_type=XLSX_MEDIA_TYPE)
    return as_download(response, export_filename(tables, "xlsx"))


# --- JSON and charts --------------------------------------------------------------------------


def table_json(table: StatisticsTable) -> dict[str, Any]:
    """The table for the API: codes and names, counts keyed by their column."""
    count_columns = table.count_columns
    return {
        "table": table.name,
        "title": table.title,
        "counts": table.counts_what,
        "years": list(table.years),
        "columns": [
            {"key": column.key, "label": column.label, "kind": column.kind.value}
            for column in table.columns
        ],
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "year": row.year,
                "total": row.is_total,
                "counts": {column.key: row.counts[column.index] for column in count_columns},
            }
            for row in table.rows
        ],
    }


def chart_json(table: StatisticsTable) -> dict[str, Any]:
    """What static/js/analytics.js gives Chart.js: the same categories and series as the
    table's XLSX chart."""
    return {
        "type": "line" if table.chart.kind == ChartKind.LINE else "bar",
        "horizontal": table.chart.kind == ChartKind.BAR,
        "title": table.heading,
        "yTitle": table.chart.y_title,
        "labels": table.chart_labels(),
        "datasets": [{"label": name, "data": data} for name, data in table.chart_series()],
    }
