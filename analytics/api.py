"""The statistics tables in the REST API: ``GET /api/v1/statistics/{table}/``.

The same tables, access rule and audit as the page: analysts read every table, officers of
observer parties the strategic ones, everybody else gets 404. DRF's content negotiation chooses
the answer among the renderers: JSON (default, a consultation), or a CSV or XLSX file (an
export, ``analytics.renderers``), by the ``format`` query parameter or else the ``Accept``
header. A ``format`` no renderer knows is a 400 naming it; errors are always JSON.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAcceptable
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.access import (
    statistics_access_or_404,
    statistics_read,
    statistics_table_or_404,
)
from analytics.exports import table_json
from analytics.policy import Table
from analytics.renderers import (
    CsvRenderer,
    FormatNegotiation,
    StatisticsFileRenderer,
    UnknownFormat,
    XlsxRenderer,
)
from analytics.tables import (
    MAX_YEAR,
    MIN_YEAR,
    ColumnKind,
    YearsError,
    requested_years,
)
from partners.auth import officer_of
from selec.core.api_answers import DetailSerializer, api_answers
from selec.core.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE

TAG = "statistics"
# JSON first: the answer when neither format nor Accept asks for a file, and to every error.
RENDERERS = (JSONRenderer, CsvRenderer, XlsxRenderer)
JSON_MEDIA_TYPE = JSONRenderer.media_type


# --- Output (for the schema and the JSON answer) ---------------------------------------------


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The column's name in the CSV header.")
    # A field named like Field.label: the serializer's metaclass takes declared fields off the
    # class, which the stubs cannot express.
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=[k.value for k in ColumnKind])


class RowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text="Channel, crime area, party or task force code; `total` for the total row; "
        "null for exchanges outside any task force.",
    )
    # A field named like Field.label: the serializer's metaclass takes declared fields off the
    # class, which the stubs cannot express.
    label = serializers.CharField()  # type: ignore[assignment]
    year = serializers.IntegerField(allow_null=True, help_text="task-forces rows only.")
    total = serializers.BooleanField()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Counts by column key."
    )


class StatisticsTableSerializer(serializers.Serializer):
    table = serializers.ChoiceField(choices=[t.value for t in Table])
    title = serializers.CharField()
    counts = serializers.CharField(help_text="What the numbers count.")
    years = serializers.ListField(child=serializers.IntegerField())
    columns = ColumnSerializer(many=True)
    rows = RowSerializer(many=True)


_YEAR = {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}
_PARAMETERS = [
    OpenApiParameter(
        "table",
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        enum=[t.value for t in Table],
        description="totals: exchanges per channel and year; crime-types: exchanges initiated "
        "by member countries per crime area (one year); parties: sent and received per party "
        "(one year; analysts only); task-forces: per year and task force.",
    ),
    OpenApiParameter(
        "year",
        _YEAR,
        description="One year. Default: the latest year with statistics for crime-types and "
        "parties, the last five years with statistics for totals and task-forces.",
    ),
    OpenApiParameter(
        "from", _YEAR, description="First year of a range (totals, task-forces), with `to`."
    ),
    OpenApiParameter("to", _YEAR, description="Last year of a range, with `from`."),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=[renderer.format for renderer in RENDERERS],
        # Empty is refused with the formats there are (analytics.renderers.FormatNegotiation).
        allow_blank=False,
        description="json (default), csv or xlsx (files, as attachments; audited as exports). "
        "Without it, the Accept header chooses (text/csv, the XLSX media type, else JSON).",
    ),
]


def _bad(field: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [message]})


def _table(name: str) -> Table:
    try:
        return Table(name)
    except ValueError:
        # Translators: %(tables)s lists the tables' codes (totals, crime-types...), kept as they are.
        raise _bad(
            "table",
            _("Unknown table %(table)r: choose one of %(tables)s.")
            % {"table": name[:40], "tables": ", ".join(Table)},
        ) from None


class StatisticsTableView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = RENDERERS
    content_negotiation_class = FormatNegotiation

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        try:
            super().initial(request, *args, **kwargs)
        except (UnknownFormat, NotAcceptable):
            # DRF negotiates before it authenticates. The caller comes first here: 401 without
            # credentials, 404 without statistics, whatever format they name.
            self.perform_authentication(request)
            self.check_permissions(request)
            statistics_access_or_404(officer_of(request))
            raise

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        # Errors are JSON, even when a file was asked for: CSV and XLSX render tables only.
        json_renderer = self.get_renderers()[0]
        self.request.accepted_renderer = json_renderer
        self.request.accepted_media_type = json_renderer.media_type
        return response

    @extend_schema(
        tags=[TAG],
        operation_id="statistics_retrieve",
        parameters=_PARAMETERS,
        responses=api_answers(
            {
                (200, JSON_MEDIA_TYPE): StatisticsTableSerializer,
                (200, CSV_MEDIA_TYPE): OpenApiResponse(
                    OpenApiTypes.STR,
                    description="format=csv or Accept: text/csv: the header (totals: "
                    "`channel,<year>,...`; crime-types: `crime_area,requests,information_exchanges`), "
                    "one line per row, the total last.",
                ),
                (200, XLSX_MEDIA_TYPE): OpenApiResponse(
                    OpenApiTypes.BINARY,
                    description="format=xlsx or Accept: the XLSX media type: one sheet with a "
                    "native chart.",
                ),
                (406, JSON_MEDIA_TYPE): DetailSerializer,
            },
            media_type=JSON_MEDIA_TYPE,
        ),
        description="A statistics table, from exchange metadata only. Analysts read every "
        "table; officers of observer parties totals, crime-types and task-forces; others get "
        "404. Give `year`, or `from` and `to` (crime-types and parties cover one year). "
        "`format` or else `Accept` chooses JSON, CSV or XLSX; errors are JSON.",
    )
    def get(self, request: Request, table: str) -> Response:
        officer = officer_of(request)
        access = statistics_access_or_404(officer)
        chosen = statistics_table_or_404(access, _table(table))
        params = request.query_params
        try:
            years = requested_years(
                table=chosen,
                year=params.get("year"),
                first=params.get("from"),
                last=params.get("to"),
            )
        except YearsError as error:
            raise _bad(error.field, error.message) from None
        renderer = request.accepted_renderer
        [result] = statistics_read(
            officer=officer,
            tables=[chosen],
            years=years,
            export_format=renderer.format,
            reason="statistics API",
        )
        if isinstance(renderer, StatisticsFileRenderer):
            return Response(result)
        return Response(StatisticsTableSerializer(table_json(result)).data)
