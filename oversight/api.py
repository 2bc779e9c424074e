"""The DPO's tools in the REST API: the audit search (``GET /api/v1/audit/events/``, JSON pages
or a CSV export) and one exchange's or case's access report
(``GET /api/v1/audit/access/{reference}/``).

The access reports' events carry, for a consultation, the purpose its officer gave for the
thread. The entity's tokens and report are in ``oversight.api_entity``.

The same policy, selectors and audited reads as the pages. Everybody but the DPO gets 404 on
both, whatever they ask (a format, a cursor, a reference), as for an address that does not
exist; a caller without credentials gets 401.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAcceptable
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oversight.access import dpo_or_404
from oversight.exports import CSV_MEDIA_TYPE, export_filename
from oversight.filters import AuditFilterSet
from oversight.references import ReferenceShapeError, reference_shape
from oversight.renderers import AuditCsvRenderer, AuditExport
from oversight.selectors import Position, decode_position, encode_position
from oversight.services import access_report_read, audit_search, audit_search_export
from partners.auth import officer_of
from selec.core.api_answers import DetailSerializer, api_answers
from selec.core.api_pagination import CursorPage, SelectorCursor, not_a_cursor
from selec.core.files import attachment_disposition
from selec.core.models import AuditAction, AuditEvent

TAG = "audit"
JSON_MEDIA_TYPE = JSONRenderer.media_type
FOR_THE_DPO = "For the data protection officer only: anybody else gets 404."


# --- Output ---------------------------------------------------------------------------------


class AuditEventSerializer(serializers.Serializer):
    # An oversight.selectors.AuditRow (no docstring: the schema would show it).
    id = serializers.IntegerField(source="event.pk")
    occurred_at = serializers.DateTimeField(source="event.occurred_at")
    username = serializers.CharField(source="event.actor_username", help_text="Who.")
    agency = serializers.CharField(
        source="event.actor_agency", help_text="Their agency's name at the time."
    )
    party = serializers.CharField(source="event.actor_party", help_text="Their party's code.")
    category = serializers.ChoiceField(
        source="event.action",
        choices=AuditAction.choices,
        help_text="The kind of processing (Art. 25 of the Law Enforcement Directive).",
    )
    event = serializers.CharField(
        source="event.event", help_text="The use case's name, e.g. exchange.forwarded."
    )
    event_label = serializers.CharField(source="event.get_event_display")
    object_type = serializers.CharField(source="event.object_type")
    object_id = serializers.CharField(source="event.object_id")
    reference = serializers.CharField(
        help_text="The exchange's or case's reference the event names; empty if none."
    )
    ip_address = serializers.IPAddressField(source="event.ip_address", allow_null=True)
    reason = serializers.CharField(source="event.reason", help_text="What happened (fixed).")
    justification = serializers.CharField(
        allow_null=True, help_text="What the officer gave as the reason, decrypted; null if none."
    )
    justification_altered = serializers.BooleanField(
        help_text="The stored justification no longer matches the event: not shown."
    )
    request_id = serializers.CharField(source="event.request_id")
    client_request_id = serializers.CharField(source="event.client_request_id")
    details = serializers.DictField(source="event.details", child=serializers.JSONField())


class ThreadPurposeSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The purpose, decrypted.")
    given_at = serializers.DateTimeField()
    given_here = serializers.BooleanField(
        help_text="This consultation is the one that carried it (its justification)."
    )


class ReportEventSerializer(AuditEventSerializer):
    purpose = ThreadPurposeSerializer(
        allow_null=True,
        help_text="A consultation of an exchange: the purpose its officer gave for the thread; "
        "null for other events, or when none was given.",
    )


class AccessReportSerializer(serializers.Serializer):
    reference = serializers.CharField(source="object.reference")
    object_type = serializers.CharField(source="object.object_type")
    object_id = serializers.CharField(
        source="object.object_id", allow_null=True, help_text="Null: the reference names nothing."
    )
    found = serializers.BooleanField(
        source="object.exists", help_text="Whether the reference names an existing object."
    )
    truncated = serializers.BooleanField(help_text="More events than a report lists (5000).")
    events = ReportEventSerializer(source="rows", many=True, help_text="Oldest first.")


# --- Views ----------------------------------------------------------------------------------


class DpoOnlyView(APIView):
    """A view of the DPO's tools: the caller is established first, then 404 for anybody but
    the DPO, before anything else of the request is looked at; errors are JSON."""

    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        try:
            super().initial(request, *args, **kwargs)
        except (NotAcceptable, Http404) as refused:
            # DRF negotiates before it authenticates (and answers 404 to a format it does not
            # know): the caller comes first here, then the format is named.
            self.perform_authentication(request)
            self.check_permissions(request)
            dpo_or_404(officer_of(request))
            if isinstance(refused, Http404):
                formats = ", ".join(renderer.format for renderer in self.get_renderers())
                raise serializers.ValidationError(
                    # Translators: %(formats)s lists format codes (json, csv), kept as they are.
                    {"format": [_("Unknown format: choose %(formats)s.") % {"formats": formats}]}
                ) from None
            raise
        dpo_or_404(officer_of(request))

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        # Errors are JSON, even when a file was asked for: the CSV renders exports only.
        json_renderer = JSONRenderer()
        self.request.accepted_renderer = json_renderer
        self.request.accepted_media_type = json_renderer.media_type
        return response


def _positions(start: SelectorCursor) -> tuple[Position | None, Position | None]:
    """The keyset positions (after, before) a cursor carries; a cursor this list did not give
    is refused."""
    given = (start.after, start.before)
    decoded = [None if value is None else decode_position(value) for value in given]
    if any(
        value is not None and position is None
        for value, position in zip(given, decoded, strict=True)
    ):
        raise not_a_cursor()
    return decoded[0], decoded[1]


class AuditEventListView(DpoOnlyView, GenericAPIView[AuditEvent]):
    renderer_classes = [JSONRenderer, AuditCsvRenderer]
    # What describes the list's parameters and answer: the FilterSet and the one paginator.
    # The rows are read by oversight.selectors (never from this queryset): see its module.
    queryset = AuditEvent.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditFilterSet
    pagination_class = CursorPage

    @extend_schema(
        tags=[TAG],
        operation_id="audit_events_list",
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                description="json (default, pages) or csv (the newest 5000 events of the "
                "search as an attachment; audited as an export). Without it, the Accept header "
                "chooses.",
            )
        ],
        responses=api_answers(
            {
                (200, JSON_MEDIA_TYPE): AuditEventSerializer(many=True),
                (200, CSV_MEDIA_TYPE): OpenApiResponse(
                    OpenApiTypes.STR,
                    description="format=csv: the header, one line per event, newest first.",
                ),
                (406, JSON_MEDIA_TYPE): DetailSerializer,
            },
            media_type=JSON_MEDIA_TYPE,
        ),
        description="The audit log, newest first, filtered; each event with who, what, when, "
        "from where, why and the request id. Every search is itself audited. " + FOR_THE_DPO,
    )
    def get(self, request: Request) -> Response:
        officer = officer_of(request)
        filters = AuditFilterSet(request.query_params)
        if not filters.is_valid():
            raise serializers.ValidationError(translate_validation(filters.errors).detail)
        query = filters.audit_query(officer)
        if isinstance(request.accepted_renderer, AuditCsvRenderer):
            rows, truncated = audit_search_export(
                officer=officer, query=query, reason="audit search exported (API)"
            )
            return Response(
                AuditExport(rows=rows, truncated=truncated),
                headers={
                    "Content-Disposition": attachment_disposition(export_filename()),
                    "X-Content-Type-Options": "nosniff",
                },
            )
        paginator = self.paginator
        assert isinstance(paginator, CursorPage)  # pagination_class, narrowed for the checker
        # Newest first: the rows after a position are the older events, those before newer.
        after, before = _positions(paginator.selector_cursor(request))
        page = audit_search(
            officer=officer,
            query=query,
            older_than=after,
            newer_than=before,
            limit=paginator.page_size,
            reason="audit search (API)",
        )
        rows = paginator.selector_page(
            page.rows,
            previous_position=page.newer_than and encode_position(page.newer_than),
            next_position=page.older_than and encode_position(page.older_than),
        )
        return self.get_paginated_response(AuditEventSerializer(rows, many=True).data)


class AccessReportView(DpoOnlyView):
    @extend_schema(
        tags=[TAG],
        operation_id="audit_access_report",
        parameters=[
            OpenApiParameter(
                "reference",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="An exchange's (SELEC-2026-000123) or a case's "
                "(SELEC-JI-2026-0001) reference.",
            )
        ],
        responses=api_answers({200: AccessReportSerializer}),
        description="Every event about one exchange or case, oldest first: collection, "
        "consultation, disclosure, combination (hits naming it), export, forward, grant, "
        "alteration, refused attempts, with the justification given and, for a consultation, "
        "the purpose its officer gave for the thread. A reference that names "
        "nothing gives an empty report (found: false); one not of the shape is 400. Audited. "
        + FOR_THE_DPO,
    )
    def get(self, request: Request, reference: str) -> Response:
        try:
            shaped = reference_shape(reference)
        except ReferenceShapeError as exc:
            raise serializers.ValidationError({"reference": [str(exc)]}) from None
        report = access_report_read(
            officer=officer_of(request), reference=shaped, reason="access report (API)"
        )
        return Response(AccessReportSerializer(report).data)
