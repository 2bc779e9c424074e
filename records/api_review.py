"""The retention review in the REST API: the agency's queue (``GET /api/v1/review/``) and the
keep decision (``POST /api/v1/review/{reference}/keep/``).

The same policy, selectors and service as the pages: officers of an agency keep a queue of
what their agency sent; everybody else gets 404, as does anybody but the provider for one
exchange's decision. Metadata only: no content, no reason read back.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.models import Exchange, ExchangeKind
from partners.auth import officer_of
from records.models import NOTE_MAX_LENGTH, ReviewOutcome
from records.policy import DUE_WITHIN_DAYS, ReviewState
from records.selectors_review import (
    Position,
    decode_position,
    encode_position,
    exchange_to_review,
    review_queue_page,
    with_review_queue,
)
from records.services_review import review_keep
from selec.core.api_answers import api_answers
from selec.core.api_pagination import CursorPage, SelectorCursor, not_a_cursor
from selec.core.api_parsers import JSONParser

TAG = "review"
FOR_PROVIDERS = "Officers of an agency, for what their agency sent; anybody else gets 404."
REFERENCE_PARAMETER = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="e.g. SELEC-2026-000123"
)


# --- Input and output -----------------------------------------------------------------------


class ReviewListParamsSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[s.value for s in ReviewState],
        required=False,
        # Empty is left out, as a query string's value is read (so the schema says).
        allow_blank=True,
        help_text=f"due: within {DUE_WITHIN_DAYS} days, not yet overdue; overdue: the review "
        "date has passed. Without it, both.",
    )


class ReviewRowSerializer(serializers.Serializer):
    # A records.selectors_review.ReviewRow (no docstring: the schema would show it).
    reference = serializers.CharField(source="exchange.reference")
    kind = serializers.ChoiceField(source="exchange.kind", choices=ExchangeKind.choices)
    crime_area = serializers.CharField(source="exchange.crime_area.code")
    sent_at = serializers.DateTimeField(source="exchange.sent_at")
    review_due_on = serializers.DateField(source="exchange.review_due_on")
    state = serializers.ChoiceField(choices=[s.value for s in ReviewState])
    overdue_days = serializers.IntegerField(
        min_value=0, help_text="Days since the review date (0 when not overdue)."
    )


class KeepSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        help_text="Why the information is still needed (stored encrypted; the audit event's "
        "justification).",
    )
    next_review_on = serializers.DateField(
        help_text="After today, and at most the retention period of the exchange's crime area "
        "(PERSONAL_DATA_REVIEW_YEARS unless the area sets its own) ahead."
    )


class ReviewDecisionSerializer(serializers.Serializer):
    reference = serializers.CharField(source="exchange.reference")
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
    decided_at = serializers.DateTimeField()
    next_review_on = serializers.DateField()


# --- Views ----------------------------------------------------------------------------------


def _positions(start: SelectorCursor) -> tuple[Position | None, Position | None]:
    """The keyset positions (after, before) a cursor carries; refused if it is not this list's."""
    decoded = []
    for value in (start.after, start.before):
        position = None if value is None else decode_position(value)
        if value is not None and position is None:
            raise not_a_cursor()
        decoded.append(position)
    return decoded[0], decoded[1]


class ReviewListView(GenericAPIView[Exchange]):
    permission_classes = [IsAuthenticated]
    # What describes the list's answer: the one paginator. The rows are read by
    # records.selectors_review (never from this queryset).
    queryset = Exchange.objects.none()
    pagination_class = CursorPage

    @extend_schema(
        tags=[TAG],
        operation_id="review_list",
        parameters=[ReviewListParamsSerializer],
        responses=api_answers({200: ReviewRowSerializer(many=True)}),
        description=f"Your agency's exchanges whose retention review is due within "
        f"{DUE_WITHIN_DAYS} days or overdue, soonest first. Metadata only. " + FOR_PROVIDERS,
    )
    def get(self, request: Request) -> Response:
        officer = with_review_queue(officer_of(request))
        params = ReviewListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        state = params.validated_data.get("state")
        paginator = self.paginator
        assert isinstance(paginator, CursorPage)  # pagination_class, narrowed for the checker
        after, before = _positions(paginator.selector_cursor(request))
        page = review_queue_page(
            officer,
            state=ReviewState(state) if state else None,
            after=after,
            before=before,
            limit=paginator.page_size,
        )
        rows = paginator.selector_page(
            page.rows,
            previous_position=encode_position(page.first)
            if page.has_previous and page.first
            else None,
            next_position=encode_position(page.last) if page.has_next and page.last else None,
        )
        return self.get_paginated_response(ReviewRowSerializer(rows, many=True).data)


class ReviewKeepView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="review_keep",
        parameters=[REFERENCE_PARAMETER],
        request=KeepSerializer,
        responses=api_answers({200: ReviewDecisionSerializer}),
        description="Keep the exchange after its retention review: the reason and the date of "
        "the next review, which becomes the exchange's (and that of your agency's replies in "
        "its thread that shared its date). Audited. " + FOR_PROVIDERS,
    )
    def post(self, request: Request, reference: str) -> Response:
        officer = with_review_queue(officer_of(request))
        exchange = exchange_to_review(officer, reference)
        serializer = KeepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = review_keep(
            officer=officer,
            exchange=exchange,
            reason=serializer.validated_data["reason"],
            next_review_on=serializer.validated_data["next_review_on"],
        )
        return Response(ReviewDecisionSerializer(decision).data)
