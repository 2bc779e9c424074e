"""What an entity's attributes may hold, each by its field's standard.

The one set of rules for every way in: the compose and hit-search forms
(``exchanges.forms_entities``), the API's entity serializer (``exchanges.api_inputs``) and,
last, the send services (``exchanges.services.storing.validate_message``), so that a caller going
round the first two is refused too. Pure functions: an entity's kind and attributes in, the
messages out, keyed by the attribute they concern ("nationality",
"documents[0].issuing_country"); nothing is rewritten, a value is accepted as given or refused
saying what is wrong. Which attributes a kind has, and of which type, is declared in
``exchanges.entity_schema``; here each type has its rule:

- Texts are text (not numbers: a number has lost its leading zeros), at most MAX_TEXT
  characters, without control characters.
- Countries (nationality, issuing_country, a company's country) are ISO 3166-1 alpha-2 codes
  (``pycountry``), and XK, the code the EU and INTERPOL use for Kosovo documents.
- A date of birth is an ISO 8601 calendar date (1980-04-12 or 19800412), from 1900 on, not in
  the future.
- A phone number is in international format (+40 721 000 000, or 0040...) and valid in its
  country's numbering plan (``phonenumbers``).
- An IBAN has its country's length and format and its check digits match (ISO 13616, with
  ``python-stdnum``).
- A VIN is ISO 3779's 17 letters and digits without I, O or Q. Its check digit is not asked:
  only North American and Chinese VINs carry one.
- An attribute the kind does not have is refused by name, with the names it has, rather than
  stored where nothing reads it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import phonenumbers
import pycountry
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError

from exchanges.entity_schema import ENTITY_SCHEMAS, SCHEMA_OF, Attribute, AttributeType

MAX_TEXT = 200
MAX_ALIASES = 20
MAX_DOCUMENTS = 10
FIRST_BIRTH_DATE = dt.date(1900, 1, 1)
# Not in ISO 3166-1: the user-assigned code the EU, INTERPOL and the region's documents use for
# Kosovo (without prejudice to positions on status).
_EXTRA_COUNTRY_CODES = {"XK": "Kosovo"}
_CALENDAR_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}")
_VIN_CHARACTERS = frozenset("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
_VIN_SEPARATORS = re.compile(r"[\s-]")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")

# Keys of the errors that concern the entity as a whole.
KIND = "kind"
ATTRIBUTES = "attributes"

Errors = dict[str, list[str]]
# An attribute's rule: its errors by path, from its path and value.
Rule = Callable[[str, Any], Errors]


# --- One value ------------------------------------------------------------------------------


def text_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be text, not {_type_name(value)}."
    if any(unicodedata.category(c) == "Cs" for c in value):
        return "is not valid text (it holds half of a character)."
    if any(unicodedata.category(c) == "Cc" for c in value):
        return "must not contain control characters (tabs, line breaks, NUL)."
    if len(value) > MAX_TEXT:
        return f"is longer than {MAX_TEXT} characters."
    return None


def country_problem(value: Any) -> str | None:
    problem = text_problem(value)
    if problem is not None:
        return problem
    code = value.strip().upper()
    if len(code) == 2 and code.isascii() and code.isalpha():
        if code in _EXTRA_COUNTRY_CODES or pycountry.countries.get(alpha_2=code) is not None:
            return None
        return f"{value!r} is not an ISO 3166 country code: no country has it."
    return f"{value!r} is not an ISO 3166 country code (two letters, for example RO, BG, RS)."


def birth_date_problem(value: Any, *, today: dt.date | None = None) -> str | None:
    if isinstance(value, dt.datetime) or not isinstance(value, str | dt.date):
        return f"must be a date (YYYY-MM-DD), not {_type_name(value)}."
    if isinstance(value, str):
        text = value.strip()
        if not _CALENDAR_DATE.fullmatch(text):
            return f"{value!r} is not a date in ISO 8601 form (YYYY-MM-DD, e.g. 1980-04-12)."
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return f"{value!r} is not a day of the calendar."
    else:
        day = value
    if day > (today or latest_today()):
        return f"{day.isoformat()} is in the future."
    if day < FIRST_BIRTH_DATE:
        return f"{day.isoformat()} is before {FIRST_BIRTH_DATE.year}: check the year."
    return None


def phone_problem(value: Any) -> str | None:
    problem = text_problem(value)
    if problem is not None:
        return problem
    text = value.strip()
    # "00" is the international call prefix throughout the region: 0040... is +40...
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.lstrip("([ ").startswith("+"):
        return (
            f"{value!r}: give the number in international format, with + and the country "
            "calling code (for example +40 721 000 000)."
        )
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        return f"{value!r} {_PARSE_PROBLEMS.get(exc.error_type, 'is not a phone number.')}"
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in _LENGTH_PROBLEMS:
        return f"{value!r} {_LENGTH_PROBLEMS[reason]}"
    if not phonenumbers.is_valid_number(number):
        where = _country_name(phonenumbers.region_code_for_number(number))
        return f"{value!r} is not a valid number in the numbering plan of {where}."
    return None


_PARSE_PROBLEMS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "has no valid country calling code "
    "after the +.",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "is not a phone number.",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "is too short to be a phone number.",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "is too short to be a phone number.",
    phonenumbers.NumberParseException.TOO_LONG: "is too long to be a phone number.",
}
_LENGTH_PROBLEMS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "has no valid country calling code.",
    phonenumbers.ValidationResult.TOO_SHORT: "is too short for its country.",
    phonenumbers.ValidationResult.TOO_LONG: "is too long for its country.",
    phonenumbers.ValidationResult.INVALID_LENGTH: "does not have a length used in its country.",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "is a local number: add the country "
    "calling code and the area code.",
}


def iban_problem(value: Any) -> str | None:
    problem = text_problem(value)
    if problem is not None:
        return problem
    compact = stdnum_iban.compact(value)
    if not _IBAN_SHAPE.fullmatch(compact):
        return (
            f"{value!r} is not an IBAN: two letters of the country, two check digits and the "
            "account (for example RO49 AAAA 1B31 0075 9384 0000)."
        )
    if pycountry.countries.get(alpha_2=compact[:2]) is None:
        return f"{value!r}: an IBAN starts with its country's code, and {compact[:2]} is none."
    try:
        stdnum_iban.validate(compact)
    except InvalidChecksum:
        return (
            f"{value!r}: the IBAN's check digits do not match the rest; a character is wrong, "
            "missing or extra, or two are swapped."
        )
    except InvalidComponent:
        return f"{value!r}: {compact[:2]} is not a country that issues IBANs."
    except ValidationError:
        return (
            f"{value!r} does not have the length and format of an IBAN of "
            f"{_country_name(compact[:2])}."
        )
    return None


def vin_problem(value: Any) -> str | None:
    problem = text_problem(value)
    if problem is not None:
        return problem
    compact = _VIN_SEPARATORS.sub("", value).upper()
    if len(compact) != 17:
        return f"{value!r} has {len(compact)} letters and digits; a VIN (ISO 3779) has 17."
    wrong = sorted(set(compact) - _VIN_CHARACTERS)
    if wrong:
        return (
            f"{value!r} contains {', '.join(repr(c) for c in wrong)}: a VIN (ISO 3779) has only "
            "letters and digits, never I, O or Q."
        )
    return None


# --- Lists ----------------------------------------------------------------------------------


def _texts_errors(name: str, value: Any) -> Errors:
    if not isinstance(value, list):
        return {name: [f"must be a list of texts, not {_type_name(value)}."]}
    if len(value) > MAX_ALIASES:
        return {name: [f"holds more than {MAX_ALIASES} entries."]}
    errors: Errors = {}
    for position, item in enumerate(value):
        problem = text_problem(item)
        if problem is not None:
            errors[f"{name}[{position}]"] = [problem]
    return errors


def _documents_errors(parts: Mapping[str, Rule], name: str, value: Any) -> Errors:
    if not isinstance(value, list):
        return {name: [f"must be a list of documents, not {_type_name(value)}."]}
    if len(value) > MAX_DOCUMENTS:
        return {name: [f"holds more than {MAX_DOCUMENTS} documents."]}
    errors: Errors = {}
    for position, item in enumerate(value):
        path = f"{name}[{position}]"
        if not isinstance(item, Mapping):
            errors[path] = [f"must be a document ({', '.join(parts)}), not {_type_name(item)}."]
            continue
        errors |= _attributes_errors(parts, item, what="an identity document", prefix=path)
    return errors


# --- Entities -------------------------------------------------------------------------------


def _value(problem_of: Callable[[Any], str | None]) -> Rule:
    """The rule of a single value, from the function saying what is wrong with it."""

    def rule(path: str, value: Any) -> Errors:
        if isinstance(value, str) and not value.strip():
            return {}  # a blank text says nothing (and the blind index gives it no token)
        problem = problem_of(value)
        return {path: [problem]} if problem is not None else {}

    return rule


_VALUE_PROBLEMS: dict[AttributeType, Callable[[Any], str | None]] = {
    AttributeType.TEXT: text_problem,
    AttributeType.DATE: birth_date_problem,
    AttributeType.COUNTRY: country_problem,
    AttributeType.PHONE: phone_problem,
    AttributeType.IBAN: iban_problem,
    AttributeType.VIN: vin_problem,
}


def _rule(attribute: Attribute) -> Rule:
    """The rule of an attribute, from its declared type."""
    if attribute.type is AttributeType.TEXTS:
        return _texts_errors
    if attribute.type is AttributeType.DOCUMENTS:
        return partial(_documents_errors, _rules(attribute.parts))
    return _value(_VALUE_PROBLEMS[attribute.type])


def _rules(attributes: tuple[Attribute, ...]) -> dict[str, Rule]:
    # In the order declared: the order the messages list the known names in.
    return {attribute.name: _rule(attribute) for attribute in attributes}


_ATTRIBUTES: dict[str, dict[str, Rule]] = {
    schema.kind: _rules(schema.attributes) for schema in ENTITY_SCHEMAS
}


def known_attributes(kind: str) -> tuple[str, ...]:
    return tuple(_ATTRIBUTES.get(kind, ()))


def entity_errors(kind: Any, attributes: Any) -> Errors:
    """The problems of one entity, by attribute path; empty when every attribute is valid.
    Missing attributes, null ones and blank texts are not checked: they say nothing. (A blank
    text where a list belongs is refused: the blind index could not read it.)"""
    if kind not in _ATTRIBUTES:
        return {KIND: [f"Unknown kind of entity {kind!r}; known: {', '.join(_ATTRIBUTES)}."]}
    if not isinstance(attributes, Mapping):
        return {
            ATTRIBUTES: [
                f"must be an object of attribute names and values, not {_type_name(attributes)}."
            ]
        }
    what = f"a {SCHEMA_OF[kind].noun}"
    return _attributes_errors(_ATTRIBUTES[kind], attributes, what=what, prefix="")


def entity_problems(kind: Any, attributes: Any) -> list[str]:
    """The same problems as sentences, each naming its attribute."""
    return [
        message if path in (KIND, ATTRIBUTES) else f"{path}: {message}"
        for path, messages in entity_errors(kind, attributes).items()
        for message in messages
    ]


def _attributes_errors(
    rules: Mapping[str, Rule], attributes: Mapping[Any, Any], *, what: str, prefix: str
) -> Errors:
    errors: Errors = {}
    for name, value in attributes.items():
        path = f"{prefix}.{name}" if prefix else str(name)
        rule = rules.get(name) if isinstance(name, str) else None
        if rule is None:
            errors[path] = [f"Unknown attribute {name!r} for {what}; known: {', '.join(rules)}."]
        elif value is not None:
            errors |= rule(path, value)
    return errors


# --- Helpers --------------------------------------------------------------------------------


def latest_today() -> dt.date:
    """Today where it is latest (UTC+14): a later day is in the future everywhere."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()


def _country_name(code: str | None) -> str:
    if code in _EXTRA_COUNTRY_CODES:
        return _EXTRA_COUNTRY_CODES[code]
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country is not None else "its country"


def _type_name(value: Any) -> str:
    return {
        bool: "true or false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)
