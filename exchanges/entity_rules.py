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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
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
        # Translators: said of an attribute named before it; %(type)s is "a number", "a list"...
        return _("must be text, not %(type)s.") % {"type": _type_name(value)}
    if any(unicodedata.category(c) == "Cs" for c in value):
        return _("is not valid text (it holds half of a character).")
    if any(unicodedata.category(c) == "Cc" for c in value):
        return _("must not contain control characters (tabs, line breaks, NUL).")
    if len(value) > MAX_TEXT:
        # Translators: said of an attribute named before it.
        return ngettext(
            "is longer than %(max)d character.", "is longer than %(max)d characters.", MAX_TEXT
        ) % {"max": MAX_TEXT}
    return None


def country_problem(value: Any) -> str | None:
    problem = text_problem(value)
    if problem is not None:
        return problem
    code = value.strip().upper()
    if len(code) == 2 and code.isascii() and code.isalpha():
        if code in _EXTRA_COUNTRY_CODES or pycountry.countries.get(alpha_2=code) is not None:
            return None
        # Translators: %(value)s is the value given, quoted.
        return _("%(value)s is not an ISO 3166 country code: no country has it.") % {
            "value": repr(value)
        }
    return _("%(value)s is not an ISO 3166 country code (two letters, for example RO, BG, RS).") % {
        "value": repr(value)
    }


def birth_date_problem(value: Any, *, today: dt.date | None = None) -> str | None:
    if isinstance(value, dt.datetime) or not isinstance(value, str | dt.date):
        # Translators: said of an attribute named before it; %(type)s is "a number", "a list"...
        return _("must be a date (YYYY-MM-DD), not %(type)s.") % {"type": _type_name(value)}
    if isinstance(value, str):
        text = value.strip()
        if not _CALENDAR_DATE.fullmatch(text):
            return _("%(value)s is not a date in ISO 8601 form (YYYY-MM-DD, e.g. 1980-04-12).") % {
                "value": repr(value)
            }
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return _("%(value)s is not a day of the calendar.") % {"value": repr(value)}
    else:
        day = value
    if day > (today or latest_today()):
        # Translators: %(date)s is a date as YYYY-MM-DD.
        return _("%(date)s is in the future.") % {"date": day.isoformat()}
    if day < FIRST_BIRTH_DATE:
        # Translators: %(date)s is a date as YYYY-MM-DD, %(year)s the earliest year accepted.
        return _("%(date)s is before %(year)s: check the year.") % {
            "date": day.isoformat(),
            "year": FIRST_BIRTH_DATE.year,
        }
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
        return _(
            "%(value)s: give the number in international format, with + and the country "
            "calling code (for example +40 721 000 000)."
        ) % {"value": repr(value)}
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        parse_problem = _PARSE_PROBLEMS.get(exc.error_type, _NOT_A_PHONE_NUMBER)
        return str(parse_problem) % {"value": repr(value)}
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in _LENGTH_PROBLEMS:
        return str(_LENGTH_PROBLEMS[reason]) % {"value": repr(value)}
    if not phonenumbers.is_valid_number(number):
        where = _country_name(phonenumbers.region_code_for_number(number))
        # Translators: %(value)s is the number given, quoted; %(country)s a country's name.
        return _("%(value)s is not a valid number in the numbering plan of %(country)s.") % {
            "value": repr(value),
            "country": where,
        }
    return None


# Translators (these phone number problems): %(value)s is the number given, quoted.
_NOT_A_PHONE_NUMBER = gettext_lazy("%(value)s is not a phone number.")
_TOO_SHORT_FOR_A_PHONE_NUMBER = gettext_lazy("%(value)s is too short to be a phone number.")
_PARSE_PROBLEMS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: gettext_lazy(
        "%(value)s has no valid country calling code after the +."
    ),
    phonenumbers.NumberParseException.NOT_A_NUMBER: _NOT_A_PHONE_NUMBER,
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: _TOO_SHORT_FOR_A_PHONE_NUMBER,
    phonenumbers.NumberParseException.TOO_SHORT_NSN: _TOO_SHORT_FOR_A_PHONE_NUMBER,
    phonenumbers.NumberParseException.TOO_LONG: gettext_lazy(
        "%(value)s is too long to be a phone number."
    ),
}
_LENGTH_PROBLEMS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: gettext_lazy(
        "%(value)s has no valid country calling code."
    ),
    phonenumbers.ValidationResult.TOO_SHORT: gettext_lazy(
        "%(value)s is too short for its country."
    ),
    phonenumbers.ValidationResult.TOO_LONG: gettext_lazy("%(value)s is too long for its country."),
    phonenumbers.ValidationResult.INVALID_LENGTH: gettext_lazy(
        "%(value)s does not have a length used in its country."
    ),
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: gettext_lazy(
        "%(value)s is a local number: add the country calling code and the area code."
    ),
}


def iban_problem(value: Any) -> str | None:
    problem = text_problem(value)
    if problem is not None:
        return problem
    compact = stdnum_iban.compact(value)
    if not _IBAN_SHAPE.fullmatch(compact):
        return _(
            "%(value)s is not an IBAN: two letters of the country, two check digits and the "
            "account (for example RO49 AAAA 1B31 0075 9384 0000)."
        ) % {"value": repr(value)}
    if pycountry.countries.get(alpha_2=compact[:2]) is None:
        # Translators: %(value)s is the IBAN given, quoted; %(code)s its first two letters.
        return _("%(value)s: an IBAN starts with its country's code, and %(code)s is none.") % {
            "value": repr(value),
            "code": compact[:2],
        }
    try:
        stdnum_iban.validate(compact)
    except InvalidChecksum:
        return _(
            "%(value)s: the IBAN's check digits do not match the rest; a character is wrong, "
            "missing or extra, or two are swapped."
        ) % {"value": repr(value)}
    except InvalidComponent:
        # Translators: %(value)s is the IBAN given, quoted; %(code)s a country code.
        return _("%(value)s: %(code)s is not a country that issues IBANs.") % {
            "value": repr(value),
            "code": compact[:2],
        }
    except ValidationError:
        # Translators: %(value)s is the IBAN given, quoted; %(country)s a country's name.
        return _("%(value)s does not have the length and format of an IBAN of %(country)s.") % {
            "value": repr(value),
            "country": _country_name(compact[:2]),
        }
    return None


def vin_problem(value: Any) -> str | None:
    problem = text_problem(value)
    if problem is not None:
        return problem
    compact = _VIN_SEPARATORS.sub("", value).upper()
    if len(compact) != 17:
        # Translators: %(value)s is the VIN given, quoted.
        return ngettext(
            "%(value)s has %(count)d letter or digit; a VIN (ISO 3779) has 17.",
            "%(value)s has %(count)d letters and digits; a VIN (ISO 3779) has 17.",
            len(compact),
        ) % {"value": repr(value), "count": len(compact)}
    wrong = sorted(set(compact) - _VIN_CHARACTERS)
    if wrong:
        # Translators: %(value)s is the VIN given, quoted; %(characters)s the characters
        # refused, quoted and separated by commas.
        return _(
            "%(value)s contains %(characters)s: a VIN (ISO 3779) has only "
            "letters and digits, never I, O or Q."
        ) % {"value": repr(value), "characters": ", ".join(repr(c) for c in wrong)}
    return None


# --- Lists ----------------------------------------------------------------------------------


def _texts_errors(name: str, value: Any) -> Errors:
    if not isinstance(value, list):
        return {name: [_("must be a list of texts, not %(type)s.") % {"type": _type_name(value)}]}
    if len(value) > MAX_ALIASES:
        message = ngettext(
            "holds more than %(max)d entry.", "holds more than %(max)d entries.", MAX_ALIASES
        )
        return {name: [message % {"max": MAX_ALIASES}]}
    errors: Errors = {}
    for position, item in enumerate(value):
        problem = text_problem(item)
        if problem is not None:
            errors[f"{name}[{position}]"] = [problem]
    return errors


def _documents_errors(parts: Mapping[str, Rule], name: str, value: Any) -> Errors:
    if not isinstance(value, list):
        return {
            name: [_("must be a list of documents, not %(type)s.") % {"type": _type_name(value)}]
        }
    if len(value) > MAX_DOCUMENTS:
        message = ngettext(
            "holds more than %(max)d document.", "holds more than %(max)d documents.", MAX_DOCUMENTS
        )
        return {name: [message % {"max": MAX_DOCUMENTS}]}
    errors: Errors = {}
    for position, item in enumerate(value):
        path = f"{name}[{position}]"
        if not isinstance(item, Mapping):
            # Translators: %(parts)s lists attribute names (type, number, issuing_country).
            errors[path] = [
                _("must be a document (%(parts)s), not %(type)s.")
                % {"parts": ", ".join(parts), "type": _type_name(item)}
            ]
            continue
        errors |= _attributes_errors(parts, item, what=_("an identity document"), prefix=path)
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
        # Translators: %(kind)s is the kind given, quoted; %(known)s the kinds' codes.
        message = _("Unknown kind of entity %(kind)s; known: %(known)s.") % {
            "kind": repr(kind),
            "known": ", ".join(_ATTRIBUTES),
        }
        return {KIND: [message]}
    if not isinstance(attributes, Mapping):
        return {
            ATTRIBUTES: [
                _("must be an object of attribute names and values, not %(type)s.")
                % {"type": _type_name(attributes)}
            ]
        }
    # Translators: an entity named by its kind's code: "a person", "a bank account".
    what = _("a %(kind)s") % {"kind": SCHEMA_OF[kind].noun}
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
            # Translators: %(name)s is the attribute given, quoted; %(what)s the entity ("a
            # person", "an identity document"); %(known)s the attribute names it has.
            errors[path] = [
                _("Unknown attribute %(name)s for %(what)s; known: %(known)s.")
                % {"name": repr(name), "what": what, "known": ", ".join(rules)}
            ]
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
    return country.name if country is not None else _("its country")


def _type_name(value: Any) -> str:
    names = {
        bool: _("true or false"),
        int: _("a number"),
        float: _("a number"),
        list: _("a list"),
        dict: _("an object"),
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
