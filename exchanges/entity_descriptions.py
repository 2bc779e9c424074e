"""What the API says about each attribute of an entity: its label, what its type holds and
whether hit/no-hit matches on it. Read by the API's entity serializers (``exchanges.api_inputs``)
and by the UMF JSON Schema (``exchanges.umf_schema``), so both describe an attribute alike.
The rules themselves are ``exchanges.entity_rules``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.text import format_lazy

from exchanges.entity_rules import FIRST_BIRTH_DATE, MAX_ALIASES, MAX_DOCUMENTS, MAX_TEXT
from exchanges.entity_schema import Attribute, AttributeType

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The most entities one message carries.
MAX_ENTITIES = 300

# What each type of attribute holds, as the API's description says it.
HOLDS: dict[AttributeType, str] = {
    AttributeType.TEXT: f"Text, at most {MAX_TEXT} characters, no control characters.",
    AttributeType.TEXTS: f"At most {MAX_ALIASES} texts.",
    AttributeType.DATE: "An ISO 8601 calendar date (1980-04-12 or 19800412), from "
    f"{FIRST_BIRTH_DATE.year} on, not in the future.",
    AttributeType.COUNTRY: "An ISO 3166-1 alpha-2 country code (RO), or XK (Kosovo).",
    AttributeType.PHONE: "In international format (+40 721 000 000, or 0040...), valid in its "
    "country's numbering plan.",
    AttributeType.IBAN: "An IBAN in its country's format, its check digits verified.",
    AttributeType.VIN: "17 letters and digits without I, O or Q (ISO 3779).",
    AttributeType.DOCUMENTS: f"At most {MAX_DOCUMENTS} identity documents.",
}


def attribute_description(attribute: Attribute) -> StrOrPromise:
    matched = " Matched by hit/no-hit." if attribute.identifying else ""
    return format_lazy("{}. {}{}", attribute.label, HOLDS[attribute.type], matched)
