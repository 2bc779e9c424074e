"""The API's CSV rendering of an audit search (``?format=csv``, or ``Accept: text/csv``),
chosen by DRF's content negotiation; the view hands it the export's rows and names the
attachment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rest_framework.renderers import BaseRenderer

from oversight.exports import CSV_MEDIA_TYPE, audit_csv
from oversight.rows import AuditRow


@dataclass(frozen=True)
class AuditExport:
    rows: list[AuditRow]
    truncated: bool


class AuditCsvRenderer(BaseRenderer):
    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        # Errors never get here (the views answer them in JSON): anything else is a bug.
        assert isinstance(data, AuditExport), type(data)
        return audit_csv(data.rows, truncated=data.truncated)
