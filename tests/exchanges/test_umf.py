"""Entities in UMF 3 JSON: every attribute of the entity schema has its UMF name, our entity ->
UMF -> our entity is the identity, the served JSON Schema describes what the export gives, a
UMF message sent in application/vnd.selec.umf+json is refused by name (and JSON pointer) for
what SELEC does not know, and a UMF person written in Cyrillic meets our Latin entry in a hit.
Whole exchanges as UMF messages are in test_umf_messages.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from exchanges.entity_rules import MAX_ALIASES, MAX_DOCUMENTS, MAX_TEXT, entity_errors
from exchanges.entity_schema import ENTITY_SCHEMAS, Attribute, AttributeType, EntitySchema
from exchanges.models import Entity, Exchange
from exchanges.umf import (
    MEDIA_TYPE,
    UMF_ENTITIES,
    UMF_OF_KIND,
    entity_from_umf,
    entity_to_umf,
    mapping_rows,
)
from exchanges.umf_schema import umf_json_schema
from partners.models import Officer
from tests.exchanges.api_calls import API, _url
from tests.exchanges.scenario import agency_ids, send
from tests.helpers import purpose_given
from tests.hits.scenario import hit_between, match, person, report

pytestmark = pytest.mark.usefixtures("no_throttle_carry_over")

SCHEMA = umf_json_schema("https://selec.example/api/v1/umf/schema/")
VALIDATOR = Draft202012Validator(SCHEMA)
ENTITY_VALIDATOR = Draft202012Validator({**SCHEMA, "$ref": "#/$defs/Entity"})
KINDS = pytest.mark.parametrize("schema", ENTITY_SCHEMAS, ids=lambda schema: schema.kind)


# --- The table ------------------------------------------------------------------------------


@KINDS
def test_every_attribute_of_every_kind_has_one_umf_name(schema: EntitySchema) -> None:
    umf = UMF_OF_KIND[schema.kind]

    assert list(umf.attributes) == list(schema.names)
    assert len(set(umf.attributes.values())) == len(schema.names)
    for attribute in schema.attributes:
        assert list(umf.parts) == [part.name for part in attribute.parts] or not attribute.parts


def test_the_docs_table_names_every_attribute_and_every_document_part() -> None:
    ours = {(kind, attribute) for _, _, kind, attribute in mapping_rows()}

    for schema in ENTITY_SCHEMAS:
        for attribute in schema.attributes:
            assert (schema.kind, attribute.name) in ours
            for part in attribute.parts:
                assert (schema.kind, f"{attribute.name}[].{part.name}") in ours


def test_the_served_schema_is_a_valid_draft_2020_12_schema_with_one_definition_per_entity() -> None:
    Draft202012Validator.check_schema(SCHEMA)

    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {umf.name for umf in UMF_ENTITIES} <= set(SCHEMA["$defs"])
    person = SCHEMA["$defs"]["Person"]["properties"]
    assert {"fullName", "givenName", "familyName", "dateOfBirth", "nationality"} <= set(person)
    assert {"vin", "licencePlate"} <= set(SCHEMA["$defs"]["Vehicle"]["properties"])


def test_the_schema_refuses_an_attribute_it_does_not_describe_and_a_name_given_twice() -> None:
    gender = {"entityType": "Person", "fullName": "Ion Popa", "gender": "M"}
    twice = {"entityType": "Person", "fullName": "Ion Popa", "givenName": "Ion"}

    assert not ENTITY_VALIDATOR.is_valid(gender)
    assert not ENTITY_VALIDATOR.is_valid(twice)
    assert ENTITY_VALIDATOR.is_valid({"entityType": "Person", "givenName": "Ion"})


# --- Round trip -----------------------------------------------------------------------------

_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=MAX_TEXT
).filter(str.strip)
_VALUES: dict[AttributeType, st.SearchStrategy[Any]] = {
    AttributeType.TEXT: _TEXT,
    AttributeType.TEXTS: st.lists(_TEXT, max_size=MAX_ALIASES),
    AttributeType.DATE: st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)).map(dt.date.isoformat),
    AttributeType.COUNTRY: st.sampled_from(["RO", "BG", "RS", "MK", "GR", "TR", "XK", "md"]),
    AttributeType.PHONE: st.sampled_from(["+40 721 000 000", "+359 88 123 4567", "0040721000000"]),
    AttributeType.IBAN: st.sampled_from(
        ["RO49 AAAA 1B31 0075 9384 0000", "BG80BNBG96611020345678"]
    ),
    AttributeType.VIN: st.text("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=17, max_size=17),
}


def _attributes(attributes: tuple[Attribute, ...]) -> st.SearchStrategy[dict[str, Any]]:
    values: dict[str, st.SearchStrategy[Any]] = {}
    for attribute in attributes:
        if attribute.type is AttributeType.DOCUMENTS:
            value = st.lists(_attributes(attribute.parts), max_size=MAX_DOCUMENTS)
        else:
            value = _VALUES[attribute.type]
        values[attribute.name] = st.none() | value
    return st.fixed_dictionaries({}, optional=values)


_ENTITIES = st.sampled_from(ENTITY_SCHEMAS).flatmap(
    lambda schema: st.tuples(st.just(schema.kind), _attributes(schema.attributes))
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ENTITIES)
def test_our_entity_to_umf_and_back_is_the_identity(entity: tuple[str, dict[str, Any]]) -> None:
    kind, attributes = entity
    assert entity_errors(kind, attributes) == {}  # the strategy gives valid entities

    umf = entity_to_umf(kind, attributes)

    assert entity_from_umf(umf) == ((kind, attributes), {})
    assert ENTITY_VALIDATOR.is_valid(umf)


def test_a_name_in_parts_is_joined_given_name_first_and_written_back_whole() -> None:
    umf = {"entityType": "Person", "givenName": " Marko ", "familyName": "Marković"}

    converted, errors = entity_from_umf(umf)

    assert errors == {}
    assert converted == ("person", {"names": "Marko Marković"})
    assert entity_to_umf(*converted) == {"entityType": "Person", "fullName": "Marko Marković"}


# --- Refused by name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity", "path", "says"),
    [
        ({"entityType": "Person", "fullName": "Ion Popa", "gender": "M"}, "gender", "'gender'"),
        (
            {"entityType": "Person", "fullName": "Ion Popa", "document": [{"expiryDate": "x"}]},
            "document[0].expiryDate",
            "'expiryDate'",
        ),
        ({"entityType": "Vehicle", "plate": "B 123 ABC"}, "plate", "licencePlate"),
        ({"entityType": "Firearm", "serialNumber": "1"}, "entityType", "'Firearm'"),
        ({"fullName": "Ion Popa"}, "entityType", "None"),
        (
            {"entityType": "Person", "fullName": "Ion Popa", "familyName": "Popa"},
            "familyName",
            "not both",
        ),
        # The values by the entity rules, their paths in UMF terms.
        (
            {"entityType": "Person", "fullName": "Ion", "document": [{"issuingCountry": "XX"}]},
            "document[0].issuingCountry",
            "ISO 3166",
        ),
        ({"entityType": "Person", "givenName": 7}, "givenName", "must be text"),
        ({"entityType": "Phone", "phoneNumber": "0721 000 000"}, "phoneNumber", "international"),
        ({"entityType": "BankAccount", "iban": "RO00 0000"}, "iban", "IBAN"),
    ],
)
def test_what_selec_does_not_know_is_refused_by_its_umf_path(
    entity: dict[str, Any], path: str, says: str
) -> None:
    converted, errors = entity_from_umf(entity)

    assert converted is None
    assert list(errors) == [path]
    assert says in errors[path][0]


# --- Through the API ------------------------------------------------------------------------


def _umf_send(*entities: dict[str, Any], to: str = "Bulgarian Police") -> dict[str, Any]:
    return {
        "umfVersion": "3",
        "messageType": "information",
        "recipients": [{"agencyId": agency} for agency in agency_ids(to)],
        "crimeArea": "drugs",
        "subject": "Courier on the Danube bridge",
        "body": "Seen at Giurgiu on Friday.",
        "personalData": True,
        "evaluation": {"sourceReliability": "B", "informationAccuracy": "2"},
        "entities": list(entities),
    }


def _post_umf(client: APIClient, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type=MEDIA_TYPE)


@pytest.mark.django_db
def test_the_api_serves_the_schema_to_a_signed_in_officer_only(api, lo_ro: Officer) -> None:
    served = api(lo_ro).get(f"{API}umf/schema/")

    assert served.status_code == 200
    assert served.json()["$defs"] == SCHEMA["$defs"]
    assert served.json()["$id"].endswith("/api/v1/umf/schema/")
    assert APIClient().get(f"{API}umf/schema/").status_code == 401


@pytest.mark.django_db
def test_a_umf_send_stores_our_entities(api, lo_ro: Officer) -> None:
    body = _umf_send(
        {"entityType": "Person", "givenName": "Ion", "familyName": "Popa", "nationality": "RO"},
        {"entityType": "Vehicle", "licencePlate": "B 123 ABC", "vin": "WVWZZZ1JZXW000001"},
        {"entityType": "Organisation", "organisationName": "Danube Trans SRL"},
    )

    response = _post_umf(api(lo_ro), f"{API}exchanges/", body)

    assert response.status_code == 201, response.content
    exchange = Exchange.objects.get(reference=response.json()["reference"])
    stored = [(e.kind, e.attributes) for e in exchange.entities.order_by("pk")]
    assert stored == [
        ("person", {"names": "Ion Popa", "nationality": "RO"}),
        ("vehicle", {"plate": "B 123 ABC", "vin": "WVWZZZ1JZXW000001"}),
        ("company", {"name": "Danube Trans SRL"}),
    ]


@pytest.mark.django_db
def test_a_umf_send_with_an_unknown_attribute_is_refused_by_name_and_nothing_is_stored(
    api, lo_ro: Officer
) -> None:
    body = _umf_send(
        {"entityType": "Person", "fullName": "Ion Popa"},
        {"entityType": "Person", "fullName": "Ana Popa", "placeOfBirth": "Iași"},
    )

    response = _post_umf(api(lo_ro), f"{API}exchanges/", body)

    assert response.status_code == 400
    refused = response.json()["errors"]
    assert list(refused) == ["/entities/1/placeOfBirth"]
    assert "'placeOfBirth'" in refused["/entities/1/placeOfBirth"][0]
    assert not Exchange.objects.exists()
    assert not Entity.objects.exists()


@pytest.mark.django_db
def test_a_reply_takes_umf_entities_too(api, lo_ro: Officer, lo_bg: Officer) -> None:
    parent = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, parent)
    body = {
        "umfVersion": "3",
        "subject": "Re: shipment",
        "body": "His phone.",
        "personalData": True,
        "evaluation": {"sourceReliability": "B", "informationAccuracy": "2"},
        "entities": [{"entityType": "Phone", "phoneNumber": "+359 88 123 4567"}],
    }

    response = _post_umf(api(lo_bg), _url(parent, "replies/"), body)

    assert response.status_code == 201, response.content
    reply = Exchange.objects.get(reference=response.json()["reference"])
    assert [(e.kind, e.attributes) for e in reply.entities.all()] == [
        ("phone", {"number": "+359 88 123 4567"})
    ]


# --- Matching -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_umf_person_in_cyrillic_matches_our_latin_entry(
    api, lo_ro: Officer, lo_bg: Officer
) -> None:
    ours = report(lo_ro, person("Djordje Djordjevic"))
    body = _umf_send(
        {
            "entityType": "Person",
            "givenName": "Ђорђе",
            "familyName": "Ђорђевић",
            "dateOfBirth": "1980-04-12",
        },
        to="Turkish Customs",
    )

    response = _post_umf(api(lo_bg), f"{API}exchanges/", body)
    assert response.status_code == 201, response.content
    theirs = Exchange.objects.get(reference=response.json()["reference"])
    match(ours, theirs)

    assert hit_between(ours, theirs) is not None


def test_the_docs_mapping_table_has_every_row_of_the_table() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "umf.md").read_text()

    for row in mapping_rows():
        assert "| {} | `{}` | {} | `{}` |".format(*row) in docs
