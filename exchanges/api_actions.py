"""The actions on one exchange in the REST API (reply, acknowledge, forward, change or confirm
its restrictions, say why one opens its thread, download an attachment, export it as evidence)
and its dissemination requests.

Each view finds the exchange through ``OnExchange`` (404 unless the caller may see it), parses
the body and calls the one service that decides and records: ``PermissionDenied`` (may see,
not do) and the services' ``ValidationError`` propagate to the API's exception handler.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiRequest,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.api_inputs import (
    DecisionSerializer,
    DisseminationRequestCreateSerializer,
    EvidenceRequestSerializer,
    ForwardSerializer,
    PurposeInputSerializer,
    ReplyInputSerializer,
    ReplyJsonSerializer,
    api_parsed,
)
from exchanges.api_outputs import (
    AcknowledgedSerializer,
    DisseminationRequestSerializer,
    EvidenceSerializer,
    ExchangeSerializer,
    ForwardedSerializer,
    PurposeSerializer,
    exchange_metadata,
)
from exchanges.api_views import (
    BODY_PARSERS,
    MULTIPART_JSON_MEMBERS,
    REFERENCE_PARAMETER,
    TAG,
    OnExchange,
    may_see_entities,
    withheld_answers,
)
from exchanges.models import DisseminationRequest
from exchanges.selectors import attach_receipts, attachment_id_of_exchange, exchange_for_api
from exchanges.selectors_dissemination import (
    dissemination_request_for_officer,
    dissemination_requests_on_exchange,
)
from exchanges.services.consultation import attachment_download, exchange_export_evidence
from exchanges.services.dissemination_requests import (
    dissemination_request_decide,
    dissemination_request_file,
)
from exchanges.services.on_receipt import exchange_acknowledge, exchange_confirm_restrictions
from exchanges.services.purposes import purpose_give
from exchanges.services.restriction_changes import exchange_change_restrictions
from exchanges.services.sending import exchange_forward, exchange_reply
from exchanges.umf import MEDIA_TYPE as UMF_MEDIA_TYPE
from exchanges.umf_messages import REPLY
from exchanges.umf_parser import UmfMessageBody, UmfReply
from partners.auth import officer_of
from selec.core.api_answers import api_answers
from selec.core.api_pagination import CursorPage
from selec.core.api_parsers import JSONParser
from selec.core.files import download_response
from selec.core.policy_values import Restrictions
from selec.core.restriction_fields import RestrictionsSerializer


class ReplyView(UmfMessageBody, OnExchange):
    parser_classes = BODY_PARSERS
    umf_form = REPLY

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_replies_create",
        parameters=[REFERENCE_PARAMETER],
        request={
            "application/json": ReplyJsonSerializer,
            UMF_MEDIA_TYPE: UmfReply,
            "multipart/form-data": OpenApiRequest(
                ReplyInputSerializer, encoding=MULTIPART_JSON_MEMBERS
            ),
        },
        responses=api_answers({201: ExchangeSerializer}),
        description="Reply in the thread; the reply carries at least the parent's restrictions. "
        "It passes the same rules as a send (an observer sends no personal data; personal data "
        "reaches no observer: 400 naming the rule, nothing saved); 201 with the reply, which "
        "its author can GET at its `url`. In application/vnd.selec.umf+json the body is a "
        "UMF 3 message without the members its parent decides (see umf/schema/, "
        "#/$defs/Reply), every error keyed by its JSON pointer.",
    )
    def post(self, request: Request, reference: str) -> Response:
        parent = self.exchange(request, reference)
        serializer = api_parsed(ReplyInputSerializer, request)
        reply = exchange_reply(
            officer=officer_of(request), parent=parent, message=serializer.message()
        )
        reply = exchange_for_api(officer_of(request), pk=reply.pk)
        body = exchange_metadata(request, reply)
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": str(body["url"])}
        )


class AcknowledgeView(OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_acknowledge",
        parameters=[REFERENCE_PARAMETER],
        request=None,
        responses=api_answers({200: AcknowledgedSerializer}, validates=False),
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        count = exchange_acknowledge(officer=officer_of(request), exchange=exchange)
        return Response(AcknowledgedSerializer({"acknowledged": count}).data)


class ForwardView(OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_forward",
        parameters=[REFERENCE_PARAMETER],
        request=ForwardSerializer,
        responses=api_answers({200: ForwardedSerializer}),
        description="Forward to further agencies, saying why they need it (`justification`, "
        "required: kept encrypted with the audit event); under H2 only to those the provider "
        "granted (403 otherwise). Personal data reaches no observer and nothing reaches a former "
        "member (400 naming the agency, nothing saved).",
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        data = api_parsed(ForwardSerializer, request).validated_data
        added = exchange_forward(
            officer=officer_of(request),
            exchange=exchange,
            agency_ids=data["agencies"],
            justification=data["justification"],
        )
        return Response(ForwardedSerializer({"added": added}).data)


class RestrictionsView(OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_restrictions_update",
        parameters=[REFERENCE_PARAMETER],
        request=RestrictionsSerializer,
        responses=api_answers({200: ExchangeSerializer}),
        description="The provider changes the restrictions, code by code: each code added (H1, "
        "H2, a new or changed H3 text) applies at once to the exchange and every reply derived "
        "from it; each code removed applies to the exchange only. Both are notified. A member "
        "left out keeps its current value; an H3 text sent unchanged (CRLF or LF alike) keeps "
        "the readers' confirmations.",
    )
    def patch(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        # Members left out keep the current restrictions.
        serializer = RestrictionsSerializer(data=request.data, base=Restrictions.of(exchange))
        serializer.is_valid(raise_exception=True)
        changed = exchange_change_restrictions(
            officer=officer_of(request), exchange=exchange, restrictions=serializer.validated_data
        )
        # The row the service changed, under its lock, is the one shown: not read a third
        # time. Its crime area is the one loaded above (a change of restrictions leaves it).
        changed.crime_area = exchange.crime_area
        attach_receipts([changed])
        return Response(exchange_metadata(request, changed))


class RestrictionsConfirmView(OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_restrictions_confirm",
        parameters=[REFERENCE_PARAMETER],
        request=None,
        responses=api_answers(
            {204: OpenApiResponse(description="Confirmed; the content is open to you.")},
            validates=False,
        ),
        description="Confirm having read the provider's H3 text (needed before the content).",
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        exchange_confirm_restrictions(officer=officer_of(request), exchange=exchange)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PurposeView(OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_purpose_create",
        parameters=[REFERENCE_PARAMETER],
        request=PurposeInputSerializer,
        responses=api_answers(
            {
                201: PurposeSerializer,
                200: OpenApiResponse(
                    PurposeSerializer,
                    description="A purpose was already on record for the thread: it stays.",
                ),
            }
        ),
        description="Say why you open the exchange's thread (needed once per thread before its "
        "content, its replies' included; the author of its first message is not asked). 201: "
        "recorded; your next consultation's audit event carries it as its justification. 200: "
        "already on record, unchanged.",
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        data = api_parsed(PurposeInputSerializer, request).validated_data
        record, created = purpose_give(
            officer=officer_of(request), exchange=exchange, purpose=data["purpose"]
        )
        return Response(
            PurposeSerializer(record).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AttachmentView(OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_attachments_retrieve",
        parameters=[
            REFERENCE_PARAMETER,
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
        ],
        responses=withheld_answers({(200, "*/*"): OpenApiTypes.BINARY}, validates=False),
        description="Download an attachment (audited as a disclosure). Withheld like the "
        "content (403 with its `code`) until you have said why you open the thread and "
        "confirmed an H3 text.",
    )
    def get(self, request: Request, reference: str, pk: int) -> HttpResponse:
        exchange = self.exchange(request, reference)
        stored, content = attachment_download(
            officer=officer_of(request), attachment_id=attachment_id_of_exchange(exchange, pk)
        )
        return download_response(
            content, content_type=stored.content_type, filename=stored.filename
        )


class EvidenceView(OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_evidence_create",
        parameters=[REFERENCE_PARAMETER],
        request=EvidenceRequestSerializer,
        responses=withheld_answers({200: EvidenceSerializer}),
        description="Export the exchange for use as evidence (audited with its `justification`); "
        "refused under H1 until the provider grants it, and withheld like the content (403 with "
        "its `code`) until you have said why you open the thread and confirmed an H3 text.",
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        data = api_parsed(EvidenceRequestSerializer, request).validated_data
        bundle = exchange_export_evidence(
            officer=officer_of(request), exchange=exchange, justification=data["justification"]
        )
        if not may_see_entities(officer_of(request)):
            bundle.pop("entities", None)
        return Response(
            EvidenceSerializer(bundle).data, headers={"Cache-Control": "private, no-store"}
        )


class DisseminationRequestsView(OnExchange, GenericAPIView[DisseminationRequest]):
    pagination_class = CursorPage

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_dissemination_requests_list",
        parameters=[REFERENCE_PARAMETER],
        responses=api_answers({200: DisseminationRequestSerializer(many=True)}),
        description="The provider sees every request on its exchange; others their agency's. "
        "Oldest first.",
    )
    def get(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        rows = self.paginate_queryset(
            dissemination_requests_on_exchange(officer_of(request), exchange)
        )
        return self.get_paginated_response(DisseminationRequestSerializer(rows, many=True).data)

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_dissemination_requests_create",
        parameters=[REFERENCE_PARAMETER],
        request=DisseminationRequestCreateSerializer,
        responses=api_answers({201: DisseminationRequestSerializer}),
        description="Ask the provider to lift H2 (share with named agencies) or H1 (evidence).",
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        data = api_parsed(DisseminationRequestCreateSerializer, request).validated_data
        filed = dissemination_request_file(
            officer=officer_of(request),
            exchange=exchange,
            kind=data["kind"],
            target_agency_ids=data["target_agencies"],
            intended_use=data["intended_use"],
            justification=data["justification"],
        )
        shown = dissemination_requests_on_exchange(officer_of(request), exchange).get(pk=filed.pk)
        return Response(DisseminationRequestSerializer(shown).data, status=status.HTTP_201_CREATED)


class DisseminationDecisionView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="dissemination_requests_decision",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=DecisionSerializer,
        responses=api_answers({200: DisseminationRequestSerializer}),
        description="The provider grants or refuses a pending request.",
    )
    def post(self, request: Request, pk: int) -> Response:
        officer = officer_of(request)
        found = dissemination_request_for_officer(officer, pk)
        data = api_parsed(DecisionSerializer, request).validated_data
        decided = dissemination_request_decide(
            officer=officer, request=found, grant=data["decision"] == "grant", note=data["note"]
        )
        shown = dissemination_requests_on_exchange(officer, decided.exchange).get(pk=decided.pk)
        return Response(DisseminationRequestSerializer(shown).data)
