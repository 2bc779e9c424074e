"""The exchanges API's input serializers: they parse a request body into the services' inputs
(``Message``, ``Restrictions``, entities, attachments). They check shapes only, and each
entity's attributes by the entity rules the forms and services share; who may do what is
decided by the services the views call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework import serializers
from rest_framework.request import Request

from exchanges.entity_rules import entity_errors
from exchanges.models import (
    DisseminationKind,
    EntityKind,
    Exchange,
    ExchangeKind,
    InformationAccuracy,
    Priority,
    SourceReliability,
)
from exchanges.selectors_inbox import PAGE_SIZE
from exchanges.services.inputs import AttachmentInput, EntityInput, Evaluation, Message
from selec.core.api_parsers import json_loads
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea, TaskForce

if TYPE_CHECKING:
    # What the mixin below is mixed into, for the checker (at run time a plain mixin).
    _SerializerField = serializers.Field
else:
    _SerializerField = object

# Database integer keys: a larger number can name nothing (and must not reach the database).
MAX_ID = 2**31 - 1


class _JSONInForm(_SerializerField):
    """Lets a structured field arrive as a JSON string in a multipart/form-data body."""

    def get_value(self, dictionary: Any) -> Any:
        if hasattr(dictionary, "getlist") and self.field_name in dictionary:
            return dictionary.get(self.field_name)
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                data = json_loads(data)
            except ValueError as exc:
                raise serializers.ValidationError(f"Not valid JSON: {exc}") from exc
        return super().to_internal_value(data)


class RestrictionsSerializer(_JSONInForm, serializers.Serializer):
    evidence = serializers.BooleanField(
        default=False, help_text="H1: not to be disclosed in judicial proceedings."
    )
    dissemination = serializers.BooleanField(
        default=False, help_text="H2: not to be disseminated without the provider's permission."
    )
    text = serializers.CharField(
        default="",
        allow_blank=True,
        max_length=2000,
        help_text="H3: the provider's other restrictions; readers confirm it before the content.",
    )


class EvaluationSerializer(_JSONInForm, serializers.Serializer):
    source_reliability = serializers.ChoiceField(
        choices=SourceReliability.choices, allow_blank=True, default=""
    )
    information_accuracy = serializers.ChoiceField(
        choices=InformationAccuracy.choices, allow_blank=True, default=""
    )


class EntityInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EntityKind.choices)
    attributes = serializers.DictField(
        child=serializers.JSONField(),
        help_text=(
            "person: names, aliases (list), date_of_birth (YYYY-MM-DD, not in the future), "
            "nationality, documents (list of {type, number, issuing_country}); vehicle: plate, "
            "vin (17 characters, ISO 3779), make, model, colour; document: type, number, "
            "issuing_country; phone: number (international format, +40 721 000 000); company: "
            "name, registration_number, country; bank_account: iban (check digits verified), "
            "number, bank, holder. Countries are ISO 3166 alpha-2 codes (RO). Any other "
            "attribute is refused."
        ),
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        # Each attribute by its standard, and none the kind does not have (the service asks
        # again): the errors keyed by attribute, {"attributes": {"nationality": [...]}}.
        errors = entity_errors(data["kind"], data["attributes"])
        if errors:
            raise serializers.ValidationError({"attributes": errors})
        return data


class EntitiesField(_JSONInForm, serializers.ListField):
    """A list of entities: JSON, or a JSON string in a multipart body."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=EntityInputSerializer(), max_length=300, **kwargs)


def _message(data: dict[str, Any], restrictions: Restrictions) -> Message:
    evaluation = data.get("evaluation") or {}
    return Message(
        subject=data["subject"],
        body=data["body"],
        restrictions=restrictions,
        personal_data=data["personal_data"],
        evaluation=Evaluation(
            source_reliability=evaluation.get("source_reliability", ""),
            information_accuracy=evaluation.get("information_accuracy", ""),
        ),
        entities=[EntityInput(e["kind"], dict(e["attributes"])) for e in data["entities"]],
        attachments=[
            AttachmentInput(
                filename=upload.name,
                content_type=upload.content_type or "",
                content=upload.read(),
            )
            for upload in data["attachments"]
        ],
    )


class MessageInputSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=300)
    body = serializers.CharField(max_length=100_000)
    restrictions = RestrictionsSerializer(required=False)
    personal_data = serializers.BooleanField(default=False)
    evaluation = EvaluationSerializer(required=False)
    entities = EntitiesField(required=False, default=list)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20
    )

    def chosen_restrictions(self) -> Restrictions:
        given = self.validated_data.get("restrictions") or {}
        return Restrictions(
            evidence=given.get("evidence", False),
            dissemination=given.get("dissemination", False),
            text=given.get("text", "").strip(),
        )

    def message(self) -> Message:
        return _message(self.validated_data, self.chosen_restrictions())


class ExchangeCreateSerializer(MessageInputSerializer):
    kind = serializers.ChoiceField(
        choices=[
            (k.value, k.label)
            for k in (
                ExchangeKind.REQUEST,
                ExchangeKind.INFORMATION,
                ExchangeKind.WARNING,
                ExchangeKind.FEEDBACK,
                ExchangeKind.SEIZURE,
            )
        ],
        help_text="warning, feedback and seizure: the messages of a regional operation (with "
        "`case`).",
    )
    case = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=24,
        help_text="Reference of an open case your country takes part in (SELEC-RO-2026-0001).",
    )
    recipients = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=200,
        help_text="Ids of the recipient agencies (see agencies/).",
    )
    crime_area = serializers.SlugRelatedField(slug_field="code", queryset=CrimeArea.objects.all())
    task_force = serializers.SlugRelatedField(
        slug_field="code", queryset=TaskForce.objects.all(), required=False, allow_null=True
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.ROUTINE)


class ReplyInputSerializer(MessageInputSerializer):
    """A reply: its restrictions are added on top of those it inherits from its parent."""


class ForwardSerializer(serializers.Serializer):
    agencies = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=200
    )
    justification = serializers.CharField(max_length=300, allow_blank=True, default="")


class RestrictionsPatchSerializer(serializers.Serializer):
    """The fields given replace the current ones; those left out stay as they are."""

    evidence = serializers.BooleanField(required=False)
    dissemination = serializers.BooleanField(required=False)
    text = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def restrictions(self, exchange: Exchange) -> Restrictions:
        data = self.validated_data
        return Restrictions(
            evidence=data.get("evidence", exchange.restrict_evidence),
            dissemination=data.get("dissemination", exchange.restrict_dissemination),
            text=data.get("text", exchange.restriction_text).strip(),
        )


class DisseminationRequestCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=DisseminationKind.choices,
        help_text="share: lift H2 for the named agencies; evidence: lift H1 for your agency.",
    )
    target_agencies = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=200,
    )
    intended_use = serializers.CharField(max_length=300)
    justification = serializers.CharField(max_length=5000)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("grant", "Grant"), ("refuse", "Refuse")])
    note = serializers.CharField(max_length=1000, allow_blank=True, default="")


class EvidenceRequestSerializer(serializers.Serializer):
    justification = serializers.CharField(max_length=300)


class ListParamsSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=200, default=PAGE_SIZE)


def api_parsed(serializer_class: type[serializers.Serializer], request: Request) -> Any:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer
