"""The UMF endpoints of the REST API: the JSON Schema of SELEC's UMF-aligned entities, and an
exchange's entities as a UMF document (``exchanges.umf``). Sends and replies take UMF entities
through their body's media type (``exchanges.umf_parser``).

Reading an exchange's entities is reading its content: the same audited consultation as the
detail (``exchange_consult``), behind the same gates (404 unless the caller may see the
exchange; 403 with a ``code`` until the purpose is given and an H3 text confirmed). An officer
who never receives entities (an observer's, or one of no agency) gets 403 before anything is
read.
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

from exchanges.api_views import (
    REFERENCE_PARAMETER,
    TAG,
    OnExchange,
    may_see_entities,
    withheld_answers,
)
from exchanges.services.consultation import exchange_consult
from exchanges.umf import umf_document
from exchanges.umf_schema import openapi_document_schema, umf_json_schema
from partners.auth import officer_of
from selec.core.api_answers import api_answers

NO_STORE = {"Cache-Control": "private, no-store"}


class UmfSchemaView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        operation_id="umf_schema_retrieve",
        responses=api_answers({200: OpenApiTypes.OBJECT}, validates=False, finds=False),
        description="The JSON Schema (draft 2020-12) of SELEC's entities in UMF 3 JSON: the "
        "document GET .../exchanges/{reference}/umf/ answers, and the entities a send or a "
        "reply carries in application/vnd.selec.umf+json.",
    )
    def get(self, request: Request) -> Response:
        return Response(umf_json_schema(reverse("api-umf-schema", request=request)))


class ExchangeUmfView(OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_umf_retrieve",
        parameters=[REFERENCE_PARAMETER],
        responses=withheld_answers({200: openapi_document_schema()}, validates=False),
        description="The exchange's entities as a UMF 3 document (see umf/schema/), read as "
        "the content is: the consultation is written to the audit log, and the same 403 with "
        "`code` asks first for the purpose and the H3 confirmation. 403 to an officer who never "
        "receives entities (an observer's).",
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
        document = umf_document(
            [(entity.kind, entity.attributes) for entity in content.entities],
            reference=exchange.reference,
        )
        return Response(document, headers=NO_STORE)
