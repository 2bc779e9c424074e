"""The statistics tables in the REST API: ``GET /api/v1/statistics/{table}/``.

The same tables, access rule and audit as the page: analysts read every table, officers of
observer parties the strategic ones, everybody else gets 404. ``format`` chooses the answer:
JSON (default, a consultation), or a CSV or XLSX file (an export).

DRF reads a ``format`` query parameter as its own override of content negotiation
(``URL_FORMAT_OVERRIDE``) and would answer 404 for a value no renderer knows. Here ``format``
is this endpoint's parameter: the negotiation below ignores it, so that a wrong value is a 400
naming the parameter, errors are always JSON, and the files are built by ``analytics.exports``
like the page's downloads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.access import (
    statistics_access_or_404,
    statistics_read,
    statistics_table_or_404,
)
from analytics.exports import (
    CSV_MEDIA_TYPE,
    EXPORT_FORMATS,
    XLSX_MEDIA_TYPE,
    csv_response,
    table_json,
    xlsx_response,
)
from analytics.policy import Table
from analytics.tables import (
    MAX_YEAR,
    MIN_YEAR,
    ColumnKind,
    YearsError,
    requested_years,
)
from exchanges.api_outputs import DetailSerializer, ErrorsSerializer
from partners.auth import officer_of

TAG = "statistics"
FORMATS = ("json", *EXPORT_FORMATS)


class JSONAnswers(DefaultContentNegotiation):
    """Always the JSON renderer, whatever ``format`` or ``Accept`` say: the view answers
    files itself, and errors in JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


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
        enum=list(FORMATS),
        description="json (default), csv or xlsx (files, as attachments; audited as exports).",
    ),
]


def _bad(field: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [message]})


def _table(name: str) -> Table:
    try:
        return Table(name)
    except ValueError:
        raise _bad(
            "table", f"Unknown table {name[:40]!r}: choose one of {', '.join(Table)}."
        ) from None


def _format(params: Any) -> str:
    chosen = params.get("format", "json")
    if chosen not in FORMATS:
        raise _bad("format", f"Unknown format {chosen[:20]!r}: choose json, csv or xlsx.")
    return chosen


class StatisticsTableView(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = JSONAnswers

    @extend_schema(
        tags=[TAG],
        operation_id="statistics_retrieve",
        parameters=_PARAMETERS,
        responses={
            (200, "application/json"): StatisticsTableSerializer,
            (200, CSV_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.STR,
                description="format=csv: the header (totals: `channel,<year>,...`; "
                "crime-types: `crime_area,requests,information_exchanges`), one line per row, "
                "the total last.",
            ),
            (200, XLSX_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="format=xlsx: one sheet with a native chart."
            ),
            400: ErrorsSerializer,
            404: DetailSerializer,
        },
        description="A statistics table, from exchange metadata only. Analysts read every "
        "table; officers of observer parties totals, crime-types and task-forces; others get "
        "404. Give `year`, or `from` and `to` (crime-types and parties cover one year).",
    )
    def get(self, request: Request, table: str) -> HttpResponseBase:
        officer = officer_of(request)
        access = statistics_access_or_404(officer)
        chosen = statistics_table_or_404(access, _table(table))
        params = request.query_params
        export_format = _format(params)
        try:
            years = requested_years(
                table=chosen,
                year=params.get("year"),
                first=params.get("from"),
                last=params.get("to"),
            )
        except YearsError as error:
            raise _bad(error.field, error.message) from None
        [result] = statistics_read(
            officer=officer,
            tables=[chosen],
            years=years,
            export_format=export_format,
            reason="statistics API",
        )
        if export_format == "csv":
            return csv_response(result)
        if export_format == "xlsx":
            return xlsx_response([result])
        return Response(StatisticsTableSerializer(table_json(result)).data)
