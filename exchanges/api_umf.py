"""The UMF endpoints of the REST API: the JSON Schema of SELEC's UMF-aligned exchanges, and an
exchange as a UMF message (``exchanges.umf_messages``). Sends and replies take a UMF message
through their body's media type (``exchanges.umf_parser``).

Exporting an exchange is reading its content: the same audited consultation as the detail
(``exchange_consult``), behind the same gates (404 unless the caller may see the exchange; 403
with a ``code`` until the purpose is given and an H3 text confirmed). The message carries the
entities, so an officer who never receives entities (an observer's, or one of no agency) gets
403 before anything is read; the detail in SELEC's JSON shows such an officer the rest.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from exchanges.api_outputs import ExchangeSerializer, serializer_context
from exchanges.api_views import (
    REFERENCE_PARAMETER,
    TAG,
    OnExchange,
    may_see_entities,
    withheld_answers,
)
from exchanges.selectors import attach_receipts
from exchanges.services.consultation import exchange_consult
from exchanges.umf_messages import message_to_umf
from exchanges.umf_parser import UmfMessage
from exchanges.umf_schema import umf_json_schema
from partners.auth import officer_of
from selec.core.api_answers import api_answers

NO_STORE = {"Cache-Control": "private, no-store"}


class UmfSchemaView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        operation_id="umf_schema_retrieve",
        responses=api_answers({200: OpenApiTypes.OBJECT}, validates=False, finds=False),
        description="The JSON Schema (draft 2020-12) of SELEC's exchanges in UMF 3 JSON: the "
        "message GET .../exchanges/{reference}/umf/ answers and a send takes in "
        "application/vnd.selec.umf+json, a reply's body (#/$defs/Reply) and each entity.",
    )
    def get(self, request: Request) -> Response:
        return Response(umf_json_schema(reverse("api-umf-schema", request=request)))


class ExchangeUmfView(OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_umf_retrieve",
        parameters=[REFERENCE_PARAMETER],
        responses=withheld_answers({200: UmfMessage}, validates=False),
        description="The exchange as a UMF 3 message (see umf/schema/): its header, subject, "
        "body and entities, which a send in application/vnd.selec.umf+json takes back as "
        "they are. Read as the content is: the receipt is marked read, the consultation is "
        "written to the audit log, and the same 403 with `code` asks first for the purpose "
        "and the H3 confirmation. 403 to an officer who never receives entities (an "
        "observer's).",
    )
    def get(self, request: Request, reference: str) -> Response:
        officer = officer_of(request)
        exchange = self.exchange(request, reference)
        if not may_see_entities(officer):
            raise PermissionDenied(
                _(
                    "Entities never reach your account: only officers of the agencies of "
                    "parties that receive personal data read them (never an observer's)."
                )
            )
        content = exchange_consult(officer=officer, exchange=exchange)
        attach_receipts([exchange])  # the message names the sender and the recipients
        shown = ExchangeSerializer(exchange, context=serializer_context(request, [exchange]))
        message = message_to_umf(
            shown.data,
            subject=content.subject,
            body=content.body,
            entities=[(entity.kind, entity.attributes) for entity in content.entities],
        )
        return Response(message, headers=NO_STORE)
