"""One person's identifiers as the DPO types them, and the blind-index tokens they are looked up
by: the same tokens the matching computes for the entities of exchanges
(``hits.blind_index.entity_tokens``, with its normalisation), so that the Cyrillic and Latin
spellings of one name, a date written two ways or a document number with its spaces all find
the same exchanges.

The identifiers are a person entity's attributes (names, date of birth, nationality, one
document), checked by the same rules as an exchange's entities (``exchanges.entity_rules``).
What is looked up:
- the name with the date of birth (never the name alone: two people of one name are not one
  person, and a request about one must not reach the providers of the other);
- the document number with its issuing country, and the number alone (a provider may have
  recorded it without the country). Without an issuing country, the nationality stands for
  it; without either, the number is looked up under every country.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from typing import Any

import pycountry
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from exchanges.entity_rules import entity_errors
from exchanges.entity_schema import (
    DOCUMENT,
    DOCUMENT_ISSUING_COUNTRY,
    DOCUMENT_NUMBER,
    PERSON,
    PERSON_DATE_OF_BIRTH,
    PERSON_DOCUMENTS,
    PERSON_NAMES,
    PERSON_NATIONALITY,
)
from hits.blind_index import TokenKind, entity_tokens

# Every issuing country a document may be recorded under: ISO 3166-1 alpha-2, and XK, which
# the entity rules accept for Kosovo documents.
COUNTRIES = tuple(sorted({country.alpha_2 for country in pycountry.countries} | {"XK"}))

# The entity rules' keys of the errors, as the identifiers' fields name them.
_DOCUMENT_KEY = f"{PERSON_DOCUMENTS.name}[0]."
_FIELD_OF_ERROR = {
    PERSON_NAMES.name: "names",
    PERSON_DATE_OF_BIRTH.name: "date_of_birth",
    PERSON_NATIONALITY.name: "nationality",
    f"{_DOCUMENT_KEY}{DOCUMENT_NUMBER.name}": "document_number",
    f"{_DOCUMENT_KEY}{DOCUMENT_ISSUING_COUNTRY.name}": "document_country",
}
# The token kinds a search looks up (never the name alone).
SEARCHED_KINDS = frozenset({TokenKind.PERSON, TokenKind.DOCUMENT_NUMBER})

TokenPair = tuple[str, str]
# Translated on pages (labelled); the audit log's justification keeps them in English.
LABELS = {
    "names": gettext_noop("Names"),
    "date_of_birth": gettext_noop("Date of birth"),
    "nationality": gettext_noop("Nationality"),
    "document_number": gettext_noop("Document number"),
    "document_country": gettext_noop("Issuing country"),
}


class IdentifiersError(ValueError):
    """The identifiers cannot be searched: messages by field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


@dataclass(frozen=True)
class Identifiers:
    names: str = ""
    date_of_birth: str = ""  # ISO 8601 (1980-04-12)
    nationality: str = ""  # ISO 3166 alpha-2
    document_number: str = ""
    document_country: str = ""  # the document's issuing country, ISO 3166 alpha-2

    @classmethod
    def of(cls, values: dict[str, Any]) -> Identifiers:
        """From a form's or a serializer's cleaned values (a date may be a date)."""
        given = {}
        for field in fields(cls):
            value = values.get(field.name) or ""
            given[field.name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        codes = ("nationality", "document_country")
        return cls(**{k: v.strip().upper() if k in codes else v.strip() for k, v in given.items()})

    def stored(self) -> dict[str, str]:
        """What the request keeps (encrypted): the fields given."""
        return {key: value for key, value in asdict(self).items() if value}

    def kinds_given(self) -> list[str]:
        """Which identifiers were given, by kind (for the audit log: never their values)."""
        given = []
        if self.names and self.date_of_birth:
            given.append(str(TokenKind.PERSON))
        if self.document_number:
            given.append(str(TokenKind.DOCUMENT_NUMBER))
        return given

    def labelled(self) -> list[tuple[str, str]]:
        """(label, value) of each field given, for a page."""
        return [(_(LABELS[key]), value) for key, value in self.stored().items()]

    def described(self) -> str:
        """The identifiers in words, for the audit log's encrypted justification."""
        parts = [f"{LABELS[key].lower()}: {value}" for key, value in self.stored().items()]
        return "Data subject: " + "; ".join(parts)

    def problems(self) -> dict[str, list[str]]:
        """Messages by field: the entity rules' (as for a person in an exchange), then what a
        search needs (a name with its date of birth, or a document number)."""
        errors: dict[str, list[str]] = {}
        for key, messages in entity_errors(PERSON.kind, self._person(tokens=False)).items():
            errors.setdefault(_FIELD_OF_ERROR.get(key, "non_field_errors"), []).extend(messages)
        if self.names and not self.date_of_birth:
            errors.setdefault("date_of_birth", []).append(
                _("Give the date of birth with the name: a name alone may be another person's.")
            )
        if self.date_of_birth and not self.names:
            errors.setdefault("names", []).append(_("Give the name with the date of birth."))
        if self.document_country and not self.document_number:
            errors.setdefault("document_number", []).append(
                _("Give the document's number with its issuing country.")
            )
        if not errors and not self.kinds_given():
            errors["non_field_errors"] = [
                _("Give the name and date of birth, or a document number, or both.")
            ]
        return errors

    def tokens(self) -> list[TokenPair]:
        """The (token kind, token) pairs to look up; IdentifiersError when the identifiers
        cannot be searched."""
        errors = self.problems()
        if errors:
            raise IdentifiersError(errors)
        pairs = {
            pair
            for pair in entity_tokens(PERSON.kind, self._person(tokens=True))
            if pair[0] in SEARCHED_KINDS
        }
        if self.document_number:
            # The number alone too: a provider may have recorded the document without its
            # issuing country. Without a country given, under every country: the person has a
            # right to all their data, and a provider holding another's document of that
            # number answers "no such data".
            countries = [""] if self.document_country or self.nationality else ["", *COUNTRIES]
            for country in countries:
                document = {DOCUMENT_NUMBER.name: self.document_number}
                if country:
                    document[DOCUMENT_ISSUING_COUNTRY.name] = country
                pairs.update(entity_tokens(DOCUMENT.kind, document))
        return sorted(pairs)

    def _person(self, *, tokens: bool) -> dict[str, Any]:
        """The identifiers as a person entity's attributes; for the ``tokens``, with the
        nationality standing for a document's issuing country not given (checked once, as the
        nationality)."""
        attributes: dict[str, Any] = {}
        if self.names:
            attributes[PERSON_NAMES.name] = self.names
        if self.date_of_birth:
            attributes[PERSON_DATE_OF_BIRTH.name] = self.date_of_birth
        if self.nationality:
            attributes[PERSON_NATIONALITY.name] = self.nationality
        if self.document_number:
            document = {DOCUMENT_NUMBER.name: self.document_number}
            country = self.document_country or (self.nationality if tokens else "")
            if country:
                document[DOCUMENT_ISSUING_COUNTRY.name] = country
            attributes[PERSON_DOCUMENTS.name] = [document]
        return attributes
