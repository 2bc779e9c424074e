"""What every CSV or XLSX download shares (the statistics' tables, the operations' results):
the media types, the two rules that protect whoever opens the file in a spreadsheet, and the
headers of a download.

- CSV: a text cell starting with ``= + - @`` (or a tab or carriage return) is prefixed with
  ``'``, so the spreadsheet shows it as text instead of evaluating it as a formula;
- XLSX: the workbook is written with ``strings_to_formulas`` and ``strings_to_urls`` off, so
  no text ever becomes a formula or a link.
"""

from __future__ import annotations

import csv
import io
from typing import Any, TypeVar

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from xlsxwriter.workbook import Workbook

from selec.core.files import attachment_disposition

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = ("csv", "xlsx")

_Download = TypeVar("_Download", HttpResponse, StreamingHttpResponse)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would read as a formula, made plain text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object that hands back what csv.writer writes, one line at a time."""

    def write(self, value: str) -> str:
        return value


def csv_line_writer() -> Any:
    """A csv.writer whose ``writerow`` answers the line it wrote (to stream a response)."""
    return csv.writer(_Echo())


def safe_workbook(output: io.BytesIO) -> Workbook:
    """A workbook in memory where no text becomes a formula, a link or a number."""
    return xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )


def as_download(response: _Download, filename: str) -> _Download:
    """An attachment under ``filename``, never sniffed, never cached."""
    response["Content-Disposition"] = attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
