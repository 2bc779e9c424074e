"""The results report as CSV, as an XLSX workbook with its native chart, and as the data of the
page's charts (drawn by static/js/analytics.js, as the statistics page's).

The same protections as the statistics' exports (``selec.core.spreadsheets``); text is written
through ``write_string`` and numbers as numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cases.results_report import Indicator, Number, ResultsReport, label_with_unit
from selec.core.spreadsheets import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    as_download,
    csv_line_writer,
    neutralise,
    safe_workbook,
)


def machine_number(value: Number) -> str | int:
    """A quantity as CSV carries it: 1829, 188.9 (no trailing zeros, no exponent)."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return f"{value.normalize():f}"
    return value


def export_filename(report: ResultsReport, extension: str) -> str:
    parts = ["selec-results", str(report.query.by)]
    if report.query.series:
        parts.append(slugify(report.query.series) or "series")
    if report.query.first_year or report.query.last_year:
        parts.append(f"{report.query.first_year or ''}-{report.query.last_year or ''}")
    return f"{'-'.join(parts)}.{extension}"


# --- CSV --------------------------------------------------------------------------------------


def csv_lines(report: ResultsReport) -> Iterator[str]:
    """The header (indicator, unit, each column's key, total), then one line per indicator."""
    writer = csv_line_writer()
    header = ["indicator", "unit", *(column.key for column in report.columns), "total"]
    yield writer.writerow([neutralise(cell) for cell in header])
    for indicator, values, total in report.rows():
        yield writer.writerow(
            [
                indicator.key,
                neutralise(indicator.unit),
                *(machine_number(v) for v in values),
                machine_number(total),
            ]
        )


def csv_response(report: ResultsReport) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(report), content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8"
    )
    return as_download(response, export_filename(report, "csv"))


# --- XLSX -------------------------------------------------------------------------------------

# Rows above the table: its title, what it counts, a blank line.
_HEADER_ROW = 3


def counted_what(report: ResultsReport) -> str:
    if report.strategic_only:
        return _(
            "Totals of every operation's results, reported by the participating parties; "
            "information exchanged and requests initiated are counted from the exchanges "
            "linked to the operations. An operation counts in the year it started."
        )
    return _(
        "Results reported by the participating parties; information exchanged and requests "
        "initiated are counted from the exchanges linked to the operations (under the party "
        "that sent them). An operation counts in the year it started."
    )


def xlsx_bytes(report: ResultsReport) -> bytes:
    """One sheet: the report's table, and a column chart of its counts."""
    output = io.BytesIO()
    workbook = safe_workbook(output)
    title = workbook.add_format({"bold": True, "font_size": 13})
    note = workbook.add_format({"italic": True, "font_color": "#555555"})
    header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True})
    total = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(_("Results")[:31].translate({ord(c): " " for c in "[]:*?/\\"}))
    sheet.write_string(0, 0, report.title, title)
    sheet.write_string(1, 0, counted_what(report), note)
    sheet.write_string(_HEADER_ROW, 0, _("Indicator"), header)
    sheet.set_column(0, 0, 34)
    for c, column in enumerate(report.columns, start=1):
        label = f"{column.label}\n{column.detail}" if column.detail else column.label
        sheet.write_string(_HEADER_ROW, c, label, header)
    last = len(report.columns) + 1
    sheet.write_string(_HEADER_ROW, last, _("Total"), header)
    sheet.set_column(1, last, 16)
    for r, (indicator, values, row_total) in enumerate(report.rows(), start=_HEADER_ROW + 1):
        sheet.write_string(r, 0, label_with_unit(indicator))
        for c, value in enumerate(values, start=1):
            sheet.write_number(r, c, float(value) if isinstance(value, Decimal) else value)
        sheet.write_number(
            r, last, float(row_total) if isinstance(row_total, Decimal) else row_total, total
        )
    counts = [r for r, i in enumerate(report.indicators) if not i.is_seizure]
    if report.columns and counts:
        chart = workbook.add_chart({"type": "column"})
        name = sheet.get_name()
        for r in counts:
            row = _HEADER_ROW + 1 + r
            chart.add_series(
                {
                    "name": [name, row, 0],
                    "categories": [name, _HEADER_ROW, 1, _HEADER_ROW, len(report.columns)],
                    "values": [name, row, 1, row, len(report.columns)],
                }
            )
        chart.set_title({"name": report.title})
        chart.set_y_axis(
            {"name": _("Persons, victims, exchanges"), "major_gridlines": {"visible": True}}
        )
        chart.set_legend({"position": "bottom"})
        sheet.insert_chart(_HEADER_ROW + len(report.indicators) + 2, 0, chart, {"x_scale": 1.6})
    workbook.close()
    return output.getvalue()


def xlsx_response(report: ResultsReport) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(report), content_type=XLSX_MEDIA_TYPE)
    return as_download(response, export_filename(report, "xlsx"))


# --- Charts -----------------------------------------------------------------------------------


def _chart(report: ResultsReport, indicators: list[Indicator], y_title: str) -> dict[str, Any]:
    return {
        "type": "bar",
        "horizontal": False,
        "title": report.title,
        "yTitle": y_title,
        "labels": [column.label for column in report.columns],
        "datasets": [
            {
                "label": label_with_unit(indicator),
                "data": [float(report.value(indicator, column)) for column in report.columns],
            }
            for indicator in indicators
        ],
    }


def charts_json(report: ResultsReport) -> dict[str, dict[str, Any]]:
    """What static/js/analytics.js gives Chart.js: one chart of the counts, one of the
    seizures (each dataset an indicator, each category a column of the report)."""
    counts = [i for i in report.indicators if not i.is_seizure]
    seizures = [i for i in report.indicators if i.is_seizure]
    charts = {}
    if counts:
        charts["counts"] = _chart(report, counts, _("Persons, victims, exchanges"))
    if seizures:
        charts["seizures"] = _chart(report, seizures, _("Quantity seized"))
    return charts
