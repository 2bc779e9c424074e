"""The exchanges endpoints of the REST API: the list, the send and the detail, and what the
actions on one exchange (``exchanges.api_actions``) share. The serializers are in
``exchanges.api_inputs`` and ``exchanges.api_outputs``.

Views parse the request with a serializer into the services' inputs and call the same services
and selectors as the pages: who may do what is decided in ``exchanges.policy`` and enforced by
the services, never here. ``Http404`` (the caller may not know the object), ``PermissionDenied``
(may see it but not do this) and the services' ``ValidationError`` propagate to the API's
exception handler. Lists never carry content; the detail does, after the audited consultation.
"""

from __future__ import annotations

import re

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.api_inputs import ExchangeCreateSerializer, ListParamsSerializer, api_parsed
from exchanges.api_outputs import (
    ExchangeDetailSerializer,
    ExchangePageSerializer,
    ExchangeSerializer,
    api_answers,
    exchange_metadata,
    serializer_context,
)
from exchanges.case_links import case_links
from exchanges.inbox import page_links, parse_inbox_request
from exchanges.models import Exchange, ExchangeKind, Priority
from exchanges.policy import may_receive_entities
from exchanges.selectors import exchange_for_api, exchange_get_for_officer
from exchanges.selectors_inbox import Direction, InboxSort, ReceiptStatus, inbox_search
from exchanges.services.consultation import exchange_consult
from exchanges.services.sending import exchange_send
from partners.auth import officer_of
from partners.models import Officer
from selec.core.api_parsers import JSONParser

TAG = "exchanges"
_REFERENCE_SHAPE = re.compile(r"[A-Za-z0-9-]{1,20}")


def _exchange(request: Request, reference: str, *, with_receipts: bool = False) -> Exchange:
    """The exchange the address names, 404 unless the caller may see it. A reference of
    another shape (``SELEC-2026-000123``) names nothing and never reaches the database.
    ``with_receipts`` for an answer that shows the exchange (``ExchangeSerializer`` reads its
    ``listed_receipts``); the actions on it need only the exchange."""
    if not _REFERENCE_SHAPE.fullmatch(reference):
        raise Http404("No exchange matches the given query.")
    if with_receipts:
        return exchange_for_api(officer_of(request), reference=reference)
    return exchange_get_for_officer(officer_of(request), reference=reference)


def may_see_entities(officer: Officer) -> bool:
    """An observer never gets entities, whatever the exchange (rule 1)."""
    agency = officer.agency
    return agency is not None and may_receive_entities(agency.party.status)


BODY_PARSERS = [JSONParser, MultiPartParser, FormParser]
REFERENCE_PARAMETER = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="e.g. SELEC-2026-000123"
)
_FILTERS = [
    OpenApiParameter(
        "reference",
        OpenApiTypes.STR,
        description="A whole reference or its beginning (SELEC-2026-).",
    ),
    OpenApiParameter("direction", OpenApiTypes.STR, enum=[d.value for d in Direction]),
    OpenApiParameter(
        "kind", OpenApiTypes.STR, enum=[k.value for k in ExchangeKind], description="Kind."
    ),
    OpenApiParameter("priority", OpenApiTypes.STR, enum=[p.value for p in Priority]),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=[s.value for s in ReceiptStatus],
        description="Receipt status of the receipts you follow.",
    ),
    OpenApiParameter("crime_area", OpenApiTypes.STR, description="A crime area code (drugs)."),
    OpenApiParameter("task_force", OpenApiTypes.STR, description="A task force code."),
    OpenApiParameter("overdue", OpenApiTypes.BOOL),
    OpenApiParameter("unread", OpenApiTypes.BOOL, description="Unread by your agency/country."),
    OpenApiParameter("due_today", OpenApiTypes.BOOL),
    OpenApiParameter("sent_from", OpenApiTypes.DATE, description="First day, inclusive."),
    OpenApiParameter("sent_to", OpenApiTypes.DATE, description="Last day, inclusive."),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=[s.value for s in InboxSort]),
    OpenApiParameter(
        "after", OpenApiTypes.STR, description="Cursor: the rows after it (the `next` link)."
    ),
    OpenApiParameter(
        "before", OpenApiTypes.STR, description="Cursor: the rows before it (the `previous` link)."
    ),
    OpenApiParameter("limit", OpenApiTypes.INT, description="Rows per page, 1 to 200 (50)."),
]


class ExchangeListView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = BODY_PARSERS

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_list",
        parameters=_FILTERS,
        responses=api_answers({200: ExchangePageSerializer}),
        description="The exchanges of your agency (an NFP officer: of your country), filtered "
        "as in the inbox and paged by cursor on the sent time. No content.",
    )
    def get(self, request: Request) -> Response:
        officer = officer_of(request)
        params = ListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        parsed = parse_inbox_request(request.query_params, officer=officer)
        if parsed.form.errors:
            # A dict of lists of messages to DRF (an ErrorList iterates its messages); the stubs
            # type its items as Django's ValidationErrors.
            raise serializers.ValidationError(parsed.form.errors)  # type: ignore[arg-type]
        page = inbox_search(
            officer,
            parsed.query,
            after=parsed.after,
            before=parsed.before,
            limit=params.validated_data["limit"],
        )
        previous, next_ = page_links(request.query_params, page)
        exchanges = [row.exchange for row in page.rows]
        absolute = request.build_absolute_uri(request.path)
        return Response(
            {
                "next": absolute + next_.url if next_ else None,
                "previous": absolute + previous.url if previous else None,
                "results": ExchangeSerializer(
                    exchanges, many=True, context=serializer_context(request, exchanges)
                ).data,
            }
        )

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_create",
        request={
            "application/json": ExchangeCreateSerializer,
            "multipart/form-data": ExchangeCreateSerializer,
        },
        responses=api_answers({201: ExchangeSerializer}),
        description="Send a request for assistance or an information exchange. Attachments "
        "come with multipart/form-data (`restrictions`, `evaluation` and `entities` then as "
        "JSON strings).",
    )
    def post(self, request: Request) -> Response:
        serializer = api_parsed(ExchangeCreateSerializer, request)
        data = serializer.validated_data
        exchange = exchange_send(
            officer=officer_of(request),
            kind=data["kind"],
            recipient_agency_ids=data["recipients"],
            crime_area_id=data["crime_area"].pk,
            task_force_id=data["task_force"].pk if data.get("task_force") else None,
            priority=data["priority"],
            message=serializer.message(),
            case_id=_case_id(request, data.get("case")),
        )
        exchange = exchange_for_api(officer_of(request), pk=exchange.pk)
        body = exchange_metadata(request, exchange)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


def _case_id(request: Request, reference: str | None) -> int | None:
    """The case a send names, among the open cases the caller may link to; another reference
    is refused as naming no case of theirs."""
    if not reference:
        return None
    case_id = case_links().id_for(officer_of(request), reference)
    if case_id is None:
        raise serializers.ValidationError(
            {
                "case": [
                    "No open joint investigation or regional operation of yours has this reference."
                ]
            }
        )
    return case_id


class ExchangeDetailView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_retrieve",
        parameters=[REFERENCE_PARAMETER],
        responses=api_answers({200: ExchangeDetailSerializer}, body=False),
        description="The exchange with its content. Marks your receipt read and writes the "
        "consultation to the audit log. Under H3, 403 until you confirm the restriction "
        "(POST .../restrictions/confirm/).",
    )
    def get(self, request: Request, reference: str) -> Response:
        officer = officer_of(request)
        exchange = _exchange(request, reference, with_receipts=True)
        content = exchange_consult(officer=officer, exchange=exchange)
        context = serializer_context(
            request, [exchange], may_see_entities=may_see_entities(officer)
        )
        return Response(ExchangeDetailSerializer(content, context=context).data)


# The base of the actions on one exchange (``exchanges.api_actions``). No docstring: the
# schema would show it as the description of the operations that have none of their own.
class OnExchange(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    def exchange(self, request: Request, reference: str) -> Exchange:
        """The exchange acted on, without its receipts: an answer that shows an exchange
        reads it again with ``exchange_for_api`` (a reply, the changed restrictions)."""
        return _exchange(request, reference)
