"""The entity rules: each attribute by its field's standard, an unknown attribute refused by
name. That every way in applies them is in ``test_entity_rules_ways_in.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchanges.entity_rules import (
    birth_date_problem,
    country_problem,
    entity_errors,
    entity_problems,
    iban_problem,
    known_attributes,
    phone_problem,
    text_problem,
    vin_problem,
)
from exchanges.entity_schema import ENTITY_SCHEMAS, PERSON_DOCUMENTS, Attribute, AttributeType
from hits import demo as demo_hits
from hits.blind_index import entity_tokens
from tests.exchanges.scenario import A_PERSON

TODAY = dt.date(2026, 3, 1)


# --- One value at a time ----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["RO", "bg", "RS", "MK", "TR", " md ", "XK"])
def test_an_iso_3166_country_code_is_accepted(code: str) -> None:
    assert country_problem(code) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("XX", "no country has it"),
        ("ZZ", "no country has it"),
        ("Romania", "two letters"),
        ("ROU", "two letters"),
        ("R1", "two letters"),
        (40, "must be text"),
    ],
)
def test_anything_else_is_not_a_country(value: Any, says: str) -> None:
    problem = country_problem(value)
    assert problem is not None
    assert says in problem
    assert "ISO 3166" in problem or "text" in problem


@pytest.mark.parametrize(
    "value",
    ["1980-04-12", "19800412", " 1980-04-12 ", "1900-01-01", "2026-03-01", dt.date(1975, 2, 1)],
)
def test_a_past_iso_date_is_a_date_of_birth(value: Any) -> None:
    assert birth_date_problem(value, today=TODAY) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2026-03-02", "in the future"),
        ("9999-12-31", "in the future"),
        ("1899-12-31", "before 1900"),
        ("12.04.1980", "ISO 8601"),
        ("1980-W15-6", "ISO 8601"),
        ("1980-02-30", "not a day of the calendar"),
        (19800412, "must be a date"),
        (dt.datetime(1980, 4, 12, 10, 0), "must be a date"),
    ],
)
def test_a_date_of_birth_is_refused_saying_why(value: Any, says: str) -> None:
    problem = birth_date_problem(value, today=TODAY)
    assert problem is not None
    assert says in problem


def test_the_future_starts_after_today_everywhere() -> None:
    # Born today somewhere east of here is not in the future; the day after tomorrow is.
    today = dt.datetime.now(dt.UTC).date()
    assert birth_date_problem(today.isoformat()) is None
    assert birth_date_problem((today + dt.timedelta(days=2)).isoformat()) is not None


@pytest.mark.parametrize(
    "number", ["+40 721 000 000", "+359 887 410 233", "0040-721-000-111", "(+40) 721 000 111"]
)
def test_an_international_phone_number_is_accepted(number: str) -> None:
    assert phone_problem(number) is None


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("not a phone", "international format"),
        ("0721 000 000", "international format"),
        ("+999 123456", "country calling code"),
        ("+40 12", "too short"),
        ("+40 721 000 000 000 000", "too long"),
        ("+40 200 000 000", "numbering plan of Romania"),
        ("+", "is not a phone number"),
    ],
)
def test_a_phone_number_is_refused_saying_what_is_wrong(number: str, says: str) -> None:
    problem = phone_problem(number)
    assert problem is not None
    assert says in problem


@pytest.mark.parametrize(
    "value", ["RO49 AAAA 1B31 0075 9384 0000", "ro49aaaa1b31007593840000", "BG80BNBG96611020345678"]
)
def test_an_iban_with_matching_check_digits_is_accepted(value: str) -> None:
    assert iban_problem(value) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("RO49 AAAA 1B31 0075 9384 0001", "check digits"),
        ("RO94 AAAA 1B31 0075 9384 0000", "check digits"),
        ("XX12 3456", "XX is none"),
        ("not an iban", "is not an IBAN"),
    ],
)
def test_a_wrong_iban_is_refused_saying_what_is_wrong(value: str, says: str) -> None:
    problem = iban_problem(value)
    assert problem is not None
    assert says in problem


@pytest.mark.parametrize(
    "value",
    ["WVWZZZ1JZXW000001", "WVW ZZZ 1JZ XW 000001", "wvwzzz1jzxw000001", "1HGCM82633A004352"],
)
def test_an_iso_3779_vin_is_accepted(value: str) -> None:
    assert vin_problem(value) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [("WVWZZZ1JZXW00001", "has 16"), ("WVWZZZ1JZXW0000O1", "'O'"), ("IVWZZZ1JZXW000001", "'I'")],
)
def test_a_wrong_vin_is_refused_saying_what_is_wrong(value: str, says: str) -> None:
    problem = vin_problem(value)
    assert problem is not None
    assert says in problem


@pytest.mark.parametrize(
    ("value", "says"),
    [(7, "must be text"), ("a\x00b", "control characters"), ("x" * 201, "longer than 200")],
)
def test_a_text_attribute_is_text(value: Any, says: str) -> None:
    problem = text_problem(value)
    assert problem is not None
    assert says in problem


# --- Whole entities ---------------------------------------------------------------------------


def test_an_unknown_attribute_is_refused_by_name_with_the_known_ones() -> None:
    errors = entity_errors("person", {"names": "Ion Popa", "shoe_size": "44"})

    assert errors == {
        "shoe_size": [
            "Unknown attribute 'shoe_size' for a person; known: names, aliases, date_of_birth, "
            "nationality, documents."
        ]
    }


def test_errors_are_keyed_by_the_attribute_inside_a_person_s_documents() -> None:
    errors = entity_errors(
        "person",
        {
            "names": "Ion Popa",
            "documents": [
                {"type": "passport", "number": "05123456", "issuing_country": "RO"},
                {"number": "X1", "issuing_country": "XX", "expiry": "2030"},
                "AB123",
            ],
        },
    )

    assert set(errors) == {
        "documents[1].issuing_country",
        "documents[1].expiry",
        "documents[2]",
    }


@pytest.mark.parametrize(
    ("kind", "attributes", "key"),
    [
        ("person", {"names": 5}, "names"),
        ("person", {"aliases": "Djordje"}, "aliases"),
        ("person", {"aliases": ["Djordje", 7]}, "aliases[1]"),
        ("person", {"documents": {"number": "1"}}, "documents"),
        ("vehicle", {"plate": "B 123 ABC", "vin": "123"}, "vin"),
        ("company", {"name": "Kanarche EOOD", "country": "Bulgaria"}, "country"),
        ("bank_account", {"iban": "BG80BNBG96611020345679"}, "iban"),
        ("phone", {"number": "not a phone"}, "number"),
        ("document", {"number": "1", "issuing_country": "XX"}, "issuing_country"),
        ("starship", {"names": "x"}, "kind"),
        ("person", ["names"], "attributes"),
    ],
)
def test_each_refusal_names_its_attribute(kind: str, attributes: Any, key: str) -> None:
    assert key in entity_errors(kind, attributes)


def test_blank_attributes_say_nothing_and_are_not_checked() -> None:
    assert entity_errors("person", {"names": "Ion Popa", "nationality": "", "aliases": []}) == {}
    assert entity_errors("phone", {"number": None}) == {}


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
_attribute_values = (
    _json_values
    | st.sampled_from(["RO", "XK", "1980-04-12", "19800412", "+40 721 000 111"])
    | st.sampled_from(["RO49 AAAA 1B31 0075 9384 0000", "WVWZZZ1JZXW000001", ""])
    | st.lists(
        st.fixed_dictionaries(
            {}, optional={"type": _json_values, "number": st.text(), "issuing_country": st.text()}
        ),
        max_size=2,
    )
)


@given(
    kind=st.sampled_from(["person", "vehicle", "document", "phone", "company", "bank_account"]),
    data=st.data(),
)
def test_what_the_rules_accept_the_blind_index_reads(kind: str, data: st.DataObject) -> None:
    # The API and the forms ask the rules only: the index (which the send service calls) must
    # never fail on what they let through.
    names = st.sampled_from([*known_attributes(kind), "other"])
    attributes = data.draw(st.dictionaries(names, _attribute_values, max_size=4))
    if entity_errors(kind, attributes) == {}:
        entity_tokens(kind, attributes)


def test_the_demo_and_the_test_scenarios_hold_valid_entities() -> None:
    entities = [e for _a, _r, m in demo_hits._REPORTS for e in m.entities] + [A_PERSON]

    for entity in entities:
        assert entity_problems(str(entity.kind), entity.attributes) == []


# --- Each declared attribute by its type's rule -----------------------------------------------

# What a number where the type wants something else is told, by type.
_REFUSAL_OF_A_NUMBER = {
    AttributeType.TEXTS: "must be a list of texts, not a number.",
    AttributeType.DOCUMENTS: "must be a list of documents, not a number.",
    AttributeType.DATE: "must be a date (YYYY-MM-DD), not a number.",
}


@pytest.mark.parametrize(
    ("kind", "attribute"),
    [(schema.kind, attribute) for schema in ENTITY_SCHEMAS for attribute in schema.attributes],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_each_declared_attribute_is_checked_by_the_rule_of_its_type(
    kind: str, attribute: Attribute
) -> None:
    expected = _REFUSAL_OF_A_NUMBER.get(attribute.type, "must be text, not a number.")
    assert entity_errors(kind, {attribute.name: 7}) == {attribute.name: [expected]}


@pytest.mark.parametrize("part", PERSON_DOCUMENTS.parts, ids=lambda part: part.name)
def test_each_part_of_a_person_s_document_is_checked_by_the_rule_of_its_type(
    part: Attribute,
) -> None:
    path = f"documents[0].{part.name}"
    assert entity_errors("person", {"documents": [{part.name: 7}]}) == {
        path: ["must be text, not a number."]
    }
