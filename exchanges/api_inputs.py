"""The exchanges API's input serializers: they parse a request body into the services' inputs
(``Message``, ``Restrictions``, entities, attachments). They check shapes only, and each
entity's attributes by the entity rules the forms and services share; who may do what is
decided by the services the views call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from drf_spectacular.serializers import PolymorphicProxySerializerExtension
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request

from exchanges.entity_descriptions import MAX_ENTITIES, attribute_description
from exchanges.entity_rules import MAX_ALIASES, MAX_DOCUMENTS, MAX_TEXT, entity_errors
from exchanges.entity_schema import ENTITY_SCHEMAS, Attribute, AttributeType
from exchanges.models import (
    SENT_KINDS,
    DisseminationKind,
    EntityKind,
    InformationAccuracy,
    Priority,
    SourceReliability,
)
from exchanges.models_purposes import PURPOSE_MAX_LENGTH
from exchanges.services.inputs import EntityInput, Message, message_of
from selec.core.api_fields import FlagField, OptionalCodeField, TextField
from selec.core.api_parsers import json_loads
from selec.core.policy_values import Restrictions
from selec.core.restriction_fields import UNRESTRICTED, RestrictionsSerializer
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
                # Translators: %(error)s is the JSON parser's own (English) account of the error.
                raise serializers.ValidationError(
                    _("Not valid JSON: %(error)s") % {"error": exc}
                ) from exc
        return super().to_internal_value(data)


class EvaluationSerializer(_JSONInForm, serializers.Serializer):
    source_reliability = serializers.ChoiceField(
        choices=SourceReliability.choices, allow_blank=True, default=""
    )
    information_accuracy = serializers.ChoiceField(
        choices=InformationAccuracy.choices, allow_blank=True, default=""
    )


# --- Entities: one object per kind, from the entity schema --------------------------------
# What each attribute holds is described by ``exchanges.entity_descriptions``; the rules
# themselves are ``exchanges.entity_rules``.


def _serializer(name: str, fields: dict[str, serializers.Field]) -> type[serializers.Serializer]:
    serializer: type[serializers.Serializer] = type(
        f"{name}Serializer", (serializers.Serializer,), {"__module__": __name__, **fields}
    )
    return serializer


def _attribute_field(attribute: Attribute) -> serializers.Field:
    # Every attribute may be left out or null (it then says nothing), a text left blank.
    described: dict[str, Any] = {
        "required": False,
        "allow_null": True,
        "help_text": attribute_description(attribute),
    }
    if attribute.type is AttributeType.TEXTS:
        text = TextField(max_length=MAX_TEXT, allow_blank=True)
        return serializers.ListField(child=text, max_length=MAX_ALIASES, **described)
    if attribute.type is AttributeType.DOCUMENTS:
        document = _serializer("IdentityDocument", _attribute_fields(attribute.parts))
        return serializers.ListField(child=document(), max_length=MAX_DOCUMENTS, **described)
    return TextField(max_length=MAX_TEXT, allow_blank=True, **described)


def _attribute_fields(attributes: tuple[Attribute, ...]) -> dict[str, serializers.Field]:
    return {attribute.name: _attribute_field(attribute) for attribute in attributes}


def _camel(kind: str) -> str:
    return "".join(word.capitalize() for word in kind.split("_"))


# Each kind's entity as an object of its own ("PersonEntity", its attributes "PersonAttributes"),
# for the request bodies and the answers alike (one name per kind in the API's schema).
ENTITY_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    schema.kind: _serializer(
        f"{_camel(schema.kind)}Entity",
        {
            "kind": serializers.ChoiceField(choices=[(schema.kind, schema.noun)]),
            "attributes": _serializer(
                f"{_camel(schema.kind)}Attributes", _attribute_fields(schema.attributes)
            )(),
        },
    )
    for schema in ENTITY_SCHEMAS
}


def entity_kinds(name: str) -> PolymorphicProxySerializer:
    """The description of an entity named ``name``: one of the objects of each kind, told apart
    by ``kind``."""
    return PolymorphicProxySerializer(
        component_name=name, serializers=dict(ENTITY_SERIALIZERS), resource_type_field_name="kind"
    )


class EntityInputSerializer(serializers.Serializer):
    """An entity: its kind, and the attributes the entity schema declares for the kind. Each
    attribute is checked by the entity rules, which say what is wrong with it by name; the
    API's schema describes it one object per kind (``EntityKindsDescription``)."""

    kind = serializers.ChoiceField(choices=EntityKind.choices)
    # A null attribute says nothing, as the entity rules read it (``entity_errors``).
    attributes = serializers.DictField(child=serializers.JSONField(allow_null=True))

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        # Each attribute by its standard, and none the kind does not have (the service asks
        # again): the errors keyed by attribute, {"attributes": {"nationality": [...]}}.
        errors = entity_errors(data["kind"], data["attributes"])
        if errors:
            raise serializers.ValidationError({"attributes": errors})
        return data


class EntityKindsDescription(PolymorphicProxySerializerExtension):
    """Describes an entity serializer in the API's schema as one object per kind, wherever it
    is used (a field, a list's items). The serializer itself takes any object of attributes,
    so that the entity rules answer with their own messages."""

    target_class = "exchanges.api_inputs.EntityInputSerializer"
    component = "EntityInput"

    def __init__(self, target: serializers.Serializer) -> None:
        super().__init__(entity_kinds(self.component))


class EntitiesField(_JSONInForm, serializers.ListField):
    """A list of entities: JSON, or a JSON string in a multipart body."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=EntityInputSerializer(), max_length=MAX_ENTITIES, **kwargs)


def _message(data: dict[str, Any], restrictions: Restrictions) -> Message:
    evaluation = data.get("evaluation") or {}
    return message_of(
        subject=data["subject"],
        body=data["body"],
        restrictions=restrictions,
        personal_data=data["personal_data"],
        source_reliability=evaluation.get("source_reliability", ""),
        information_accuracy=evaluation.get("information_accuracy", ""),
        entities=[EntityInput(e["kind"], dict(e["attributes"])) for e in data["entities"]],
        uploads=data["attachments"],
    )


class MessageInputSerializer(serializers.Serializer):
    subject = TextField(max_length=300)
    body = TextField(max_length=100_000)
    restrictions = RestrictionsSerializer(default=UNRESTRICTED)
    personal_data = FlagField(default=False)
    evaluation = EvaluationSerializer(required=False)
    entities = EntitiesField(required=False, default=list)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20
    )

    def chosen_restrictions(self) -> Restrictions:
        chosen: Restrictions = self.validated_data["restrictions"]
        return chosen

    def message(self) -> Message:
        return _message(self.validated_data, self.chosen_restrictions())


_CASE_HELP = "Reference of an open case your country takes part in (SELEC-RO-2026-0001)."
_TASK_FORCE_HELP = "Code of the task force (see task-forces/)."


class ExchangeCreateSerializer(MessageInputSerializer):
    """A send, as the body of every media type is parsed: an optional case or task force left
    out, null or empty is none."""

    kind = serializers.ChoiceField(
        choices=SENT_KINDS,
        help_text="warning, feedback and seizure: the messages of a regional operation (with "
        "`case`).",
    )
    case = TextField(
        required=False, allow_null=True, allow_blank=True, max_length=24, help_text=_CASE_HELP
    )
    recipients = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=200,
        help_text="Ids of the recipient agencies (see agencies/).",
    )
    crime_area = serializers.SlugRelatedField(slug_field="code", queryset=CrimeArea.objects.all())
    task_force = OptionalCodeField(
        queryset=TaskForce.objects.all(),
        help_text=f"{_TASK_FORCE_HELP} Left out, null or empty: none.",
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.ROUTINE)


# The multipart/form-data body, for the schema (parsed as ExchangeCreateSerializer): a form has
# no null, so its schema offers none; an optional code left out or empty is none. Named as the
# component of that body always was.
@extend_schema_serializer(component_name="ExchangeCreate")
class ExchangeCreateFormSerializer(ExchangeCreateSerializer):
    """A send as multipart/form-data, with its attachments."""

    case = TextField(required=False, allow_blank=True, max_length=24, help_text=_CASE_HELP)
    task_force = OptionalCodeField(
        queryset=TaskForce.objects.all(),
        nullable=False,
        help_text=f"{_TASK_FORCE_HELP} Left out or empty: none.",
    )


class ReplyInputSerializer(MessageInputSerializer):
    """A reply: its restrictions are added on top of those it inherits from its parent."""


# The same bodies as JSON, for the schema: files come only with multipart/form-data (a JSON
# body's "attachments" are refused as not files).
class ExchangeCreateJsonSerializer(ExchangeCreateSerializer):
    """A send as JSON (attachments: send multipart/form-data)."""

    # DRF removes a declared field set to None in a subclass; the stubs cannot say so.
    attachments = None  # type: ignore[assignment]


class ReplyJsonSerializer(ReplyInputSerializer):
    """A reply as JSON (attachments: send multipart/form-data). Its restrictions are added on
    top of those it inherits from its parent."""

    # DRF removes a declared field set to None in a subclass; the stubs cannot say so.
    attachments = None  # type: ignore[assignment]


class ForwardSerializer(serializers.Serializer):
    agencies = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=200
    )
    justification = TextField(
        max_length=300,
        help_text="Why these agencies need the exchange: kept, encrypted, with the forward's "
        "audit event.",
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
    intended_use = TextField(max_length=300)
    justification = TextField(max_length=5000)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("grant", "Grant"), ("refuse", "Refuse")])
    note = TextField(max_length=1000, allow_blank=True, default="")


class EvidenceRequestSerializer(serializers.Serializer):
    justification = TextField(max_length=300)


class PurposeInputSerializer(serializers.Serializer):
    purpose = TextField(
        max_length=PURPOSE_MAX_LENGTH,
        help_text="Why you open the thread (a case, an inquiry, a request): asked once per "
        "thread, kept encrypted, and carried by your first consultation's audit event.",
    )


def api_parsed(serializer_class: type[serializers.Serializer], request: Request) -> Any:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer
