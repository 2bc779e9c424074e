"""The erasure in the REST API: the dry run (``GET /api/v1/review/{reference}/erasure-plan/``)
and the erasure (``POST /api/v1/review/{reference}/erase/``).

The same selectors and services as the page (``records.views_erasure``): for the provider only,
404 to anybody else; an exchange erased already is a conflict (409). Counts and references
only: neither answer carries content.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.auth import officer_of
from records.models import NOTE_MAX_LENGTH
from records.policy_erasure import AlreadyErased
from records.selectors_erasure import KEPT, exchange_for_provider
from records.services_erasure import erasure_preview, exchange_erase
from selec.core.api_answers import DetailSerializer, api_answers
from selec.core.api_fields import TextField
from selec.core.api_parsers import JSONParser

TAG = "review"
REFERENCE = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="e.g. SELEC-2026-000123"
)
FOR_THE_PROVIDER = (
    "For the provider's officers only (MANAGE on the exchange): anybody else, recipients and "
    "the DPO included, gets 404. An exchange erased already: 409."
)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The exchange was erased already.")
    default_code = "already_erased"


def _refused(exc: AlreadyErased) -> Conflict:
    return Conflict(" ".join(exc.messages))


# --- Output ---------------------------------------------------------------------------------


class ErasureAgencySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    party = serializers.CharField(source="party_code", help_text="The party's code.")


class ErasurePlanExchangeSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.CharField(help_text="The kind's label, e.g. Reply.")
    sent_at = serializers.DateTimeField()
    provider = ErasureAgencySerializer()
    receipts_kept = serializers.IntegerField(source="receipts")
    entities = serializers.IntegerField(help_text="Deleted.")
    attachments = serializers.IntegerField(help_text="Deleted.")
    dissemination_requests = serializers.IntegerField(help_text="Kept, their texts emptied.")
    inaccuracy_flags = serializers.IntegerField(help_text="Kept, their texts emptied.")
    told = ErasureAgencySerializer(many=True, help_text="The agencies told of its erasure.")


class ErasurePlanSerializer(serializers.Serializer):
    reference = serializers.CharField()
    exchanges = ErasurePlanExchangeSerializer(
        many=True, help_text="The exchange first, then the replies below it in its thread."
    )
    emptied = serializers.DictField(
        source="counts.emptied",
        child=serializers.IntegerField(),
        help_text="Rows kept with their texts emptied, per kind (exchanges: subject, body and "
        "H3 text; dissemination requests: intended use, justification, decision note; "
        "inaccuracy flags: note and answer).",
    )
    deleted = serializers.DictField(
        source="counts.deleted",
        child=serializers.IntegerField(),
        help_text="Rows deleted, per kind: entities, attachments, H3 confirmations and what "
        "the entities cascade to (blind-index entity tokens, hits).",
    )
    receipts_kept = serializers.IntegerField()
    kept = serializers.ListField(child=serializers.CharField(), help_text="What stays.")
    told = ErasureAgencySerializer(many=True, help_text="Every agency told, by reference only.")


class ErasureDoneSerializer(serializers.Serializer):
    reference = serializers.CharField(source="plan.reference")
    erased_at = serializers.DateTimeField()
    erased = serializers.ListField(
        source="plan.references", child=serializers.CharField(), help_text="The exchanges erased."
    )
    emptied = serializers.DictField(source="plan.counts.emptied", child=serializers.IntegerField())
    deleted = serializers.DictField(source="plan.counts.deleted", child=serializers.IntegerField())
    told = ErasureAgencySerializer(source="plan.told", many=True)


# --- Input ----------------------------------------------------------------------------------


class ErasureRequestSerializer(serializers.Serializer):
    reason = TextField(
        max_length=NOTE_MAX_LENGTH,
        help_text="Why the content is no longer needed: kept encrypted with the review "
        "decision and in the audit log; never shown to the recipients.",
    )


# --- Views ----------------------------------------------------------------------------------


class ErasurePlanView(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="review_erasure_plan",
        parameters=[REFERENCE],
        responses=api_answers({200: ErasurePlanSerializer, 409: DetailSerializer}, validates=False),
        description="The dry run of the exchange's erasure: exactly what erasing it would "
        "remove (per exchange, and the counts per kind of row) and what it keeps. Audited. "
        + FOR_THE_PROVIDER,
    )
    def get(self, request: Request, reference: str) -> Response:
        officer = officer_of(request)
        exchange = exchange_for_provider(officer, reference=reference)
        try:
            plan = erasure_preview(officer=officer, exchange=exchange)
        except AlreadyErased as exc:
            raise _refused(exc) from None
        data = ErasurePlanSerializer(
            {
                "reference": plan.reference,
                "exchanges": plan.exchanges,
                "counts": plan.counts(),
                "receipts_kept": plan.receipts_kept,
                "kept": list(KEPT),
                "told": plan.told,
            }
        ).data
        return Response(data)


class EraseView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="review_erase",
        parameters=[REFERENCE],
        request=ErasureRequestSerializer,
        responses=api_answers({200: ErasureDoneSerializer, 409: DetailSerializer}),
        description="Erase the content of the exchange and of the replies below it, as the "
        "dry run shows; irreversible. Every agency holding a copy is told, by reference only. "
        + FOR_THE_PROVIDER,
    )
    def post(self, request: Request, reference: str) -> Response:
        officer = officer_of(request)
        exchange = exchange_for_provider(officer, reference=reference)
        serializer = ErasureRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            done = exchange_erase(
                officer=officer, exchange=exchange, reason=serializer.validated_data["reason"]
            )
        except AlreadyErased as exc:
            raise _refused(exc) from None
        return Response(ErasureDoneSerializer(done).data)
