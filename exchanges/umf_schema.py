"""The JSON Schema of SELEC's UMF-aligned exchanges: the message (``exchanges.umf_messages``)
and its entities (``exchanges.umf``), built from the same tables as the conversions, so that
the schema, the conversions and the docs cannot disagree.

Two renderings of one description: ``umf_json_schema`` is a JSON Schema draft 2020-12 document
(served at GET /api/v1/umf/schema/), and ``openapi_message_schema`` the same message inline in
the OpenAPI 3.0 dialect of the API's own schema (``nullable`` rather than a list of types),
where it describes a send's and a reply's body in ``application/vnd.selec.umf+json`` and the
answer of GET .../umf/.

The schema states the form (types, lengths, the attributes each entity has, nothing else); the
values' rules (a country code, a valid IBAN...) are the entity rules', said in each
attribute's description and answered with their own messages.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.plumbing import build_choice_field
from rest_framework import serializers

from exchanges.entity_descriptions import MAX_ENTITIES, attribute_description
from exchanges.entity_rules import MAX_ALIASES, MAX_DOCUMENTS, MAX_TEXT
from exchanges.entity_schema import PERSON, Attribute, AttributeType
from exchanges.models import (
    SENT_KINDS,
    ExchangeKind,
    InformationAccuracy,
    Priority,
    SourceReliability,
)
from exchanges.umf import (
    ENTITY_TYPE,
    FAMILY_NAME,
    GIVEN_NAME,
    UMF_ENTITIES,
    UMF_OF_KIND,
    VERSION,
    UmfEntity,
)
from exchanges.umf_messages import (
    AGENCY_ID,
    AGENCY_NAME,
    ENTITIES,
    EVALUATION,
    HANDLING,
    HANDLING_CODES,
    HANDLING_TEXT,
    PARTY,
    RECIPIENTS,
    REPLY,
    SEND,
    SENDER,
    UMF_VERSION,
)
from selec.core.restriction_fields import MAX_TEXT as MAX_RESTRICTION_TEXT

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_FULL_NAME = UMF_OF_KIND[PERSON.kind].attributes["names"]


class _Dialect:
    """JSON Schema 2020-12, or OpenAPI 3.0's variant of it."""

    def __init__(self, *, openapi: bool) -> None:
        self.openapi = openapi

    def nullable(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.openapi:
            return {**schema, "nullable": True}
        return {**schema, "type": [schema["type"], "null"]}

    def read_only(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A member set by SELEC, ignored on the way in. Not marked in OpenAPI, whose
        request components would drop it: there it is described as ignored instead."""
        return schema if self.openapi else {**schema, "readOnly": True}

    def choice(self, choices: list[tuple[str, Any]], *, blank: bool = False) -> dict[str, Any]:
        """One of the values of a set of choices. In OpenAPI as a serializer's choice field
        is, so that the API's schema names the set once (``PriorityEnum``) wherever used."""
        if self.openapi:
            field = serializers.ChoiceField(choices=choices, allow_blank=blank)
            schema: dict[str, Any] = build_choice_field(field)
            return schema
        return {"type": "string", "enum": [*([""] if blank else []), *dict(choices)]}


def _text(description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "maxLength": MAX_TEXT}
    if description:
        schema["description"] = description
    return schema


def _attribute(dialect: _Dialect, attribute: Attribute, parts: dict[str, Any] | None) -> Any:
    described = {"description": str(attribute_description(attribute))}
    if attribute.type is AttributeType.TEXTS:
        return dialect.nullable(
            {"type": "array", "items": _text(), "maxItems": MAX_ALIASES, **described}
        )
    if attribute.type is AttributeType.DOCUMENTS:
        assert parts is not None  # a list of documents is described with its parts
        return dialect.nullable(
            {"type": "array", "items": parts, "maxItems": MAX_DOCUMENTS, **described}
        )
    return dialect.nullable({**_text(), **described})


def _document(dialect: _Dialect, umf: UmfEntity, attribute: Attribute) -> dict[str, Any]:
    """Each document of a person's list: an object of the document's attributes."""
    return {
        "type": "object",
        "properties": {
            umf.parts[part.name]: _attribute(dialect, part, None) for part in attribute.parts
        },
        "additionalProperties": False,
    }


def _entity(dialect: _Dialect, umf: UmfEntity, document: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        ENTITY_TYPE: {"type": "string", "enum": [umf.name]},
    }
    for attribute in umf.schema.attributes:
        parts = document if attribute.type is AttributeType.DOCUMENTS else None
        properties[umf.attributes[attribute.name]] = _attribute(dialect, attribute, parts)
    entity: dict[str, Any] = {
        "type": "object",
        "description": f"SELEC's {umf.schema.noun}, as UMF's {umf.name}.",
        "properties": properties,
        "required": [ENTITY_TYPE],
        "additionalProperties": False,
    }
    if umf.schema is PERSON:
        # A name whole, or in parts joined given name first; never both.
        for part in (GIVEN_NAME, FAMILY_NAME):
            properties[part] = dialect.nullable(
                _text(f"On the way in only, instead of {_FULL_NAME}: joined into it.")
            )
        entity["not"] = {
            "anyOf": [{"required": [_FULL_NAME, part]} for part in (GIVEN_NAME, FAMILY_NAME)]
        }
    return entity


def _definitions(dialect: _Dialect) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each entity ({"Person": ...}), and its documents' object where it has a list of them:
    as definitions of their own in JSON Schema, inline in OpenAPI."""
    definitions: dict[str, Any] = {}
    entities: dict[str, Any] = {}
    for umf in UMF_ENTITIES:
        document = None
        for attribute in umf.schema.attributes:
            if attribute.type is AttributeType.DOCUMENTS:
                definitions[f"{umf.name}Document"] = _document(dialect, umf, attribute)
                document = (
                    definitions[f"{umf.name}Document"]
                    if dialect.openapi
                    else {"$ref": f"#/$defs/{umf.name}Document"}
                )
        entities[umf.name] = _entity(dialect, umf, document)
    return definitions, entities


# --- Messages -------------------------------------------------------------------------------

OUT = "out"  # the export: every member, always present
_MAX_RECIPIENTS = 200
_MAX_SUBJECT = 300
_MAX_BODY = 100_000


def _agency(dialect: _Dialect, *, read_only: bool) -> dict[str, Any]:
    """An agency: its id, name and party; only a recipient's id is read on the way in."""
    id_schema: dict[str, Any] = {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**31 - 1,
        "description": "The agency's id (see agencies/).",
    }
    named = dialect.read_only({"type": "string"})
    if read_only:
        id_schema = dialect.read_only(id_schema)
    return {
        "type": "object",
        "properties": {
            AGENCY_ID: id_schema,
            AGENCY_NAME: {**named, "description": "Shown; ignored on the way in."},
            PARTY: {
                **named,
                "description": "The agency's party (RO). Shown; ignored on the way in.",
            },
        },
        "required": [AGENCY_ID, AGENCY_NAME, PARTY] if read_only else [AGENCY_ID],
        "additionalProperties": False,
    }


def _evaluation(dialect: _Dialect) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "sourceReliability": dialect.choice(SourceReliability.choices, blank=True),
            "informationAccuracy": dialect.choice(InformationAccuracy.choices, blank=True),
        },
        "additionalProperties": False,
        "description": "The 4x4 evaluation: the source's reliability (A, B, C, X) and the "
        "information's accuracy (1 to 4); empty: not evaluated.",
    }


def _message(
    dialect: _Dialect, form: str, entity: dict[str, Any], *, kinds: list[tuple[str, Any]]
) -> dict[str, Any]:
    """A message: the export and a send (``SEND``, the members SELEC sets marked read-only and
    the case write-only), a reply (``REPLY``: none of the members its parent decides), or the
    export alone (``OUT``: every member required, nothing write-only)."""
    text = {"type": "string"}
    ignored = " Set by SELEC; ignored on the way in."
    properties: dict[str, Any] = {
        UMF_VERSION: {"type": "string", "enum": [VERSION]},
        "reference": dialect.read_only(
            {**text, "description": "The exchange's reference." + ignored}
        ),
        "inReplyTo": dialect.read_only(
            dialect.nullable(
                {
                    **text,
                    "description": "The reference of the exchange it answers, when you may "
                    "see that one (a reply is sent to .../replies/)." + ignored,
                }
            )
        ),
        SENDER: dialect.read_only(_agency(dialect, read_only=True)),
        "sentAt": dialect.read_only({**text, "format": "date-time", "description": ignored[1:]}),
        "dueAt": dialect.read_only({**text, "format": "date-time", "description": ignored[1:]}),
    }
    if form != REPLY:
        properties |= {
            "messageType": {
                **(dialect.choice(kinds) if kinds else {"type": "string"}),
                "description": "SELEC's kind of exchange: request, information, reply, warning, "
                "feedback or seizure (a reply is sent to .../replies/).",
            },
            RECIPIENTS: {
                "type": "array",
                "items": _agency(dialect, read_only=False),
                "minItems": 1,
                "maxItems": _MAX_RECIPIENTS,
            },
            "crimeArea": {**text, "minLength": 1, "description": "Its code (see crime-areas/)."},
            "taskForce": dialect.nullable({**text, "description": "Its code (see task-forces/)."}),
            "priority": dialect.choice(Priority.choices),
        }
    if form == SEND:
        properties["caseReference"] = dialect.nullable(
            {
                **text,
                "maxLength": 24,
                "writeOnly": True,
                "description": "The reference of an open case your country takes part in "
                "(see cases/).",
            }
        )
    properties |= {
        HANDLING_CODES: {
            "type": "array",
            "items": {"type": "string", "enum": list(HANDLING)},
            "uniqueItems": True,
            "description": "H0 alone (no restriction), or any of H1 (not for judicial "
            "proceedings without the provider's permission), H2 (not to be disseminated "
            "without it) and H3 (the text every reader confirms). A reply keeps its parent's "
            "codes whatever it gives.",
        },
        HANDLING_TEXT: {
            **text,
            "maxLength": MAX_RESTRICTION_TEXT,
            "description": "The H3 restriction: given with H3, and only with it.",
        },
        "personalData": {"type": "boolean"},
        EVALUATION: _evaluation(dialect),
        "subject": {**text, "minLength": 1, "maxLength": _MAX_SUBJECT},
        "body": {**text, "minLength": 1, "maxLength": _MAX_BODY},
        ENTITIES: {"type": "array", "items": entity, "maxItems": MAX_ENTITIES},
    }
    if form == OUT:
        required = list(properties)
    elif form == SEND:
        required = [UMF_VERSION, "messageType", RECIPIENTS, "crimeArea", "subject", "body"]
    else:
        required = [UMF_VERSION, "subject", "body"]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def umf_json_schema(schema_id: str) -> dict[str, Any]:
    """The UMF message (an exchange, as GET .../umf/ answers it and a send takes it) as a JSON
    Schema draft 2020-12; a reply's body (``#/$defs/Reply``) and each entity
    (``#/$defs/Person``...) are definitions of their own."""
    dialect = _Dialect(openapi=False)
    definitions, entities = _definitions(dialect)
    definitions |= entities
    definitions["Entity"] = {"oneOf": [{"$ref": f"#/$defs/{name}"} for name in entities]}
    entity = {"$ref": "#/$defs/Entity"}
    definitions["Message"] = _message(dialect, SEND, entity, kinds=ExchangeKind.choices)
    definitions["Reply"] = _message(dialect, REPLY, entity, kinds=[])
    return {
        "$schema": DRAFT_2020_12,
        "$id": schema_id,
        "title": "SELEC exchanges in UMF 3 JSON",
        "description": "An exchange as a message named after the EU's Universal Message Format "
        "(UMF 3): GET /api/v1/exchanges/{reference}/umf/ answers such a message, and a send in "
        "application/vnd.selec.umf+json is one (a reply: #/$defs/Reply). Members marked "
        "readOnly are set by SELEC and ignored on the way in; members and attributes not "
        "described here are refused by name, each error keyed by its JSON pointer.",
        "$ref": "#/$defs/Message",
        "$defs": definitions,
    }


def openapi_entity_schema() -> dict[str, Any]:
    """One UMF entity, inline, in the OpenAPI 3.0 dialect: one object per entity type."""
    _, entities = _definitions(_Dialect(openapi=True))
    return {"oneOf": list(entities.values())}


def openapi_message_schema(form: str) -> dict[str, Any]:
    """A UMF message in the OpenAPI 3.0 dialect: a send's body (``SEND``), a reply's
    (``REPLY``), or the export (``OUT``)."""
    # The export's kinds as text: the set of every kind would be one more enum in the API's
    # schema under a name another set already has.
    kinds = SENT_KINDS if form == SEND else []
    return _message(_Dialect(openapi=True), form, openapi_entity_schema(), kinds=kinds)
