"""The entity schema: per kind of entity, the attributes it has, declared once.

Everything that handles an entity's attributes reads them from here: the rules of what each
may hold (``exchanges.entity_rules``, one rule per type), the compose page's and the hit
search's forms (``exchanges.forms_entities``, one field per attribute), the API's per-kind
serializers and their OpenAPI description (``exchanges.api_inputs``), and the blind index
(``hits.blind_index``), which reads the identifying attributes through the declarations below
rather than by names of its own. An attribute added here is accepted, shown and described
everywhere; marking it identifying is not enough for a token: the blind index must read it
(a test holds the two together).

Pure and immutable: frozen dataclasses and tuples, no Django model. The labels are lazy
translations, read by the pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class AttributeType(StrEnum):
    """What an attribute holds; each type has its rule in ``exchanges.entity_rules``."""

    TEXT = "text"
    TEXTS = "texts"  # a list of texts
    DATE = "date"  # an ISO 8601 calendar date of the past (a date of birth)
    COUNTRY = "country"  # an ISO 3166-1 alpha-2 code, or XK
    PHONE = "phone"  # an international phone number
    IBAN = "iban"
    VIN = "vin"
    DOCUMENTS = "documents"  # a list of documents, each with the attributes of ``DOCUMENT``


@dataclass(frozen=True)
class Attribute:
    name: str
    label: StrOrPromise
    type: AttributeType
    # Read by the blind index: its value gives (or is part of) a hit/no-hit token.
    identifying: bool = False
    # What the pages say beside the field.
    help_text: StrOrPromise = ""
    # For a list of documents: the attributes of each document.
    parts: tuple[Attribute, ...] = ()

    def __post_init__(self) -> None:
        if bool(self.parts) != (self.type is AttributeType.DOCUMENTS):
            raise ValueError(f"{self.name}: only a list of documents has parts, and it must.")

    def helped(self, help_text: StrOrPromise) -> Attribute:
        """The same attribute with what the pages say beside its field."""
        return replace(self, help_text=help_text)

    def value_in(self, attributes: Mapping[str, Any]) -> Any:
        """This attribute's value in an entity's attributes (None when missing)."""
        return attributes.get(self.name)


@dataclass(frozen=True)
class Asked:
    """What the pages ask of a row before it is sent: one of these attributes. A single one is
    a required field; several are alternatives, and ``missing`` names them. (The API and the
    services take any subset: an entity without them gives no token and matches nothing.)"""

    attributes: tuple[Attribute, ...]
    missing: StrOrPromise = ""

    def __post_init__(self) -> None:
        if not self.attributes or (len(self.attributes) > 1) != bool(self.missing):
            raise ValueError("Alternatives need the message that names them.")


@dataclass(frozen=True)
class EntitySchema:
    kind: str  # the value of exchanges.models.EntityKind
    attributes: tuple[Attribute, ...]
    asked: Asked

    def __post_init__(self) -> None:
        names = self.names
        if len(set(names)) != len(names):
            raise ValueError(f"{self.kind}: an attribute is declared twice.")
        if not set(self.asked.attributes) <= set(self.attributes):
            raise ValueError(f"{self.kind}: asks for an attribute it does not have.")

    @property
    def noun(self) -> str:
        """As the rules' messages name an entity of the kind ("a bank account")."""
        return self.kind.replace("_", " ")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(attribute.name for attribute in self.attributes)

    @property
    def identifying(self) -> tuple[Attribute, ...]:
        return tuple(attribute for attribute in self.attributes if attribute.identifying)


def _texts(**labels: StrOrPromise) -> tuple[Attribute, ...]:
    """Attributes that describe (texts, not identifying), by name and label."""
    return tuple(Attribute(name, label, AttributeType.TEXT) for name, label in labels.items())


# --- Documents: an entity of their own, and each of a person's documents --------------------

DOCUMENT_TYPE = Attribute(
    "type", _("Document type"), AttributeType.TEXT, help_text=_("e.g. passport, identity card")
)
# Numbers are unique only within the issuing country: the token joins the two.
DOCUMENT_NUMBER = Attribute("number", _("Document number"), AttributeType.TEXT, identifying=True)
DOCUMENT_ISSUING_COUNTRY = Attribute(
    "issuing_country", _("Issuing country"), AttributeType.COUNTRY, identifying=True
)
DOCUMENT = EntitySchema(
    "document",
    (DOCUMENT_TYPE, DOCUMENT_NUMBER, DOCUMENT_ISSUING_COUNTRY),
    Asked((DOCUMENT_NUMBER,)),
)

# --- People ---------------------------------------------------------------------------------

PERSON_NAMES = Attribute("names", _("Names"), AttributeType.TEXT, identifying=True).helped(
    _("As written in the documents")
)
PERSON_ALIASES = Attribute("aliases", _("Aliases"), AttributeType.TEXTS, identifying=True)
PERSON_DATE_OF_BIRTH = Attribute(
    "date_of_birth", _("Date of birth"), AttributeType.DATE, identifying=True
)
PERSON_NATIONALITY = Attribute("nationality", _("Nationality"), AttributeType.COUNTRY)
# A person's documents: the number and issuing country of each identify the person.
PERSON_DOCUMENTS = Attribute(
    "documents",
    _("Documents"),
    AttributeType.DOCUMENTS,
    identifying=True,
    parts=DOCUMENT.attributes,
)
PERSON = EntitySchema(
    "person",
    (PERSON_NAMES, PERSON_ALIASES, PERSON_DATE_OF_BIRTH, PERSON_NATIONALITY, PERSON_DOCUMENTS),
    Asked((PERSON_NAMES,)),
)

# --- Vehicles: the plate and the VIN identify; make, model and colour describe -------------

VEHICLE_PLATE = Attribute("plate", _("Registration plate"), AttributeType.TEXT, identifying=True)
VEHICLE_VIN = Attribute("vin", _("VIN"), AttributeType.VIN, identifying=True)
VEHICLE = EntitySchema(
    "vehicle",
    (VEHICLE_PLATE, VEHICLE_VIN, *_texts(make=_("Make"), model=_("Model"), colour=_("Colour"))),
    Asked((VEHICLE_PLATE, VEHICLE_VIN), _("Give the registration plate or the VIN.")),
)

# --- Phones ---------------------------------------------------------------------------------

PHONE_NUMBER = Attribute("number", _("Phone number"), AttributeType.PHONE, identifying=True).helped(
    _("International format: +40 721 000 000")
)
PHONE = EntitySchema("phone", (PHONE_NUMBER,), Asked((PHONE_NUMBER,)))

# --- Companies: the name, qualified by the country when given ------------------------------

COMPANY_NAME = Attribute("name", _("Company name"), AttributeType.TEXT, identifying=True)
COMPANY_COUNTRY = Attribute("country", _("Country"), AttributeType.COUNTRY, identifying=True)
COMPANY = EntitySchema(
    "company",
    (COMPANY_NAME, *_texts(registration_number=_("Registration number")), COMPANY_COUNTRY),
    Asked((COMPANY_NAME,)),
)

# --- Bank accounts: the IBAN and a domestic account number both identify it ----------------

BANK_ACCOUNT_IBAN = Attribute("iban", _("IBAN"), AttributeType.IBAN, identifying=True)
BANK_ACCOUNT_NUMBER = Attribute(
    "number", _("Account number"), AttributeType.TEXT, identifying=True
).helped(_("When there is no IBAN"))
BANK_ACCOUNT = EntitySchema(
    "bank_account",
    (BANK_ACCOUNT_IBAN, BANK_ACCOUNT_NUMBER, *_texts(bank=_("Bank"), holder=_("Holder"))),
    Asked((BANK_ACCOUNT_IBAN, BANK_ACCOUNT_NUMBER), _("Give the IBAN or the account number.")),
)

# The attributes that hold names, as (kind, attribute): shown as the provider wrote them, with
# a transliteration for a reader of another script.
NAMES: frozenset[tuple[str, str]] = frozenset(
    {
        (PERSON.kind, PERSON_NAMES.name),
        (PERSON.kind, PERSON_ALIASES.name),
        (COMPANY.kind, COMPANY_NAME.name),
    }
)

# Every kind, in the order the pages show them and the messages list them.
ENTITY_SCHEMAS: tuple[EntitySchema, ...] = (PERSON, VEHICLE, DOCUMENT, PHONE, COMPANY, BANK_ACCOUNT)
SCHEMA_OF: Mapping[str, EntitySchema] = MappingProxyType(
    {schema.kind: schema for schema in ENTITY_SCHEMAS}
)
