"""Inaccuracy flags in the REST API: a recipient files one on an exchange
(``POST exchanges/<reference>/inaccuracy-flags/``), the officer's agency lists those it received
and filed (``GET inaccuracy-flags/``, paged by cursor), the provider answers one
(``POST inaccuracy-flags/<id>/answer/``). The services decide and record; what the caller may
not see or do is 404.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.api_inputs import api_parsed
from exchanges.api_outputs import AgencyRefSerializer
from exchanges.api_views import REFERENCE_PARAMETER, TAG, OnExchange
from partners.auth import officer_of
from records.models import NOTE_MAX_LENGTH, FlagOutcome, FlagStatus, InaccuracyFlag
from records.selectors_flags import FlagRole, flag_shown, flag_to_answer, flags_of
from records.services_flags import inaccuracy_flag_answer, inaccuracy_flag_file, require_recipient
from selec.core.api_answers import api_answers
from selec.core.api_fields import TextField
from selec.core.api_pagination import CursorPage
from selec.core.api_parsers import JSONParser

FLAGS_TAG = "inaccuracy-flags"


class InaccuracyFlagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exchange = serializers.CharField(source="exchange.reference")
    status = serializers.CharField(help_text="open, or answered.")
    flagging_agency = AgencyRefSerializer()
    flagged_by = serializers.CharField(source="flagged_by.username")
    flagged_at = serializers.DateTimeField()
    note = serializers.CharField(help_text="What the flagging agency suspects is inaccurate.")
    outcome = serializers.CharField(
        help_text="corrected, or upheld (as accurate); empty while the flag is open."
    )
    answer = serializers.CharField(help_text="The provider's answer (required to uphold).")
    answered_by = serializers.CharField(source="answered_by.username", allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)


class InaccuracyFlagCreateSerializer(serializers.Serializer):
    note = TextField(
        max_length=NOTE_MAX_LENGTH,
        help_text="What seems inaccurate and why (only the provider reads it).",
    )


class InaccuracyFlagAnswerSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=FlagOutcome.choices,
        help_text="corrected: once the exchange is corrected; upheld: accurate as it stands.",
    )
    answer = TextField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the information is upheld (required to uphold).",
    )


class InaccuracyFlagQuerySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=[r.value for r in FlagRole], required=False)
    status = serializers.ChoiceField(choices=FlagStatus.choices, required=False)


class ExchangeFlagsView(OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_inaccuracy_flags_create",
        parameters=[REFERENCE_PARAMETER],
        request=InaccuracyFlagCreateSerializer,
        responses=api_answers({201: InaccuracyFlagSerializer}),
        description="A recipient flags a suspected inaccuracy to the provider, who is "
        "notified (by reference). One open flag per agency and exchange: a second is refused "
        "(400) until the provider answers. 404 for the provider and anybody who does not see "
        "the exchange.",
    )
    def post(self, request: Request, reference: str) -> Response:
        officer = officer_of(request)
        exchange = self.exchange(request, reference)
        require_recipient(officer, exchange)
        data = api_parsed(InaccuracyFlagCreateSerializer, request).validated_data
        filed = inaccuracy_flag_file(officer=officer, exchange=exchange, note=data["note"])
        shown = flag_shown(officer, filed.pk)
        return Response(InaccuracyFlagSerializer(shown).data, status=status.HTTP_201_CREATED)


class FlagListView(GenericAPIView[InaccuracyFlag]):
    permission_classes = [IsAuthenticated]
    pagination_class = CursorPage

    @extend_schema(
        tags=[FLAGS_TAG],
        operation_id="inaccuracy_flags_list",
        parameters=[
            OpenApiParameter(
                "role",
                OpenApiTypes.STR,
                enum=[r.value for r in FlagRole],
                description="received: on the exchanges your agency provided (to answer); "
                "filed: by your agency. Both when left out.",
            ),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=FlagStatus.values, description="open or answered."
            ),
        ],
        responses=api_answers({200: InaccuracyFlagSerializer(many=True)}, finds=False),
        description="The inaccuracy flags your agency received or filed, newest first.",
    )
    def get(self, request: Request) -> Response:
        query = InaccuracyFlagQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        chosen = query.validated_data
        rows = self.paginate_queryset(
            flags_of(
                officer_of(request),
                role=FlagRole(chosen["role"]) if "role" in chosen else None,
                status=FlagStatus(chosen["status"]) if "status" in chosen else None,
            )
        )
        return self.get_paginated_response(InaccuracyFlagSerializer(rows, many=True).data)


class FlagAnswerView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[FLAGS_TAG],
        operation_id="inaccuracy_flags_answer",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=InaccuracyFlagAnswerSerializer,
        responses=api_answers({200: InaccuracyFlagSerializer}),
        description="The provider answers an open flag: corrected (after correcting the "
        "exchange), or upheld with its reasons. The flagging agency is notified. 404 for "
        "anybody but the provider.",
    )
    def post(self, request: Request, pk: int) -> Response:
        officer = officer_of(request)
        found = flag_to_answer(officer, pk)
        data = api_parsed(InaccuracyFlagAnswerSerializer, request).validated_data
        answered = inaccuracy_flag_answer(
            officer=officer, flag=found, outcome=data["outcome"], answer=data["answer"]
        )
        return Response(InaccuracyFlagSerializer(flag_shown(officer, answered.pk)).data)
