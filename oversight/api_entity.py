"""The DPO's tools about one entity in the REST API: the blind-index tokens of an identifier
(``POST /api/v1/audit/entity-tokens/``) and the entity's access report
(``GET /api/v1/audit/access/entity/?entity=...``); the audit search takes the same ``entity``
filter (``GET /api/v1/audit/events/?entity=...``).

The identifier is posted once, in a body, and answered with its tokens: the searches and
reports are then asked with the tokens alone, so that no address (in a proxy's log, a shell's
history) ever holds what identifies a person. Computing the tokens reads nothing and is not
audited; every search and report asked with them is. Anybody but the DPO gets 404.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from exchanges.api_inputs import EntityInputSerializer
from oversight.api import FOR_THE_DPO, TAG, DpoOnlyView, ReportEventSerializer
from oversight.entities import (
    EntityTokensError,
    by_name_alone,
    token_kinds,
    tokens_parse,
    tokens_text,
    typed_entity,
)
from oversight.services import entity_access_report_read
from partners.auth import officer_of
from selec.core.api_answers import api_answers
from selec.core.api_parsers import JSONParser

# --- Input ----------------------------------------------------------------------------------


class EntityTokensRequestSerializer(serializers.Serializer):
    entity = EntityInputSerializer(
        help_text="One entity, written as in an exchange: its identifying attributes are read."
    )


# --- Output ---------------------------------------------------------------------------------


class EntityTokensSerializer(serializers.Serializer):
    entity = serializers.CharField(
        help_text="The tokens, as the entity filter and report take them (kind:token, "
        "comma-separated)."
    )
    token_kinds = serializers.ListField(
        child=serializers.CharField(), help_text="What the tokens are of (person, phone...)."
    )
    weaker = serializers.BooleanField(
        help_text="A name without a date of birth: people of the same name are found too."
    )


class HeldInSerializer(serializers.Serializer):
    reference = serializers.CharField()


class EntityAccessReportSerializer(serializers.Serializer):
    token_kinds = serializers.ListField(source="entity.kinds", child=serializers.CharField())
    weaker = serializers.BooleanField(
        source="entity.weaker",
        help_text="Looked up by a name alone: other people's exchanges may be included.",
    )
    exchanges = HeldInSerializer(
        source="entity.exchanges",
        many=True,
        help_text="The exchanges whose entities carry the tokens now, oldest first.",
    )
    exchanges_truncated = serializers.BooleanField(
        source="entity.truncated",
        help_text="More exchanges hold it than a report covers (200): the oldest are used.",
    )
    truncated = serializers.BooleanField(help_text="More events than a report lists (5000).")
    events = ReportEventSerializer(source="rows", many=True, help_text="Oldest first.")


def _entity_error(exc: EntityTokensError) -> serializers.ValidationError:
    return serializers.ValidationError({"entity": [str(exc)]})


# --- Views ----------------------------------------------------------------------------------


class EntityTokensView(DpoOnlyView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="audit_entity_tokens",
        request=EntityTokensRequestSerializer,
        responses=api_answers({200: EntityTokensSerializer}),
        description="The blind-index tokens of one entity's identifiers, normalised as hit/no-hit "
        "matching does (Cyrillic and Latin spellings of a name give the same tokens; a name "
        "with a date of birth is looked up with it, a name alone by the name). Pass them as "
        "`entity` to the audit search and the entity's access report. Reads nothing and "
        "records nothing: the identifiers are not kept. " + FOR_THE_DPO,
    )
    def post(self, request: Request) -> Response:
        serializer = EntityTokensRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entity = serializer.validated_data["entity"]
        try:
            tokens = typed_entity(entity["kind"], entity["attributes"])
        except EntityTokensError as exc:
            raise _entity_error(exc) from None
        answer = {
            "entity": tokens_text(tokens),
            "token_kinds": token_kinds(tokens),
            "weaker": by_name_alone(tokens),
        }
        return Response(EntityTokensSerializer(answer).data)


class EntityAccessReportView(DpoOnlyView):
    @extend_schema(
        tags=[TAG],
        operation_id="audit_entity_access_report",
        parameters=[
            OpenApiParameter(
                "entity",
                OpenApiTypes.STR,
                required=True,
                description="The entity's tokens, as POST /api/v1/audit/entity-tokens/ gives "
                "them (kind:token, comma-separated).",
            )
        ],
        responses=api_answers({200: EntityAccessReportSerializer}),
        description="Every event about the exchanges that hold one entity now, and about the "
        "hits on it, oldest first: collection, consultation (with the purpose its officer gave "
        "for the thread), disclosure, combination, export, forward, grant, correction, "
        "erasure, refused attempts, with the justification given. Audited (the token kinds "
        "and the exchanges found, never the tokens). " + FOR_THE_DPO,
    )
    def get(self, request: Request) -> Response:
        try:
            tokens = tokens_parse(request.query_params.get("entity", ""))
        except EntityTokensError as exc:
            raise _entity_error(exc) from None
        report = entity_access_report_read(
            officer=officer_of(request), tokens=tokens, reason="entity access report (API)"
        )
        return Response(EntityAccessReportSerializer(report).data)
