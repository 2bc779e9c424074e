"""The entity schema: each kind's attributes declared once, and read as declared by the rules,
the forms and the API's description (the blind index: ``tests/hits/test_blind_index.py``)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from exchanges.entity_rules import entity_errors, known_attributes
from exchanges.entity_schema import (
    DOCUMENT,
    ENTITY_SCHEMAS,
    PERSON,
    PERSON_NAMES,
    SCHEMA_OF,
    VEHICLE_PLATE,
    Asked,
    Attribute,
    AttributeType,
    EntitySchema,
)
from exchanges.forms_entities import ENTITY_FORMS
from exchanges.models import EntityKind
from partners.models import Officer

KINDS = pytest.mark.parametrize("schema", ENTITY_SCHEMAS, ids=lambda schema: schema.kind)


# --- The declarations -------------------------------------------------------------------------


def test_every_kind_of_entity_is_declared_once_in_the_order_the_pages_show_them() -> None:
    assert [schema.kind for schema in ENTITY_SCHEMAS] == list(EntityKind.values)
    assert list(SCHEMA_OF) == list(EntityKind.values)


def test_the_declarations_cannot_be_changed_once_made() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PERSON_NAMES.identifying = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        PERSON.attributes = ()  # type: ignore[misc]
    assert isinstance(PERSON.attributes, tuple)


def test_only_a_list_of_documents_has_parts_and_it_must() -> None:
    with pytest.raises(ValueError, match="parts"):
        Attribute("names", _("Names"), AttributeType.TEXT, parts=DOCUMENT.attributes)
    with pytest.raises(ValueError, match="parts"):
        Attribute("documents", _("Documents"), AttributeType.DOCUMENTS)


def test_a_kind_that_asks_for_alternatives_says_so_and_has_what_it_asks_for() -> None:
    with pytest.raises(ValueError, match="message"):
        Asked((VEHICLE_PLATE, PERSON_NAMES))
    with pytest.raises(ValueError, match="message"):
        Asked(())
    with pytest.raises(ValueError, match="does not have"):
        EntitySchema("vehicle", (VEHICLE_PLATE,), Asked((PERSON_NAMES,)))
    with pytest.raises(ValueError, match="twice"):
        EntitySchema("person", (PERSON_NAMES, PERSON_NAMES), Asked((PERSON_NAMES,)))


def test_a_kind_is_named_in_messages_as_a_noun() -> None:
    assert (PERSON.noun, SCHEMA_OF["bank_account"].noun) == ("person", "bank account")


# --- The rules and the forms read it ----------------------------------------------------------


@KINDS
def test_the_rules_know_the_declared_attributes_of_each_kind(schema: EntitySchema) -> None:
    assert known_attributes(schema.kind) == schema.names


def _form_fields(schema: EntitySchema) -> list[tuple[str, str]]:
    """(field name, label) as the schema says the page shows them."""
    fields = []
    for attribute in schema.attributes:
        if attribute.type is AttributeType.DOCUMENTS:
            fields += [(f"document_{part.name}", str(part.label)) for part in attribute.parts]
        else:
            fields.append((attribute.name, str(attribute.label)))
    return fields


def test_each_kind_s_form_has_the_declared_fields_and_labels() -> None:
    assert [form.kind.value for form, _title, _add in ENTITY_FORMS] == list(SCHEMA_OF)
    for form, _title, _add in ENTITY_FORMS:
        fields = form().fields
        assert form.schema is SCHEMA_OF[form.kind.value]
        assert [(name, str(f.label)) for name, f in fields.items()] == _form_fields(form.schema)


def test_the_form_asks_for_what_the_schema_asks() -> None:
    for form, _title, _add in ENTITY_FORMS:
        asked = form.schema.asked
        required = {name for name, field in form().fields.items() if field.required}
        alone = {asked.attributes[0].name} if len(asked.attributes) == 1 else set()
        assert required == alone, form.kind
        if len(asked.attributes) > 1:
            refused = form({}, prefix="row")
            assert not refused.is_valid()
            assert refused.errors[asked.attributes[0].name] == [str(asked.missing)]


# --- The API's description --------------------------------------------------------------------


@pytest.fixture(scope="module")
def components(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema["components"]["schemas"]


def _camel(kind: str) -> str:
    return "".join(word.capitalize() for word in kind.split("_"))


@pytest.mark.parametrize(("entity", "suffix"), [("EntityInputRequest", "Request"), ("Entity", "")])
def test_the_api_describes_an_entity_as_one_object_per_kind_told_apart_by_kind(
    components: dict[str, Any], entity: str, suffix: str
) -> None:
    described = components[entity]
    mapping = {kind: f"#/components/schemas/{_camel(kind)}Entity{suffix}" for kind in SCHEMA_OF}
    assert described["discriminator"] == {"propertyName": "kind", "mapping": mapping}
    assert described["oneOf"] == [{"$ref": ref} for ref in mapping.values()]
    for kind in SCHEMA_OF:
        of_kind = components[f"{_camel(kind)}Entity{suffix}"]
        assert set(of_kind["properties"]) == {"kind", "attributes"}
        enum = of_kind["properties"]["kind"]["$ref"].rsplit("/", 1)[1]
        assert components[enum]["enum"] == [kind]


_OPENAPI_TYPE = {AttributeType.TEXTS: "array", AttributeType.DOCUMENTS: "array"}


@KINDS
def test_the_api_describes_each_kind_s_declared_attributes_and_their_types(
    components: dict[str, Any], schema: EntitySchema
) -> None:
    for suffix in ("Request", ""):
        attributes = components[f"{_camel(schema.kind)}Attributes{suffix}"]["properties"]
        assert list(attributes) == list(schema.names)
        for attribute in schema.attributes:
            described = attributes[attribute.name]
            assert described["type"] == _OPENAPI_TYPE.get(attribute.type, "string")
            assert described["nullable"] is True
            assert described["description"].startswith(f"{attribute.label}. ")
            assert ("Matched by hit/no-hit" in described["description"]) is attribute.identifying


def test_the_api_describes_a_person_s_documents_with_the_document_s_attributes(
    components: dict[str, Any],
) -> None:
    documents = components["PersonAttributes"]["properties"]["documents"]
    assert documents["items"] == {"$ref": "#/components/schemas/IdentityDocument"}
    assert list(components["IdentityDocument"]["properties"]) == list(DOCUMENT.names)


# --- The API's answers stay the rules' --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("attributes", "errors"),
    [
        ({"names": 5}, {"names": ["must be text, not a number."]}),
        ({"names": "Ion Popa", "nationality": "XX"}, None),
        ({"names": "Ion Popa", "shoe_size": "44"}, None),
    ],
)
def test_the_api_answers_with_the_rules_messages_not_a_serializer_s(
    lo_ro: Officer, attributes: dict[str, Any], errors: dict[str, list[str]] | None
) -> None:
    cache.clear()  # no throttling carried over from another test
    client = APIClient()
    client.force_authenticate(user=lo_ro)
    response = client.post(
        "/api/v1/hits/search/",
        {
            "justification": "Operation Danube",
            "entity": {"kind": "person", "attributes": attributes},
        },
        format="json",
    )

    assert response.status_code == 400
    expected = errors if errors is not None else entity_errors("person", attributes)
    assert response.json() == {"errors": {"entity": {"attributes": expected}}}
