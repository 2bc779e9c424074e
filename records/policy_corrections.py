"""The rules of corrections and inaccuracy flags: who may do what, what counts as a change, and
what an answer needs. Pure functions over plain values (no database), called by the services
(``records.services_corrections``, ``records.services_flags``) and by the tests.

- The provider corrects: the officers of the sender agency, who hold MANAGE on the exchange.
  Everybody else is answered "not found", as for an exchange that does not exist.
- A recipient flags: an officer who sees the exchange (VIEW) and is not of the provider's agency.
- A correction changes something: a value given again as it is stored (a page's CRLF line
  breaks for the API's LF, a country code in small letters, a date written 19800412 for
  1980-04-12, blanks at the edges) is no change.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from exchanges.entity_schema import SCHEMA_OF, Attribute, AttributeType
from exchanges.policy import Perm
from records.models import FlagOutcome


class Part(StrEnum):
    """What a correction may change; the audit event lists the parts changed, in this order."""

    SUBJECT = "subject"
    BODY = "body"
    EVALUATION = "evaluation"
    ENTITY = "entity"


def may_correct(perms: frozenset[Perm]) -> bool:
    """Only the provider (MANAGE: the sender agency's officers) corrects its information."""
    return Perm.MANAGE in perms


def may_flag(
    perms: frozenset[Perm], *, officer_agency_id: int | None, sender_agency_id: int
) -> bool:
    """A recipient flags a suspected inaccuracy: whoever sees the exchange from another agency
    than the provider's (the provider corrects instead)."""
    return (
        Perm.VIEW in perms
        and officer_agency_id is not None
        and officer_agency_id != sender_agency_id
    )


# --- What counts as a change ----------------------------------------------------------------


def same_text(current: str, new: str) -> bool:
    """Whether ``new`` says what ``current`` says, whatever its line breaks and edges."""
    return _text(current) == _text(new)


def _text(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def same_attributes(kind: str, current: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether two sets of an entity's attributes say the same, value by value as the schema
    declares them (a blank or null attribute says nothing)."""
    schema = SCHEMA_OF.get(kind)
    if schema is None:
        return dict(current) == dict(new)
    return _canonical(schema.attributes, current) == _canonical(schema.attributes, new)


def _canonical(attributes: tuple[Attribute, ...], values: Mapping[str, Any]) -> dict[str, Any]:
    declared = {attribute.name: attribute for attribute in attributes}
    found: dict[str, Any] = {}
    for name, value in values.items():
        attribute = declared.get(name)
        # An attribute the schema does not know is compared as given (the rules refuse it).
        canonical = _value(attribute, value) if attribute is not None else value
        if canonical not in ("", None, [], {}):
            found[name] = canonical
    return found


def _value(attribute: Attribute, value: Any) -> Any:
    if value is None:
        return None
    if attribute.type is AttributeType.DOCUMENTS and isinstance(value, list):
        documents = [
            _canonical(attribute.parts, item) if isinstance(item, Mapping) else item
            for item in value
        ]
        return [document for document in documents if document not in ({}, "", None)]
    if attribute.type is AttributeType.TEXTS and isinstance(value, list):
        return [_value_text(item) for item in value if _value_text(item) != ""]
    if not isinstance(value, str):
        return value
    text = value.strip()
    if attribute.type is AttributeType.COUNTRY:
        return text.upper()
    if attribute.type is AttributeType.DATE:
        return _iso_date(text)
    return text


def _value_text(item: Any) -> Any:
    return item.strip() if isinstance(item, str) else item


def _iso_date(text: str) -> str:
    # 19800412 and 1980-04-12 are one day (both are ISO 8601, as the rules accept them).
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return text


# --- What the audit event keeps of a replaced value -----------------------------------------


def digested_value(*, exchange_uuid: str, part: Part, value: str) -> str:
    """The text whose keyed digest the audit event keeps for a replaced part: bound to the
    exchange and the part, so that equal old values of two exchanges, or of the subject and
    the body, have different digests. Whoever holds the key and a candidate old value checks
    it by making the same text again (see docs/corrections.md)."""
    return f"{exchange_uuid}|{part.value}|{value}"


def evaluation_value(source_reliability: str, information_accuracy: str) -> str:
    """The evaluation as one value ("B2"; "-" for a code not set)."""
    return f"{source_reliability or '-'}{information_accuracy or '-'}"


def entity_value(kind: str, attributes: Mapping[str, Any]) -> str:
    """An entity as one value: its kind and attributes as stored, in JSON with sorted keys."""
    return json.dumps(
        {"kind": kind, "attributes": attributes},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


# --- Inaccuracy flags -----------------------------------------------------------------------


def answer_problems(*, outcome: str, answer: str, corrected_since_flag: bool) -> dict[str, str]:
    """What is wrong with a provider's answer to a flag, by field; empty when it may be given.
    Upholding the information as accurate says why; answering "corrected" needs a correction
    made since the flag was filed."""
    if outcome == FlagOutcome.UPHELD and not answer.strip():
        return {"answer": _("Say why the information is upheld as accurate.")}
    if outcome == FlagOutcome.CORRECTED and not corrected_since_flag:
        return {
            "outcome": _(
                "The exchange has not been corrected since the flag was filed: correct "
                "it first, or uphold it with your reasons."
            )
        }
    return {}
