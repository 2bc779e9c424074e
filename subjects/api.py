"""Data subject requests in the REST API (under /api/v1/subject-requests/): the DPO's search,
requests and their answers; the provider's queue and answer.

The same policy, selectors and services as the pages. Everybody but the DPO gets 404 on the
DPO's endpoints, and anybody without an agency on the provider's, whatever they send, as for
an address that does not exist; another agency's item is 404 too.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotAcceptable
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.auth import officer_of
from partners.models import Officer
from selec.core.api_answers import api_answers
from selec.core.api_pagination import CursorPage, not_a_cursor
from selec.core.api_parsers import JSONParser
from selec.core.paging import NotAPosition, Page
from subjects.access import dpo_or_404, provider_or_404
from subjects.api_serializers import (
    SubjectAnswerSerializer,
    SubjectQueueItemSerializer,
    SubjectRequestCreateSerializer,
    SubjectRequestDetailSerializer,
    SubjectRequestSerializer,
    SubjectSearchResultSerializer,
    SubjectSearchSerializer,
)
from subjects.models import SubjectRequest, SubjectRequestItem
from subjects.selectors import (
    ItemRow,
    RequestRow,
    item_get_for_provider,
    item_page,
    request_get,
    request_items,
    request_page,
)
from subjects.services import (
    REFERENCE_PATTERN,
    subject_request_create,
    subject_request_read,
    subject_search,
)
from subjects.services_answers import subject_item_answer

TAG = "subject-requests"
FOR_THE_DPO = "For the data protection officer only: anybody else gets 404."
FOR_PROVIDERS = "For the officers of an agency: anybody else gets 404."


def _nobody(officer: Officer) -> object:
    raise Http404("No such page.")


class _RefusingOthers(APIView):
    """The caller is established first, then refused (404) unless the view's side is theirs
    (``side``: ``dpo_or_404`` or ``provider_or_404``), before anything else of the request is
    looked at."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    # Deny by default: a view that names no side is nobody's.
    side = staticmethod(_nobody)

    def _refuse_others(self, request: Request) -> None:
        self.side(officer_of(request))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        try:
            super().initial(request, *args, **kwargs)
        except (NotAcceptable, Http404):
            # DRF negotiates the format before it authenticates: the caller comes first.
            self.perform_authentication(request)
            self.check_permissions(request)
            self._refuse_others(request)
            raise
        self._refuse_others(request)


class DpoOnlyView(_RefusingOthers):
    side = staticmethod(dpo_or_404)


class ProviderOnlyView(_RefusingOthers):
    side = staticmethod(provider_or_404)


def _paged(view: GenericAPIView[Any], request: Request, read: Any) -> tuple[list[Any], CursorPage]:
    """The rows of the page the cursor names, read by ``read(after=, before=, limit=)``."""
    paginator = view.paginator
    assert isinstance(paginator, CursorPage)  # pagination_class, narrowed for the checker
    start = paginator.selector_cursor(request)
    try:
        rows, page = read(after=start.after, before=start.before, limit=paginator.page_size)
    except NotAPosition:
        raise not_a_cursor() from None
    assert isinstance(page, Page)
    paginator.selector_page(
        rows, previous_position=page.previous_position, next_position=page.next_position
    )
    return rows, paginator


def _detail_body(row: RequestRow, items: list[ItemRow]) -> dict[str, Any]:
    shown = {
        "request": row.request,
        "status": row.status,
        "items_total": row.items_total,
        "items_answered": row.items_answered,
        "items": items,
    }
    return dict(SubjectRequestDetailSerializer(shown).data)


class SubjectSearchView(DpoOnlyView):
    @extend_schema(
        tags=[TAG],
        operation_id="subject_requests_search",
        request=SubjectSearchSerializer,
        responses=api_answers({200: SubjectSearchResultSerializer}),
        description="Every exchange holding the person, across providers, found through the "
        "blind index (the same normalisation as hit/no-hit matching: any script or spelling), "
        "without its content: reference, provider, sent date, crime area, whether erased, which "
        "identifiers matched. Audited, the identifiers kept encrypted. " + FOR_THE_DPO,
    )
    def post(self, request: Request) -> Response:
        serializer = SubjectSearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        matches = subject_search(officer=officer_of(request), identifiers=serializer.identifiers())
        body = {
            "exchanges": len(matches),
            "providers": len({m.agency_id for m in matches}),
            "matches": matches,
        }
        return Response(SubjectSearchResultSerializer(body).data)


class SubjectRequestListView(DpoOnlyView, GenericAPIView[SubjectRequest]):
    pagination_class = CursorPage

    @extend_schema(
        tags=[TAG],
        operation_id="subject_requests_list",
        responses=api_answers({200: SubjectRequestSerializer(many=True)}),
        description="The requests, newest first, with their progress. " + FOR_THE_DPO,
    )
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        rows, paginator = _paged(self, request, lambda **where: request_page(today=today, **where))
        return paginator.get_paginated_response(SubjectRequestSerializer(rows, many=True).data)

    @extend_schema(
        tags=[TAG],
        operation_id="subject_requests_create",
        request=SubjectRequestCreateSerializer,
        responses=api_answers({201: SubjectRequestDetailSerializer}),
        description="Record a request and forward it: the person is searched again, and each "
        "exchange found whose content is not erased becomes an item in its provider agency's "
        "queue; the provider's officers are told the request's reference only. A request that "
        "finds nothing is answered at once. " + FOR_THE_DPO,
    )
    def post(self, request: Request) -> Response:
        serializer = SubjectRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        officer = officer_of(request)
        created = subject_request_create(
            officer=officer,
            identifiers=serializer.identifiers(),
            kind=data["kind"],
            received_on=data["received_on"],
            due_on=data.get("due_on"),
            note=data["note"],
        )
        # What the DPO just sent, with the items made of it: not a consultation to audit.
        today = timezone.localdate()
        row = request_get(created.reference, today=today)
        return Response(_detail_body(row, request_items(row.request, today=today)), status=201)


class SubjectRequestDetailView(DpoOnlyView):
    @extend_schema(
        tags=[TAG],
        operation_id="subject_requests_retrieve",
        parameters=[
            OpenApiParameter(
                "reference",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="DSR-2026-0001",
                # The references' form (subjects.services): "items" and "search" beside it
                # are other routes, which a reference of any text could name.
                pattern=REFERENCE_PATTERN,
            )
        ],
        responses=api_answers({200: SubjectRequestDetailSerializer}, validates=False),
        description="One request: the person's identifiers, and each provider's item with its "
        "decision and answer. Audited as a consultation. " + FOR_THE_DPO,
    )
    def get(self, request: Request, reference: str) -> Response:
        row, items = subject_request_read(officer=officer_of(request), reference=reference)
        return Response(_detail_body(row, items))


class ItemQueueView(ProviderOnlyView, GenericAPIView[SubjectRequestItem]):
    pagination_class = CursorPage

    @extend_schema(
        tags=[TAG],
        operation_id="subject_requests_items_list",
        responses=api_answers({200: SubjectQueueItemSerializer(many=True)}),
        description="The items addressed to your agency (one per exchange of yours holding the "
        "person), pending first, the soonest due first. The person's identifiers stay with the "
        "DPO. " + FOR_PROVIDERS,
    )
    def get(self, request: Request) -> Response:
        agency_id = provider_or_404(officer_of(request))
        today = timezone.localdate()
        rows, paginator = _paged(
            self, request, lambda **where: item_page(agency_id, today=today, **where)
        )
        return paginator.get_paginated_response(SubjectQueueItemSerializer(rows, many=True).data)


class ItemAnswerView(ProviderOnlyView):
    @extend_schema(
        tags=[TAG],
        operation_id="subject_requests_items_answer",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=SubjectAnswerSerializer,
        responses=api_answers({200: SubjectQueueItemSerializer}),
        description="Your agency's decision on one item, with its answer for the DPO. `erased` "
        "is refused (400) until the exchange's content is erased (POST "
        "/api/v1/review/{reference}/erase/), `rectified` until the exchange is corrected since "
        "the request was received (POST /api/v1/exchanges/{reference}/correction/). An item "
        "of another agency is 404; 403 if you may not act as the exchange's provider. "
        + FOR_PROVIDERS,
    )
    def post(self, request: Request, pk: int) -> Response:
        officer = officer_of(request)
        agency_id = provider_or_404(officer)
        today = timezone.localdate()
        item_get_for_provider(agency_id, pk, today=today)  # 404 before the body's errors
        serializer = SubjectAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subject_item_answer(
            officer=officer,
            item_id=pk,
            decision=serializer.validated_data["decision"],
            answer=serializer.validated_data["answer"],
        )
        row = item_get_for_provider(agency_id, pk, today=today)
        return Response(SubjectQueueItemSerializer(row).data)
