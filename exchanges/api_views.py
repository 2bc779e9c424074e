"""The exchanges endpoints of the REST API: the list, the send and the detail, and what the
actions on one exchange (``exchanges.api_actions``) share. The serializers are in
``exchanges.api_inputs`` and ``exchanges.api_outputs``.

Views parse the request with a serializer into the services' inputs and call the same services
and selectors as the pages: who may do what is decided in ``exchanges.policy`` and enforced by
the services, never here. ``Http404`` (the caller may not know the object), ``PermissionDenied``
(may see it but not do this) and the services' ``ValidationError`` propagate to the API's
exception handler. Lists never carry content; the detail does, after the audited consultation.
Content withheld until a step of the caller's (the purpose of the consultation, an H3
confirmation) is a 403 that names the step's request and carries a ``code``.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiRequest, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView, set_rollback

from exchanges.api_inputs import (
    ExchangeCreateFormSerializer,
    ExchangeCreateJsonSerializer,
    ExchangeCreateSerializer,
    api_parsed,
)
from exchanges.api_outputs import (
    ContentWithheldSerializer,
    ExchangeDetailSerializer,
    ExchangeSerializer,
    exchange_metadata,
    serializer_context,
)
from exchanges.case_links import case_links
from exchanges.filters import InboxFilterSet
from exchanges.inbox import decode_position, encode_position
from exchanges.models import Exchange
from exchanges.policy import may_receive_entities
from exchanges.selectors import exchange_for_api, exchange_get_for_officer
from exchanges.selectors_inbox import Position, inbox_search
from exchanges.services.consultation import (
    ContentWithheld,
    PurposeRequired,
    RestrictionNotConfirmed,
    exchange_consult,
)
from exchanges.services.sending import exchange_send
from exchanges.umf import MEDIA_TYPE as UMF_MEDIA_TYPE
from exchanges.umf_parser import UmfJSONParser, UmfMessageBody, UmfSend
from partners.auth import officer_of
from partners.models import Officer
from selec.core.api_answers import api_answers
from selec.core.api_pagination import CursorPage, SelectorCursor, not_a_cursor
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


# A send or a reply: JSON, a UMF message (``exchanges.umf_parser``), or multipart.
BODY_PARSERS = [JSONParser, UmfJSONParser, MultiPartParser, FormParser]
# In a multipart body these members are each one part holding JSON (the whole list of entities
# in one part, not a part per entity), as ``exchanges.api_inputs`` reads them.
MULTIPART_JSON_MEMBERS = {
    member: {"contentType": "application/json"}
    for member in ("restrictions", "evaluation", "entities")
}
REFERENCE_PARAMETER = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="e.g. SELEC-2026-000123"
)


# The request that opens content withheld, by the refusal's code: its route, and the refusal
# followed by that request. Translators: %(refusal)s is the refusal's sentence, %(step)s a path
# on the API; the JSON ({"purpose": ...}) is not translated.
_OPENING_STEPS = {
    PurposeRequired.code: (
        "api-exchange-purpose",
        gettext_lazy(
            '%(refusal)s POST %(step)s with {"purpose": "why you open the thread"} first.'
        ),
    ),
    RestrictionNotConfirmed.code: (
        "api-exchange-restrictions-confirm",
        gettext_lazy("%(refusal)s POST %(step)s first."),
    ),
}


def withheld_answers(ok: dict[Any, Any], **kwargs: Any) -> dict[Any, Any]:
    """``api_answers`` for an operation whose content may be withheld: its 403 may carry a
    ``code``."""
    return {**api_answers(ok, **kwargs), 403: ContentWithheldSerializer}


# The base of the views that open content. No docstring: the schema would show it as the
# description of the operations that have none of their own.
class GatedContent(APIView):
    def handle_exception(self, exc: Exception) -> Response:
        if not isinstance(exc, ContentWithheld):
            return super().handle_exception(exc)
        route, detail = _OPENING_STEPS[exc.code]
        step = reverse(route, kwargs={"reference": exc.reference})
        set_rollback()
        return Response(
            {"detail": detail % {"refusal": exc, "step": step}, "code": exc.code},
            status=status.HTTP_403_FORBIDDEN,
        )


class ExchangeListView(UmfMessageBody, GenericAPIView[Exchange]):
    permission_classes = [IsAuthenticated]
    parser_classes = BODY_PARSERS
    # What describes the list's parameters and answer: the inbox's FilterSet and the one
    # paginator. The rows are read by inbox_search (never from this queryset, never filtered
    # by the backend): see exchanges.filters.
    queryset = Exchange.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = InboxFilterSet
    pagination_class = CursorPage

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_list",
        responses=api_answers({200: ExchangeSerializer(many=True)}),
        description="The exchanges of your agency (an NFP officer: of your country), filtered "
        "as in the inbox and paged by cursor in the chosen order. No content.",
    )
    def get(self, request: Request) -> Response:
        officer = officer_of(request)
        paginator = self.paginator
        assert isinstance(paginator, CursorPage)  # pagination_class, narrowed for the checker
        filters, (after, before) = _list_parameters(request, paginator)
        page = inbox_search(
            officer,
            filters.inbox_query(officer),
            after=after,
            before=before,
            limit=paginator.page_size,
        )
        exchanges = paginator.selector_page(
            [row.exchange for row in page.rows],
            previous_position=_encoded(page.first if page.has_previous else None),
            next_position=_encoded(page.last if page.has_next else None),
        )
        return self.get_paginated_response(
            ExchangeSerializer(
                exchanges, many=True, context=serializer_context(request, exchanges)
            ).data
        )

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_create",
        request={
            "application/json": ExchangeCreateJsonSerializer,
            UMF_MEDIA_TYPE: UmfSend,
            "multipart/form-data": OpenApiRequest(
                ExchangeCreateFormSerializer, encoding=MULTIPART_JSON_MEMBERS
            ),
        },
        responses=api_answers({201: ExchangeSerializer}),
        description="Send a request for assistance or an information exchange. Attachments "
        "come with multipart/form-data (`restrictions`, `evaluation` and `entities` then as "
        "JSON strings). In application/vnd.selec.umf+json the body is a UMF 3 message (see "
        "umf/schema/), as GET .../umf/ exports one: a member or attribute SELEC does not know "
        "is refused by name, every error keyed by its JSON pointer.",
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
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": str(body["url"])}
        )


def _list_parameters(
    request: Request, paginator: CursorPage
) -> tuple[InboxFilterSet, tuple[Position | None, Position | None]]:
    """The list's filters, and the inbox's keyset positions (after, before) its cursor carries.
    Every parameter that does not parse is named in one 400, the filters' and the paging's."""
    filters = InboxFilterSet(request.query_params)
    errors: dict[str, Any] = {}
    if not filters.is_valid():
        errors |= translate_validation(filters.errors).detail
    positions: tuple[Position | None, Position | None] = (None, None)
    try:
        positions = _positions(paginator.selector_cursor(request))
    except serializers.ValidationError as exc:
        if not isinstance(exc.detail, dict):  # always keyed by parameter, for the checker
            raise
        errors |= exc.detail
    if errors:
        raise serializers.ValidationError(errors)
    return filters, positions


def _positions(start: SelectorCursor) -> tuple[Position | None, Position | None]:
    """The inbox's keyset positions (after, before) a cursor carries."""
    return _decoded(start.after), _decoded(start.before)


def _decoded(value: str | None) -> Position | None:
    if value is None:
        return None
    position = decode_position(value)
    if position is None:
        raise not_a_cursor()
    return position


def _encoded(position: Position | None) -> str | None:
    return None if position is None else encode_position(position)


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
                    _(
                        "No open joint investigation or regional operation of yours has this "
                        "reference."
                    )
                ]
            }
        )
    return case_id


class ExchangeDetailView(GatedContent):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_retrieve",
        parameters=[REFERENCE_PARAMETER],
        responses=withheld_answers({200: ExchangeDetailSerializer}, validates=False),
        description="The exchange with its content. Marks your receipt read and writes the "
        "consultation to the audit log. 403 with `code` `purpose_required` until you have said "
        "why you open the thread (POST .../purpose/, once per thread; not asked of the author "
        "of its first message); then, under H3, 403 with `code` `restriction_unconfirmed` until "
        "you confirm the restriction (POST .../restrictions/confirm/).",
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
class OnExchange(GatedContent):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    def exchange(self, request: Request, reference: str) -> Exchange:
        """The exchange acted on, without its receipts: an answer that shows an exchange
        reads it again with ``exchange_for_api`` (a reply, the changed restrictions)."""
        return _exchange(request, reference)
