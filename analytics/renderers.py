"""DRF renderers for the statistics API: a table as a CSV or XLSX attachment, chosen like any
other rendering by DRF's content negotiation (``?format=csv``, or ``Accept: text/csv``).

The bytes and the file name are the ones ``analytics.exports`` gives the page's downloads; the
view hands these renderers the :class:`analytics.tables.StatisticsTable` itself, and JSON its
serialized form.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import ValidationError

from analytics.exports import csv_lines, export_filename, xlsx_bytes
from analytics.tables import StatisticsTable
from selec.core.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, as_download


class StatisticsFileRenderer(BaseRenderer, ABC):
    """One statistics table as a file, sent as an attachment named as the page names it."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if not isinstance(data, StatisticsTable):
            # Errors never get here (the view answers them in JSON): anything else is a bug.
            raise TypeError(f"{type(self).__name__} renders a StatisticsTable, not {data!r:.80}")
        response: Response | None = (renderer_context or {}).get("response")
        if response is not None:
            as_download(response, export_filename([data], self.format))
        return self.table_bytes(data)

    @abstractmethod
    def table_bytes(self, table: StatisticsTable) -> bytes:
        """The file's bytes: each format its own."""


class CsvRenderer(StatisticsFileRenderer):
    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def table_bytes(self, table: StatisticsTable) -> bytes:
        return "".join(csv_lines(table)).encode("utf-8")


class XlsxRenderer(StatisticsFileRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def table_bytes(self, table: StatisticsTable) -> bytes:
        return xlsx_bytes([table])


class UnknownFormat(ValidationError):
    pass


class FormatNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, where the ``format`` query parameter, when given, decides alone:

    - a known ``format`` is the answer whatever ``Accept`` says (DRF would still match it
      against ``Accept`` and answer 406 to a client that sends ``Accept: application/json``
      on every call, as many HTTP libraries do);
    - an unknown one, empty included, is a 400 naming the parameter and the formats there are,
      instead of DRF's bare 404 (or, for an empty one, ignoring it);
    - without ``format``, DRF's ``Accept`` negotiation chooses, or answers 406.
    """

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        asked = request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if asked is None:
            return super().select_renderer(request, renderers, format_suffix)
        by_format = {renderer.format: renderer for renderer in renderers}
        if asked not in by_format:
            formats = list(by_format)
            raise UnknownFormat(
                {
                    "format": [
                        # Translators: %(formats)s lists format codes ("json, csv"), kept as
                        # they are, as is %(last)s ("xlsx").
                        _("Unknown format %(format)r: choose %(formats)s or %(last)s.")
                        % {
                            "format": asked[:20],
                            "formats": ", ".join(formats[:-1]),
                            "last": formats[-1],
                        }
                    ]
                }
            )
        renderer = by_format[asked]
        return renderer, renderer.media_type
