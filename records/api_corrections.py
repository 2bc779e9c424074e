"""The provider's correction of an exchange in the REST API:
``POST /api/v1/exchanges/<reference>/correction/``.

The view parses the body into the service's ``Correction`` and calls ``exchange_correct``, which
decides and records: 404 for anybody but the provider, 400 with the fields' errors (the send's
rules, "nothing to correct", an erased exchange), nothing saved.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from exchanges.api_inputs import MAX_ID, api_parsed
from exchanges.api_views import REFERENCE_PARAMETER, TAG, OnExchange
from exchanges.models import InformationAccuracy, SourceReliability
from partners.auth import officer_of
from records.models import NOTE_MAX_LENGTH
from records.selectors_corrections import require_provider
from records.services_corrections import Correction, EntityCorrection, exchange_correct
from selec.core.api_answers import api_answers
from selec.core.api_fields import TextField

# The members a correction changes; at least one is given.
_CORRECTED = ("subject", "body", "source_reliability", "information_accuracy", "entity")


class ExchangeCorrectionEntitySerializer(serializers.Serializer):
    """One entity's corrected attributes, the entity named by its uuid or by its index."""

    uuid = serializers.UUIDField(
        required=False, help_text="The entity's uuid (a correction's answer gives the new one)."
    )
    index = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_ID,
        help_text="The entity's position in the exchange's `entities` (0 for the first).",
    )
    attributes = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="Every attribute of the corrected entity, as its kind declares them (see "
        "EntityInput): the ones left out are removed. Checked by the entity rules of the send.",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("uuid" in data) == ("index" in data):
            raise serializers.ValidationError(_("Name the entity by its uuid or by its index."))
        return data


class ExchangeCorrectionSerializer(serializers.Serializer):
    subject = TextField(required=False, max_length=300)
    body = TextField(required=False, max_length=100_000)
    source_reliability = serializers.ChoiceField(
        choices=SourceReliability.choices, allow_blank=True, required=False
    )
    information_accuracy = serializers.ChoiceField(
        choices=InformationAccuracy.choices, allow_blank=True, required=False
    )
    entity = ExchangeCorrectionEntitySerializer(required=False)
    note = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=NOTE_MAX_LENGTH,
        help_text="Why (kept encrypted as the audit event's justification; the agencies "
        "holding a copy are not shown it).",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not any(member in data for member in _CORRECTED):
            raise serializers.ValidationError(
                # Translators: fields lists the API's field names (subject, body...), kept as is.
                _("Give at least one of %(fields)s to correct.") % {"fields": ", ".join(_CORRECTED)}
            )
        return data

    def correction(self) -> Correction:
        data = self.validated_data
        entity = data.get("entity")
        return Correction(
            subject=data.get("subject"),
            body=data.get("body"),
            source_reliability=data.get("source_reliability"),
            information_accuracy=data.get("information_accuracy"),
            entity=EntityCorrection(
                uuid=entity.get("uuid"),
                index=entity.get("index"),
                attributes=dict(entity["attributes"]),
            )
            if entity is not None
            else None,
            note=data["note"],
        )


class ExchangeCorrectedSerializer(serializers.Serializer):
    reference = serializers.CharField(source="exchange.reference")
    corrected_at = serializers.DateTimeField(source="exchange.corrected_at")
    parts = serializers.ListField(
        child=serializers.CharField(),
        help_text="What changed: subject, body, evaluation, entity.",
    )
    entity = serializers.UUIDField(
        source="entity.uuid",
        allow_null=True,
        help_text="The uuid of the corrected entity, stored anew (last in `entities`); null "
        "when no entity was corrected.",
    )
    notified = serializers.IntegerField(
        help_text="Officers of the agencies holding a copy who were notified."
    )


class CorrectionView(OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_correction_create",
        parameters=[REFERENCE_PARAMETER],
        request=ExchangeCorrectionSerializer,
        responses=api_answers({200: ExchangeCorrectedSerializer}),
        description="The provider corrects the subject, the body, the evaluation codes and/or "
        "one entity of its exchange (members left out stay as they are). The new values pass "
        "the send's rules (personal data keeps both evaluation codes); a correction that "
        "changes nothing, or of an erased exchange, is refused (400, nothing saved). A "
        "corrected entity gets a new uuid and is matched afresh by hit/no-hit. The old values "
        "are not kept (the audit log holds a keyed digest); every agency holding a copy is "
        "notified, by reference only. 404 for anybody but the provider.",
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        # Before the body is read: its errors are for the provider's eyes only.
        require_provider(officer_of(request), exchange)
        serializer = api_parsed(ExchangeCorrectionSerializer, request)
        corrected = exchange_correct(
            officer=officer_of(request), exchange=exchange, correction=serializer.correction()
        )
        return Response(ExchangeCorrectedSerializer(corrected).data)
