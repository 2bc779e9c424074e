"""Blind-index tokens of entities for hit/no-hit matching.

A token is the HMAC-SHA256 of a normalised attribute under ``settings.BLIND_INDEX_KEY``: equal
attributes give equal tokens, so two providers' entities can be matched without either side's
content being stored or shown in clear (DESIGN.md section 3, "Hit/no-hit").
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from django.conf import settings

from exchanges.entity_schema import (
    BANK_ACCOUNT,
    BANK_ACCOUNT_IBAN,
    BANK_ACCOUNT_NUMBER,
    COMPANY,
    COMPANY_COUNTRY,
    COMPANY_NAME,
    DOCUMENT,
    DOCUMENT_ISSUING_COUNTRY,
    DOCUMENT_NUMBER,
    PERSON,
    PERSON_ALIASES,
    PERSON_DATE_OF_BIRTH,
    PERSON_DOCUMENTS,
    PERSON_NAMES,
    PHONE,
    PHONE_NUMBER,
    VEHICLE,
    VEHICLE_PLATE,
    VEHICLE_VIN,
)
from hits.normalise import (
    NAME_VARIANTS_DIGEST,
    normalise_date,
    normalise_identifier,
    normalise_name,
    normalise_name_tokens,
    normalise_phone,
)

# The version of how a token is made from an attribute (the normalisers below, the message's
# layout): raised with any change of the code that gives an attribute another token. A change
# of the curated variants of names (``hits.variants``) needs no raise: their digest is part of
# the scheme. 2: the variants of names, Bulgarian ьо as "yo", Macedonian ǵ and ḱ as gj and kj.
NORMALISATION_VERSION = 2


def current_scheme() -> str:
    """The scheme of the tokens made now, ``v<version>.<variants' digest>-k<key id>``: the
    normalisation's version, the digest of the curated variants of names and the key's id
    (at most 16 characters: ``EntityToken.scheme``). Tokens of another scheme are stale:
    matching ignores them until ``reindex_entities`` recomputes them, so that old and new
    entities never quietly stop matching."""
    return f"v{NORMALISATION_VERSION}.{NAME_VARIANTS_DIGEST}-k{settings.BLIND_INDEX_KEY_ID}"


# Separates the kind from the value in the HMAC message. Normalised values never contain it
# (ASCII letters, digits, spaces and "|"), so no (kind, value) pair can pose as another.
_KIND_SEPARATOR = "\x1f"
# Separates the parts of a combined value: a country from a number, a name from a date.
_PART_SEPARATOR = "|"


class TokenKind(StrEnum):
    PERSON = "person"  # the name's sorted words and the date of birth
    PERSON_NAME = "person_name"  # the name's sorted words alone
    VEHICLE_PLATE = "vehicle_plate"
    VEHICLE_VIN = "vehicle_vin"
    DOCUMENT_NUMBER = "document_number"  # "COUNTRY|NUMBER", or the number alone
    PHONE = "phone"
    COMPANY = "company"  # "COUNTRY|name", or the name alone
    BANK_ACCOUNT = "bank_account"


def blind_index(kind: str, normalised: str, *, key: bytes | None = None) -> str:
    """The HMAC-SHA256 (hex) of a normalised value, domain-separated by ``kind`` so that a phone
    number and an account number with the same digits give different tokens."""
    if not kind or _KIND_SEPARATOR in kind:
        raise ValueError("A blind index needs a kind without the separator character.")
    if not normalised.strip():
        raise ValueError("A blind index of an empty value would match every empty value.")
    message = f"{kind}{_KIND_SEPARATOR}{normalised}".encode()
    return hmac.new(_key(key), message, hashlib.sha256).hexdigest()


def entity_tokens(entity_kind: str, attributes: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (token kind, token) pairs of an entity's identifying attributes, sorted and without
    duplicates. Missing or blank attributes give no token."""
    try:
        values_of = _NORMALISED_VALUES_BY_ENTITY_KIND[entity_kind]
    except KeyError:
        raise ValueError(f"Unknown entity kind: {entity_kind!r}.") from None
    # A value that normalised to nothing (missing, blank, punctuation only) gives no token.
    pairs = {
        (str(kind), blind_index(kind, value)) for kind, value in values_of(attributes) if value
    }
    return sorted(pairs)


def _key(key: bytes | None) -> bytes:
    chosen = settings.BLIND_INDEX_KEY if key is None else key
    if not isinstance(chosen, bytes) or not chosen:
        raise ValueError("The blind index key must be non-empty bytes.")
    return chosen


# Each function below yields the (token kind, normalised value) pairs of one entity kind; a
# value may be blank. They read the attributes the entity schema declares identifying
# (exchanges.entity_schema), through its declarations: a renamed attribute is renamed here too.
_NormalisedValues = Iterator[tuple[TokenKind, str]]


def _person_values(attributes: Mapping[str, Any]) -> _NormalisedValues:
    names = [_text(PERSON_NAMES.value_in(attributes)), *_texts(PERSON_ALIASES.value_in(attributes))]
    date_of_birth = _date(PERSON_DATE_OF_BIRTH.value_in(attributes))
    for name in names:
        # Sorted words in both person tokens: the order of family and given names varies
        # between countries and documents ("POPESCU Andrei", Hungarian family name first).
        sorted_name = " ".join(normalise_name_tokens(name))
        if not sorted_name:
            continue
        yield TokenKind.PERSON_NAME, sorted_name
        if date_of_birth:
            yield TokenKind.PERSON, _joined(sorted_name, date_of_birth)
    for document in _mappings(PERSON_DOCUMENTS.value_in(attributes)):
        yield from _document_values(document)


def _vehicle_values(attributes: Mapping[str, Any]) -> _NormalisedValues:
    # Make, model and colour describe, they do not identify: no token.
    yield TokenKind.VEHICLE_PLATE, normalise_identifier(_text(VEHICLE_PLATE.value_in(attributes)))
    yield TokenKind.VEHICLE_VIN, normalise_identifier(_text(VEHICLE_VIN.value_in(attributes)))


def _document_values(attributes: Mapping[str, Any]) -> _NormalisedValues:
    # Document numbers are unique only within the issuing country, so the country is part of
    # the value when it is known.
    number = normalise_identifier(_text(DOCUMENT_NUMBER.value_in(attributes)))
    country = normalise_identifier(_text(DOCUMENT_ISSUING_COUNTRY.value_in(attributes)))
    if number:
        yield TokenKind.DOCUMENT_NUMBER, _joined(country, number)


def _phone_values(attributes: Mapping[str, Any]) -> _NormalisedValues:
    yield TokenKind.PHONE, normalise_phone(_text(PHONE_NUMBER.value_in(attributes)))


def _company_values(attributes: Mapping[str, Any]) -> _NormalisedValues:
    name = normalise_name(_text(COMPANY_NAME.value_in(attributes)))
    country = normalise_identifier(_text(COMPANY_COUNTRY.value_in(attributes)))
    if name:
        yield TokenKind.COMPANY, _joined(country, name)


def _bank_account_values(attributes: Mapping[str, Any]) -> _NormalisedValues:
    # Both the IBAN and a domestic account number identify the account when both are given.
    for account in (BANK_ACCOUNT_IBAN, BANK_ACCOUNT_NUMBER):
        yield TokenKind.BANK_ACCOUNT, normalise_identifier(_text(account.value_in(attributes)))


_NORMALISED_VALUES_BY_ENTITY_KIND: dict[str, Callable[[Mapping[str, Any]], _NormalisedValues]] = {
    PERSON.kind: _person_values,
    VEHICLE.kind: _vehicle_values,
    DOCUMENT.kind: _document_values,
    PHONE.kind: _phone_values,
    COMPANY.kind: _company_values,
    BANK_ACCOUNT.kind: _bank_account_values,
}


def _joined(*parts: str) -> str:
    """The non-blank parts joined by the separator: ("RO", "AB123456") gives "RO|AB123456"."""
    return _PART_SEPARATOR.join(part for part in parts if part)


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        # A number given as an int has already lost its leading zeros: refuse it.
        raise TypeError(f"Expected text, not {type(value).__name__}.")
    return value


def _texts(values: Iterable[object] | None) -> list[str]:
    return [_text(value) for value in _list(values)]


def _mappings(values: Iterable[Mapping[str, Any]] | None) -> list[Mapping[str, Any]]:
    return [value for value in _list(values) if value]


def _list(values: Iterable[Any] | None) -> list[Any]:
    # A lone string or mapping is iterable too, and would pass for a list of its letters or keys.
    if isinstance(values, str | Mapping):
        raise TypeError(f"Expected a list, not {type(values).__name__}.")
    return list(values or ())


def _date(value: date | str | None) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return normalise_date(value)
