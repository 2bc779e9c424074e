"""Blind-index tokens: keyed, domain-separated, and one per identifying attribute."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from django.conf import settings
from hypothesis import assume, given
from hypothesis import strategies as st

from exchanges.entity_schema import (
    DOCUMENT,
    ENTITY_SCHEMAS,
    PERSON_DOCUMENTS,
    Attribute,
    AttributeType,
    EntitySchema,
)
from hits.blind_index import TokenKind, blind_index, entity_tokens

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))

token_kinds = st.sampled_from(list(TokenKind))
keys = st.binary(min_size=32, max_size=32)
# Values as the normalisers write them. At least 8 characters, so that finding one inside a
# 64-character hex digest by chance is out of the question (about 1 in 10^8 for hex-only ones).
normalised_values = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 |-",
    min_size=8,
    max_size=40,
).filter(str.strip)


def token(kind: TokenKind, value: str) -> tuple[str, str]:
    return (kind.value, blind_index(kind, value))


# --- blind_index ---------------------------------------------------------------------------


def test_the_token_of_a_value_is_pinned_so_that_stored_tokens_stay_valid() -> None:
    # HMAC-SHA256(key, "phone" + "\x1f" + value). Changing the message changes every token
    # already stored, so this known answer must only change with a re-index of all entities.
    assert (
        blind_index(TokenKind.PHONE, "0040721000111", key=KEY)
        == "73f39ae1d5a24cac7eb201565a35497f0dbdb08beaa63980c3438b18d2459732"
    )


def test_the_settings_key_is_used_when_no_key_is_given() -> None:
    assert blind_index("phone", "0040721000111") == blind_index(
        "phone", "0040721000111", key=settings.BLIND_INDEX_KEY
    )
    assert blind_index("phone", "0040721000111") != blind_index("phone", "0040721000111", key=KEY)


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_value_has_no_token(value: str) -> None:
    with pytest.raises(ValueError, match="empty value"):
        blind_index(TokenKind.PHONE, value, key=KEY)


@pytest.mark.parametrize("kind", ["", "phone\x1f"])
def test_a_kind_that_could_blur_the_domain_separation_is_refused(kind: str) -> None:
    with pytest.raises(ValueError, match="kind"):
        blind_index(kind, "0040721000111", key=KEY)


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="key"):
        blind_index(TokenKind.PHONE, "0040721000111", key=b"")


@given(token_kinds, normalised_values, keys)
def test_blind_index_is_a_deterministic_hex_digest(kind: str, value: str, key: bytes) -> None:
    first = blind_index(kind, value, key=key)
    assert first == blind_index(kind, value, key=key)
    assert re.fullmatch(r"[0-9a-f]{64}", first)


@given(token_kinds, token_kinds, normalised_values)
def test_one_value_gives_different_tokens_for_different_kinds(
    kind: str, other_kind: str, value: str
) -> None:
    assume(kind != other_kind)
    assert blind_index(kind, value, key=KEY) != blind_index(other_kind, value, key=KEY)


@given(token_kinds, normalised_values, keys, keys)
def test_one_value_gives_different_tokens_under_different_keys(
    kind: str, value: str, key: bytes, other_key: bytes
) -> None:
    assume(key != other_key)
    assert blind_index(kind, value, key=key) != blind_index(kind, value, key=other_key)


@given(token_kinds, normalised_values, keys)
def test_a_token_never_contains_the_value(kind: str, value: str, key: bytes) -> None:
    digest = blind_index(kind, value, key=key)
    assert value not in digest
    assert value.lower() not in digest


def test_phone_and_account_numbers_with_the_same_digits_give_different_tokens() -> None:
    assert entity_tokens("phone", {"number": "0040721000111"}) != entity_tokens(
        "bank_account", {"number": "0040721000111"}
    )
    assert {t for _, t in entity_tokens("phone", {"number": "0040721000111"})}.isdisjoint(
        t for _, t in entity_tokens("bank_account", {"number": "0040721000111"})
    )


def test_the_token_kinds_are_the_agreed_names() -> None:
    assert [kind.value for kind in TokenKind] == [
        "person",
        "person_name",
        "vehicle_plate",
        "vehicle_vin",
        "document_number",
        "phone",
        "company",
        "bank_account",
    ]


# --- entity_tokens: persons ----------------------------------------------------------------


def test_a_person_gives_name_name_with_birth_date_and_document_tokens() -> None:
    tokens = entity_tokens(
        "person",
        {
            "names": "Ђорђевић Марко",
            "date_of_birth": "1980-05-07",
            "nationality": "RS",
            "documents": [{"type": "passport", "number": "ab 123456", "issuing_country": "rs"}],
        },
    )
    assert tokens == sorted(
        [
            token(TokenKind.PERSON_NAME, "djordjevic marko"),
            token(TokenKind.PERSON, "djordjevic marko|1980-05-07"),
            token(TokenKind.DOCUMENT_NUMBER, "RS|AB123456"),
        ]
    )


def test_the_same_person_spelt_in_another_script_and_word_order_gives_the_same_tokens() -> None:
    cyrillic = entity_tokens("person", {"names": "Ђорђевић Марко", "date_of_birth": "1980-05-07"})
    latin = entity_tokens("person", {"names": "MARKO DJORDJEVIC", "date_of_birth": "1980-05-07"})
    assert cyrillic == latin


def test_each_alias_gives_tokens_of_its_own() -> None:
    tokens = entity_tokens(
        "person",
        {
            "names": "Andrei Popescu",
            "aliases": ["Andi Pop", "Andrei Popescu", "POPESCU, Andrei", " ", None],
            "date_of_birth": "1975-01-31",
        },
    )
    assert tokens == sorted(
        [
            token(TokenKind.PERSON_NAME, "andrei popescu"),
            token(TokenKind.PERSON, "andrei popescu|1975-01-31"),
            token(TokenKind.PERSON_NAME, "andi pop"),
            token(TokenKind.PERSON, "andi pop|1975-01-31"),
        ]
    )


def test_a_person_without_a_date_of_birth_gives_no_person_token() -> None:
    for date_of_birth in (None, "", "  "):
        tokens = entity_tokens("person", {"names": "Ivan Petrov", "date_of_birth": date_of_birth})
        assert tokens == [token(TokenKind.PERSON_NAME, "ivan petrov")]


def test_a_person_with_a_date_of_birth_that_is_not_a_date_is_refused() -> None:
    with pytest.raises(ValueError, match="isoformat"):
        entity_tokens("person", {"names": "Ivan Petrov", "date_of_birth": "07/05/1980"})


def test_a_person_s_documents_give_tokens_even_without_a_name() -> None:
    tokens = entity_tokens(
        "person",
        {
            "names": "",
            "documents": [
                {"type": "id_card", "number": "AB 123456"},
                {"type": "passport", "number": " ", "issuing_country": "RO"},
                {},
            ],
        },
    )
    assert tokens == [token(TokenKind.DOCUMENT_NUMBER, "AB123456")]


# --- entity_tokens: other kinds ------------------------------------------------------------


def test_a_document_number_is_qualified_by_its_issuing_country_when_given() -> None:
    with_country = entity_tokens(
        "document", {"type": "passport", "number": "AB-123456", "issuing_country": "ro"}
    )
    without_country = entity_tokens("document", {"type": "passport", "number": "AB123456"})
    assert with_country == [token(TokenKind.DOCUMENT_NUMBER, "RO|AB123456")]
    assert without_country == [token(TokenKind.DOCUMENT_NUMBER, "AB123456")]
    other_country = entity_tokens("document", {"number": "AB123456", "issuing_country": "BG"})
    assert other_country != with_country


def test_a_document_entity_hits_the_same_document_held_on_a_person() -> None:
    document = entity_tokens("document", {"number": "AB 123456", "issuing_country": "RO"})
    person = entity_tokens(
        "person", {"documents": [{"number": "ab123456", "issuing_country": "ro"}]}
    )
    assert document == person


def test_a_vehicle_gives_plate_and_vin_tokens_and_nothing_for_its_description() -> None:
    tokens = entity_tokens(
        "vehicle",
        {
            "plate": "B 123 ABC",
            "vin": "wvwzzz1jzxw000001",
            "make": "Volkswagen",
            "model": "Golf",
            "colour": "black",
        },
    )
    assert tokens == sorted(
        [
            token(TokenKind.VEHICLE_PLATE, "B123ABC"),
            token(TokenKind.VEHICLE_VIN, "WVWZZZ1JZXW000001"),
        ]
    )
    assert entity_tokens("vehicle", {"make": "Volkswagen", "colour": "black"}) == []


def test_a_phone_gives_one_token_however_it_is_written() -> None:
    spellings = ["+40 721 000 111", "0040721000111", "0040-721-000-111"]
    assert {tuple(entity_tokens("phone", {"number": number})) for number in spellings} == {
        (token(TokenKind.PHONE, "0040721000111"),)
    }


def test_a_company_name_is_qualified_by_its_country_when_given() -> None:
    assert entity_tokens(
        "company", {"name": "Trans-Balkan S.R.L.", "registration_number": "J40/1/2020"}
    ) == [token(TokenKind.COMPANY, "transbalkan srl")]
    assert entity_tokens("company", {"name": "TRANSBALKAN SRL", "country": "ro"}) == [
        token(TokenKind.COMPANY, "RO|transbalkan srl")
    ]


def test_a_bank_account_gives_tokens_for_its_iban_and_its_number() -> None:
    assert entity_tokens(
        "bank_account", {"iban": "RO49 AAAA 1B31 0075 9384 0000", "bank": "X", "holder": "Y"}
    ) == [token(TokenKind.BANK_ACCOUNT, "RO49AAAA1B31007593840000")]
    assert entity_tokens("bank_account", {"number": "1234-5678"}) == [
        token(TokenKind.BANK_ACCOUNT, "12345678")
    ]
    assert entity_tokens(
        "bank_account", {"iban": "RO49AAAA1B31007593840000", "number": "12345678"}
    ) == sorted(
        [
            token(TokenKind.BANK_ACCOUNT, "RO49AAAA1B31007593840000"),
            token(TokenKind.BANK_ACCOUNT, "12345678"),
        ]
    )


@pytest.mark.parametrize(
    ("entity_kind", "attributes"),
    [
        ("person", {}),
        ("person", {"names": "  ", "aliases": ["", None], "date_of_birth": "1980-05-07"}),
        ("person", {"names": "-'.", "documents": [{"number": "", "issuing_country": "RO"}]}),
        ("vehicle", {"plate": "", "vin": None, "make": "Dacia"}),
        ("document", {"type": "passport", "number": " - ", "issuing_country": "RO"}),
        ("phone", {"number": "+"}),
        ("company", {"name": "", "country": "RO", "registration_number": "J40/1/2020"}),
        ("bank_account", {"iban": " ", "number": None, "bank": "BCR", "holder": "X"}),
    ],
)
def test_missing_or_blank_attributes_give_no_token(
    entity_kind: str, attributes: dict[str, object]
) -> None:
    assert entity_tokens(entity_kind, attributes) == []


def test_tokens_come_sorted_and_without_duplicates() -> None:
    tokens = entity_tokens(
        "person",
        {
            "names": "Ivan Petrov",
            "aliases": ["Иван Петров", "PETROV Ivan", "Petrov, Ivan"],
            "documents": [
                {"number": "123", "issuing_country": "BG"},
                {"number": "1-2-3", "issuing_country": "bg"},
            ],
        },
    )
    assert tokens == sorted(set(tokens))
    assert tokens == sorted(
        [
            token(TokenKind.PERSON_NAME, "ivan petrov"),
            token(TokenKind.DOCUMENT_NUMBER, "BG|123"),
        ]
    )


def test_an_unknown_entity_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="spaceship"):
        entity_tokens("spaceship", {"name": "Enterprise"})


def test_a_number_given_as_an_integer_is_refused_because_its_leading_zeros_are_lost() -> None:
    with pytest.raises(TypeError, match="int"):
        entity_tokens("phone", {"number": 40721000111})


@pytest.mark.parametrize(
    "attributes",
    [
        {"names": "Andrei Popescu", "aliases": "Andi Pop"},
        {"names": "Andrei Popescu", "documents": {"number": "AB123456"}},
    ],
)
def test_a_single_alias_or_document_not_in_a_list_is_refused(attributes: dict[str, object]) -> None:
    with pytest.raises(TypeError, match="list"):
        entity_tokens("person", attributes)


# --- What the blind index reads: the schema's identifying attributes -----------------------

# A valid value of each type of attribute, so that every attribute of an entity is given.
_A_VALUE_OF_TYPE: dict[AttributeType, object] = {
    AttributeType.TEXT: "AB 123456",
    AttributeType.TEXTS: ["Andi Pop"],
    AttributeType.DATE: "1980-04-12",
    AttributeType.COUNTRY: "RO",
    AttributeType.PHONE: "+40 721 000 111",
    AttributeType.IBAN: "RO49 AAAA 1B31 0075 9384 0000",
    AttributeType.VIN: "WVWZZZ1JZXW000001",
}


class _Reading(Mapping[str, Any]):
    """Attributes that note which of them are read."""

    def __init__(self, attributes: tuple[Attribute, ...]) -> None:
        self.read: set[str] = set()
        # The one document given in each list of documents, by the list's name.
        self.documents: dict[str, _Reading] = {}
        self._values: dict[str, object] = {}
        for attribute in attributes:
            if attribute.type is AttributeType.DOCUMENTS:
                self.documents[attribute.name] = _Reading(attribute.parts)
                self._values[attribute.name] = [self.documents[attribute.name]]
            else:
                self._values[attribute.name] = _A_VALUE_OF_TYPE[attribute.type]

    def __getitem__(self, name: str) -> object:
        self.read.add(name)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _identifying(attributes: tuple[Attribute, ...]) -> set[str]:
    return {attribute.name for attribute in attributes if attribute.identifying}


@pytest.mark.parametrize("schema", ENTITY_SCHEMAS, ids=lambda schema: schema.kind)
def test_the_blind_index_reads_exactly_the_attributes_the_schema_declares_identifying(
    schema: EntitySchema,
) -> None:
    attributes = _Reading(schema.attributes)

    assert entity_tokens(schema.kind, attributes)
    assert attributes.read == _identifying(schema.attributes)
    for attribute in schema.attributes:
        if attribute.type is AttributeType.DOCUMENTS:
            # Within each document too: its number and issuing country, not its type.
            assert attributes.documents[attribute.name].read == _identifying(attribute.parts)


def test_a_person_s_documents_are_read_as_the_document_kind_s_attributes() -> None:
    assert PERSON_DOCUMENTS.parts == DOCUMENT.attributes
    assert _identifying(DOCUMENT.attributes) == {"number", "issuing_country"}
