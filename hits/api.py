"""The hits endpoints of the REST API: the caller's hits, and the hit/no-hit search.

The same selectors and services as the pages: the scope and the masking of the other side are
decided in ``hits.selectors``, the search and its audit in ``hits.matching``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.api_inputs import EntityInputSerializer
from hits.matching import hit_search
from hits.models import Hit
from hits.selectors import HitRow, hit_page
from partners.auth import officer_of
from selec.core.api_answers import api_answers
from selec.core.api_fields import TextField
from selec.core.api_pagination import CursorPage, not_a_cursor
from selec.core.api_parsers import JSONParser

TAG = "hits"
ADVICE = gettext_noop("A hit: ask your NFP or the SELEC analyst.")
# Hit ids are bigints: a larger number names nothing and must not reach the database.
MAX_HIT_ID = 2**63 - 1


# --- Input ----------------------------------------------------------------------------------


def _hit_id(position: str | None) -> int | None:
    """The hit id a cursor's position names; one that cannot be an id is refused."""
    if position is None:
        return None
    if not (position.isascii() and position.isdigit()) or not 0 < int(position) <= MAX_HIT_ID:
        raise not_a_cursor()
    return int(position)


def _encodable(value: str) -> None:
    # A lone surrogate (valid JSON escape, invalid text) could not be stored in the audit log.
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise serializers.ValidationError(_("Not valid text.")) from exc


class HitSearchSerializer(serializers.Serializer):
    """Why the search is made, and one entity, written as in an exchange."""

    justification = TextField(
        max_length=300,
        validators=[_encodable],
        help_text="Why you search (written to the audit log with the number of hits).",
    )
    entity = EntityInputSerializer()


# --- Output ---------------------------------------------------------------------------------


class HitSideSerializer(serializers.Serializer):
    # A ShownSide (no docstring: the schema would show it). Its ``side`` is None when masked,
    # and then so is each field read from it.

    yours = serializers.BooleanField(help_text="The side of your agency (an NFP: your country).")
    masked = serializers.BooleanField(
        help_text="Under H2: only the notice is given, no reference or provider."
    )
    reference = serializers.CharField(source="side.reference", allow_null=True)
    party = serializers.CharField(
        source="side.party_code", allow_null=True, help_text="The provider's party code."
    )
    agency_id = serializers.IntegerField(
        source="side.agency_id", allow_null=True, help_text="The provider agency."
    )
    agency = serializers.CharField(
        source="side.agency_name", allow_null=True, help_text="The provider agency's name."
    )
    handling_codes = serializers.ListField(
        source="side.handling_codes", child=serializers.CharField(), allow_null=True
    )
    notice = serializers.CharField(help_text="What a masked side says; empty otherwise.")


class HitSerializer(serializers.Serializer):
    # A HitRow (no docstring: the schema would show it).
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    matched = serializers.ListField(
        child=serializers.CharField(), help_text="What matched: the kind of entity."
    )
    sides = HitSideSerializer(many=True, help_text="Your side first (an analyst: both sides).")
    request_details_url = serializers.SerializerMethodField(
        help_text="The compose page prefilled to ask the other provider for the details."
    )

    def get_request_details_url(self, row: HitRow) -> str | None:
        return row.request_details_url or None  # "" where it is not offered


class SearchAnswerSerializer(serializers.Serializer):
    attribute = serializers.CharField()
    hit = serializers.BooleanField()
    weaker = serializers.BooleanField(
        help_text="Searched by a name without a date of birth: people of the same name match."
    )


class SearchAnswersSerializer(serializers.Serializer):
    answers = SearchAnswerSerializer(many=True)
    advice = serializers.CharField()


# --- Views ----------------------------------------------------------------------------------


class HitListView(GenericAPIView[Hit]):
    permission_classes = [IsAuthenticated]
    pagination_class = CursorPage

    @extend_schema(
        tags=[TAG],
        operation_id="hits_list",
        responses=api_answers({200: HitSerializer(many=True)}, finds=False),
        description="The hits of your agency's exchanges (an NFP officer: your country's; an "
        "analyst: all), newest first. References, providers and handling codes only; the "
        "other side of a hit under H2 is only a notice.",
    )
    def get(self, request: Request) -> Response:
        paginator = self.paginator
        assert isinstance(paginator, CursorPage)  # pagination_class, narrowed for the checker
        start = paginator.selector_cursor(request)
        # Newest first: the rows after a position are the older hits, those before the newer.
        page = hit_page(
            officer_of(request),
            before=_hit_id(start.after),
            after=_hit_id(start.before),
            limit=paginator.page_size,
        )
        rows = paginator.selector_page(
            page.rows,
            previous_position=None if page.newer_than is None else str(page.newer_than),
            next_position=None if page.older_than is None else str(page.older_than),
        )
        return self.get_paginated_response(HitSerializer(rows, many=True).data)


class HitSearchView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="hits_search",
        request=HitSearchSerializer,
        responses=api_answers({200: SearchAnswersSerializer}, finds=False),
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
        return Response(SearchAnswersSerializer({"answers": answers, "advice": _(ADVICE)}).data)
