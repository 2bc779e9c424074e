"""The hits endpoints of the REST API: the caller's hits, and the hit/no-hit search.

The same selectors and services as the pages: the scope and the masking of the other side are
decided in ``hits.selectors``, the search and its audit in ``hits.matching``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.api_inputs import EntityInputSerializer
from exchanges.api_outputs import DetailSerializer, ErrorsSerializer
from hits.matching import hit_search
from hits.selectors import MAX_PAGE_SIZE, PAGE_SIZE, HitRow, ShownSide, hit_page
from partners.auth import officer_of
from selec.core.api_parsers import JSONParser

TAG = "hits"
ADVICE = "A hit: ask your NFP or the SELEC analyst."
# Hit ids are bigints: a larger number names nothing and must not reach the database.
MAX_HIT_ID = 2**63 - 1


# --- Input ----------------------------------------------------------------------------------


class HitListParamsSerializer(serializers.Serializer):
    before = serializers.IntegerField(min_value=1, max_value=MAX_HIT_ID, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE)


def _encodable(value: str) -> None:
    # A lone surrogate (valid JSON escape, invalid text) could not be stored in the audit log.
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise serializers.ValidationError("Not valid text.") from exc


class HitSearchSerializer(serializers.Serializer):
    """Why the search is made, and one entity, written as in an exchange."""

    justification = serializers.CharField(
        max_length=300,
        validators=[_encodable],
        help_text="Why you search (written to the audit log with the number of hits).",
    )
    entity = EntityInputSerializer()


# --- Output ---------------------------------------------------------------------------------


class HitSideSerializer(serializers.Serializer):
    yours = serializers.BooleanField(help_text="The side of your agency (an NFP: your country).")
    masked = serializers.BooleanField(
        help_text="Under H2: only the notice is given, no reference or provider."
    )
    reference = serializers.CharField(allow_null=True)
    party = serializers.CharField(allow_null=True, help_text="The provider's party code.")
    agency_id = serializers.IntegerField(allow_null=True, help_text="The provider agency.")
    agency = serializers.CharField(allow_null=True, help_text="The provider agency's name.")
    handling_codes = serializers.ListField(child=serializers.CharField(), allow_null=True)
    notice = serializers.CharField(help_text="What a masked side says; empty otherwise.")


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    matched = serializers.ListField(
        child=serializers.CharField(), help_text="What matched: the kind of entity."
    )
    sides = HitSideSerializer(many=True, help_text="Your side first (an analyst: both sides).")
    request_details_url = serializers.CharField(
        allow_null=True,
        help_text="The compose page prefilled to ask the other provider for the details.",
    )


class HitPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    results = HitSerializer(many=True)


class SearchAnswerSerializer(serializers.Serializer):
    attribute = serializers.CharField()
    hit = serializers.BooleanField()
    weaker = serializers.BooleanField(
        help_text="Searched by a name without a date of birth: people of the same name match."
    )


class SearchAnswersSerializer(serializers.Serializer):
    answers = SearchAnswerSerializer(many=True)
    advice = serializers.CharField()


def _side(shown: ShownSide) -> dict[str, Any]:
    side = shown.side
    return {
        "yours": shown.yours,
        "masked": shown.masked,
        "reference": side.reference if side else None,
        "party": side.party_code if side else None,
        "agency_id": side.agency_id if side else None,
        "agency": side.agency_name if side else None,
        "handling_codes": side.handling_codes if side else None,
        "notice": shown.notice,
    }


def _hit(row: HitRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "created_at": row.created_at,
        "matched": row.matched,
        "sides": [_side(shown) for shown in row.sides],
        "request_details_url": row.request_details_url or None,
    }


# --- Views ----------------------------------------------------------------------------------


class HitListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        operation_id="hits_list",
        parameters=[
            OpenApiParameter(
                "before", OpenApiTypes.INT, description="Cursor: the hits older than this id."
            ),
            OpenApiParameter("limit", OpenApiTypes.INT, description="Rows, 1 to 200 (50)."),
        ],
        responses={200: HitPageSerializer, 400: ErrorsSerializer},
        description="The hits of your agency's exchanges (an NFP officer: your country's; an "
        "analyst: all), newest first. References, providers and handling codes only; the "
        "other side of a hit under H2 is only a notice.",
    )
    def get(self, request: Request) -> Response:
        params = HitListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        limit = params.validated_data["limit"]
        page = hit_page(
            officer_of(request), before=params.validated_data.get("before"), limit=limit
        )
        next_url = None
        if page.older_than is not None:
            query = urlencode({"before": page.older_than, "limit": limit})
            next_url = f"{request.build_absolute_uri(request.path)}?{query}"
        return Response(
            HitPageSerializer({"next": next_url, "results": [_hit(r) for r in page.rows]}).data
        )


class HitSearchView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="hits_search",
        request=HitSearchSerializer,
        responses={
            200: SearchAnswersSerializer,
            400: ErrorsSerializer,
            403: DetailSerializer,
        },
        description="Hit or no hit, per identifying attribute of one entity, among what other "
        "providers hold; never who. Audited with the justification. Officers of observers and "
        "SELEC secretariat staff are refused (403).",
    )
    def post(self, request: Request) -> Response:
        serializer = HitSearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        answers = hit_search(
            officer=officer_of(request),
            justification=data["justification"],
            kind=data["entity"]["kind"],
            attributes=data["entity"]["attributes"],
        )
        return Response(SearchAnswersSerializer({"answers": answers, "advice": ADVICE}).data)
