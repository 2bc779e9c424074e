"""The JSON Schema of SELEC's UMF-aligned entities (``exchanges.umf``), built from the same
table as the conversions, so that the schema, the conversions and the docs cannot disagree.

Two renderings of one description: ``umf_json_schema`` is a JSON Schema draft 2020-12 document
(served at GET /api/v1/umf/schema/), and ``openapi_entities_schema`` the same entities inline
in the OpenAPI 3.0 dialect of the API's own schema (``nullable`` rather than a list of types),
where it describes the ``entities`` of a send in ``application/vnd.selec.umf+json``.

The schema states the form (types, lengths, the attributes each entity has, nothing else); the
values' rules (a country code, a valid IBAN...) are the entity rules', said in each
attribute's description and answered with their own messages.
"""

from __future__ import annotations

from typing import Any

from exchanges.entity_descriptions import MAX_ENTITIES, attribute_description
from exchanges.entity_rules import MAX_ALIASES, MAX_DOCUMENTS, MAX_TEXT
from exchanges.entity_schema import PERSON, Attribute, AttributeType
from exchanges.umf import (
    ENTITY_TYPE,
    FAMILY_NAME,
    GIVEN_NAME,
    UMF_ENTITIES,
    UMF_OF_KIND,
    VERSION,
    UmfEntity,
)

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


def umf_json_schema(schema_id: str) -> dict[str, Any]:
    """The UMF document (``{"umfVersion", "reference", "entities"}``) as a JSON Schema draft
    2020-12, each entity a definition of its own (``#/$defs/Person``...)."""
    dialect = _Dialect(openapi=False)
    definitions: dict[str, Any] = {}
    for umf in UMF_ENTITIES:
        document = None
        for attribute in umf.schema.attributes:
            if attribute.type is AttributeType.DOCUMENTS:
                definitions[f"{umf.name}Document"] = _document(dialect, umf, attribute)
                document = {"$ref": f"#/$defs/{umf.name}Document"}
        definitions[umf.name] = _entity(dialect, umf, document)
    definitions["Entity"] = {"oneOf": [{"$ref": f"#/$defs/{umf.name}"} for umf in UMF_ENTITIES]}
    return {
        "$schema": DRAFT_2020_12,
        "$id": schema_id,
        "title": "SELEC entities in UMF 3 JSON",
        "description": "Entities named as the EU's Universal Message Format (UMF 3) names them. "
        "An exchange's entities (GET /api/v1/exchanges/{reference}/umf/) are such a document; "
        "a send or a reply in application/vnd.selec.umf+json carries such entities in its "
        "`entities`. Attributes not described here are refused by name.",
        "type": "object",
        "properties": {
            "umfVersion": {"type": "string", "enum": [VERSION]},
            "reference": {"type": "string", "description": "The exchange's reference."},
            "entities": {
                "type": "array",
                "items": {"$ref": "#/$defs/Entity"},
                "maxItems": MAX_ENTITIES,
            },
        },
        "required": ["entities"],
        "additionalProperties": False,
        "$defs": definitions,
    }


def openapi_entity_schema() -> dict[str, Any]:
    """One UMF entity, inline, in the OpenAPI 3.0 dialect: one object per entity type."""
    dialect = _Dialect(openapi=True)
    entities = []
    for umf in UMF_ENTITIES:
        document = None
        for attribute in umf.schema.attributes:
            if attribute.type is AttributeType.DOCUMENTS:
                document = _document(dialect, umf, attribute)
        entities.append(_entity(dialect, umf, document))
    return {"oneOf": entities}


def openapi_entities_schema() -> dict[str, Any]:
    """The ``entities`` of a send in UMF, in the OpenAPI 3.0 dialect."""
    return {
        "type": "array",
        "items": openapi_entity_schema(),
        "maxItems": MAX_ENTITIES,
        "description": "The entities in UMF 3 JSON (see GET /api/v1/umf/schema/); attributes "
        "not described are refused by name.",
    }


def openapi_document_schema() -> dict[str, Any]:
    """An exchange's entities as a UMF document, in the OpenAPI 3.0 dialect."""
    return {
        "type": "object",
        "properties": {
            "umfVersion": {"type": "string", "enum": [VERSION]},
            "reference": {"type": "string"},
            "entities": {"type": "array", "items": openapi_entity_schema()},
        },
        "required": ["umfVersion", "reference", "entities"],
    }
