"""The exchanges API's output serializers: what an answer holds (an exchange's metadata, its
content after the audited consultation, dissemination requests, the evidence bundle) and the
error answers every route may give. Lists never carry content."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse

from exchanges.api_inputs import EntityKindsDescription
from exchanges.models import Exchange
from exchanges.selectors import references_visible_to
from exchanges.services.consultation import ExchangeContent
from partners.auth import officer_of
from taskforces.models import TaskForce

# Output-only serializers: their fields are not read-only so that the schema marks exactly the
# keys that may be left out (``required=False``) as optional.


class AgencyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    party = serializers.CharField(source="party.code")


class ReceiptSerializer(serializers.Serializer):
    agency = AgencyRefSerializer()
    via = serializers.CharField()
    delivered_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)


class HandlingSerializer(serializers.Serializer):
    evidence = serializers.BooleanField(source="restrict_evidence")
    dissemination = serializers.BooleanField(source="restrict_dissemination")
    text = serializers.CharField(source="restriction_text")


class EvaluationOutSerializer(serializers.Serializer):
    source_reliability = serializers.CharField()
    information_accuracy = serializers.CharField()


class ExchangeSerializer(serializers.Serializer):
    """An exchange's metadata: what lists show, never its content."""

    reference = serializers.CharField()
    kind = serializers.CharField()
    sender_agency = AgencyRefSerializer()
    recipients = ReceiptSerializer(source="listed_receipts", many=True)
    crime_area = serializers.CharField(source="crime_area.code")
    task_force = serializers.SerializerMethodField()
    priority = serializers.CharField()
    sent_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    handling_codes = serializers.ListField(child=serializers.CharField())
    restrictions = HandlingSerializer(source="*")
    evaluation = EvaluationOutSerializer(source="*")
    personal_data = serializers.BooleanField()
    in_reply_to = serializers.SerializerMethodField()
    corrected_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the provider last corrected the content or evaluation; null if never.",
    )
    erased_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the provider erased the content at its retention review (the subject, "
        "body, entities and attachments are gone; the reference and metadata stay); null if "
        "not erased.",
    )
    url = serializers.SerializerMethodField()

    def get_task_force(self, exchange: Exchange) -> str | None:
        if exchange.task_force_id is None:
            return None
        return self.context["task_force_codes"][exchange.task_force_id]

    def get_in_reply_to(self, exchange: Exchange) -> str | None:
        """The parent's reference, when the caller may see the parent."""
        return self.context["references"].get(exchange.in_reply_to_id)

    def get_url(self, exchange: Exchange) -> str:
        return reverse(
            "api-exchange-detail",
            kwargs={"reference": exchange.reference},
            request=self.context.get("request"),
        )


class EntitySerializer(serializers.Serializer):
    """An entity as stored: its kind and its attributes, shown as stored (the send checked
    them); described in the API's schema one object per kind ("PersonEntity"...)."""

    kind = serializers.CharField()
    attributes = serializers.DictField(child=serializers.JSONField())


class _EntityKindsDescription(EntityKindsDescription):
    target_class = "exchanges.api_outputs.EntitySerializer"
    component = "Entity"


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class ExchangeContentSerializer(serializers.Serializer):
    """What the audited consultation read (``ExchangeContent``). ``entities`` is left out for
    the officers of observer parties."""

    subject = serializers.CharField()
    body = serializers.CharField()
    # A list field, not many=True: the schema then describes each entity by its kind.
    entities = serializers.ListField(child=EntitySerializer(), required=False)
    attachments = AttachmentSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # The answers' context says whether the caller may see them (``serializer_context``);
        # the schema's has nothing to say, and describes the key as optional.
        if "may_see_entities" in self.context and not self.context["may_see_entities"]:
            del fields["entities"]
        return fields


class ExchangeDetailSerializer(ExchangeSerializer, ExchangeContentSerializer):
    """Metadata and content in one object: the exchange's metadata as the list shows it, and the
    content of the consultation."""

    def to_representation(self, instance: ExchangeContent) -> dict[str, Any]:
        return {
            **ExchangeSerializer(instance.exchange, context=self.context).data,
            **ExchangeContentSerializer(instance, context=self.context).data,
        }


class AcknowledgedSerializer(serializers.Serializer):
    acknowledged = serializers.IntegerField(help_text="Receipts acknowledged by this call.")


class PurposeSerializer(serializers.Serializer):
    purpose = serializers.CharField(
        help_text="The purpose on record for the thread: the first one given stays."
    )
    given_at = serializers.DateTimeField()


class ContentWithheldSerializer(serializers.Serializer):
    """A 403: the reason; when the content is withheld until a step of yours, its code too."""

    detail = serializers.CharField(help_text="The reason, and the request that opens the content.")
    code = serializers.ChoiceField(
        choices=[
            ("purpose_required", "Say why you open the thread: POST .../purpose/."),
            ("restriction_unconfirmed", "Confirm the H3 text: POST .../restrictions/confirm/."),
        ],
        required=False,
    )


class ForwardedSerializer(serializers.Serializer):
    added = serializers.ListField(
        child=serializers.IntegerField(), help_text="Agencies that received the exchange now."
    )


class DisseminationRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exchange = serializers.CharField(source="exchange.reference")
    kind = serializers.CharField()
    status = serializers.CharField()
    requesting_agency = AgencyRefSerializer()
    target_agencies = AgencyRefSerializer(source="target_agencies.all", many=True)
    intended_use = serializers.CharField()
    justification = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()


class EvidenceAttachmentSerializer(serializers.Serializer):
    filename = serializers.CharField()
    sha256 = serializers.CharField(help_text="The file's SHA-256, to check the copy held.")
    size = serializers.IntegerField(help_text="In bytes.")


class EvidenceSerializer(serializers.Serializer):
    # The evidence bundle the service writes (``exchange_export_evidence``), the page's
    # download and the API's answer alike.
    reference = serializers.CharField()
    provider = serializers.CharField()
    sent_at = serializers.CharField()
    handling = serializers.ListField(child=serializers.CharField())
    evaluation = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    # Left out for officers of observer parties: they never receive entities.
    entities = serializers.ListField(
        child=serializers.DictField(child=serializers.JSONField(allow_null=True)),
        required=False,
        help_text="Each entity as one object: its kind and the attributes of that kind (see "
        "EntityInput).",
    )
    attachments = EvidenceAttachmentSerializer(many=True)


def serializer_context(request: Request, exchanges: list[Exchange], **extra: Any) -> dict[str, Any]:
    """What the exchange serializers need, read once for all the rows."""
    officer = officer_of(request)
    return {
        "request": request,
        "references": references_visible_to(officer, [e.in_reply_to_id for e in exchanges]),
        "task_force_codes": dict(TaskForce.objects.values_list("pk", "code"))
        if any(e.task_force_id for e in exchanges)
        else {},
        **extra,
    }


def exchange_metadata(request: Request, exchange: Exchange) -> dict[str, Any]:
    return ExchangeSerializer(exchange, context=serializer_context(request, [exchange])).data
