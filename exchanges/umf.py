"""Entities in a JSON form aligned with the EU's Universal Message Format (UMF 3): its entity
and attribute names (``Person`` with ``fullName``, ``dateOfBirth``, ``nationality``;
``Vehicle`` with ``vin`` and ``licencePlate``...), for national systems that speak UMF.

One table (``UMF_ENTITIES``) names, for each kind of ``exchanges.entity_schema``, its UMF entity
and, for each of its attributes, the UMF attribute; the conversions both ways, the JSON Schema
(``exchanges.umf_schema``) and the docs' mapping table (docs/umf.md) read it. A test fails when
an attribute of the entity schema has no UMF name, so an attribute added there is spoken here
too, or the test says so.

Reading UMF (``entities_from_umf``) refuses by name, with its path in the caller's terms
(``document[0].issuingCountry``), every attribute the table does not know, and each value the
entity rules refuse: nothing reaches the services that nothing would read or match. A person's
name may come whole (``fullName``) or as ``givenName`` and ``familyName``, joined in that order
(the blind index sorts a name's words, so the order does not change a match); a person is
always written back with ``fullName``.

A whole exchange is a UMF message (``exchanges.umf_messages``) whose ``entities`` are these.

Pure functions: dictionaries in, dictionaries and messages out; no Django model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.utils.translation import gettext as _

from exchanges.entity_rules import MAX_TEXT, entity_errors, text_problem
from exchanges.entity_schema import (
    BANK_ACCOUNT,
    COMPANY,
    DOCUMENT,
    PERSON,
    PERSON_DOCUMENTS,
    PERSON_NAMES,
    PHONE,
    VEHICLE,
    AttributeType,
    EntitySchema,
)

# The member that tells an entity's UMF type (``Person``...).
ENTITY_TYPE = "entityType"
# A person's name in parts, on the way in only: joined into ``fullName``.
GIVEN_NAME = "givenName"
FAMILY_NAME = "familyName"
# The key of an error about an item that is no entity at all, as DRF keys errors of no field.
NOT_AN_ENTITY = "non_field_errors"
MEDIA_TYPE = "application/vnd.selec.umf+json"
VERSION = "3"

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class UmfEntity:
    """A kind of our entity schema as UMF names it: the entity, and each attribute's name.
    ``parts``: the UMF names of the attributes of each item of a list of documents."""

    name: str
    schema: EntitySchema
    attributes: Mapping[str, str]  # our attribute -> its UMF name
    parts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ours(self) -> Mapping[str, str]:
        """UMF name -> our attribute."""
        return {umf: ours for ours, umf in self.attributes.items()}

    @property
    def our_parts(self) -> Mapping[str, str]:
        return {umf: ours for ours, umf in self.parts.items()}


_DOCUMENT_NAMES = MappingProxyType(
    {"type": "documentType", "number": "documentNumber", "issuing_country": "issuingCountry"}
)

UMF_ENTITIES: tuple[UmfEntity, ...] = (
    UmfEntity(
        "Person",
        PERSON,
        MappingProxyType(
            {
                "names": "fullName",
                "aliases": "alias",
                "date_of_birth": "dateOfBirth",
                "nationality": "nationality",
                "documents": "document",
            }
        ),
        parts=_DOCUMENT_NAMES,
    ),
    UmfEntity(
        "Vehicle",
        VEHICLE,
        MappingProxyType(
            {
                "plate": "licencePlate",
                "vin": "vin",
                "make": "make",
                "model": "model",
                "colour": "colour",
            }
        ),
    ),
    UmfEntity("Document", DOCUMENT, _DOCUMENT_NAMES),
    UmfEntity("Phone", PHONE, MappingProxyType({"number": "phoneNumber"})),
    UmfEntity(
        "Organisation",
        COMPANY,
        MappingProxyType(
            {
                "name": "organisationName",
                "registration_number": "registrationNumber",
                "country": "countryOfRegistration",
            }
        ),
    ),
    UmfEntity(
        "BankAccount",
        BANK_ACCOUNT,
        MappingProxyType(
            {
                "iban": "iban",
                "number": "accountNumber",
                "bank": "bankName",
                "holder": "accountHolder",
            }
        ),
    ),
)
UMF_OF_KIND: Mapping[str, UmfEntity] = MappingProxyType(
    {entity.schema.kind: entity for entity in UMF_ENTITIES}
)
UMF_BY_NAME: Mapping[str, UmfEntity] = MappingProxyType(
    {entity.name: entity for entity in UMF_ENTITIES}
)
_FULL_NAME = UMF_OF_KIND[PERSON.kind].attributes[PERSON_NAMES.name]
_PATH_STEP = re.compile(r"(?P<name>[^.\[]+)(?P<index>\[\d+\])?")


# --- Ours -> UMF ----------------------------------------------------------------------------


def entity_to_umf(kind: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """One of our entities (its kind and attributes, as stored) as a UMF entity. Values are
    kept as they are; only the names change."""
    umf = UMF_OF_KIND[kind]
    entity: dict[str, Any] = {ENTITY_TYPE: umf.name}
    for name, value in attributes.items():
        if name == PERSON_DOCUMENTS.name and kind == PERSON.kind and isinstance(value, list):
            value = [_renamed(item, umf.parts) for item in value]
        entity[umf.attributes[name]] = value
    return entity


def _renamed(item: Any, names: Mapping[str, str]) -> Any:
    if not isinstance(item, Mapping):
        return item
    return {names[name]: value for name, value in item.items()}


# --- UMF -> ours ----------------------------------------------------------------------------


def entity_from_umf(entity: Any) -> tuple[tuple[str, dict[str, Any]] | None, Errors]:
    """A UMF entity as one of ours, (kind, attributes); or None and its errors, keyed by the
    path of the UMF attribute each concerns. Unknown attributes are refused by name, and the
    values by the entity rules, their paths given back in UMF terms."""
    if not isinstance(entity, Mapping):
        return None, {
            NOT_AN_ENTITY: [_("must be a UMF entity: an object with %(member)s.") % _member()]
        }
    entity_type = entity.get(ENTITY_TYPE)
    umf = UMF_BY_NAME.get(entity_type) if isinstance(entity_type, str) else None
    if umf is None:
        return None, {ENTITY_TYPE: [_unknown_type(entity_type)]}
    ours, errors = _attributes_from_umf(umf, entity)
    if errors:
        return None, errors
    for path, messages in entity_errors(umf.schema.kind, ours).items():
        for umf_path in _umf_paths(umf, path, entity):
            errors.setdefault(umf_path, []).extend(messages)
    if errors:
        return None, errors
    return (umf.schema.kind, ours), {}


def _attributes_from_umf(
    umf: UmfEntity, entity: Mapping[str, Any]
) -> tuple[dict[str, Any], Errors]:
    names = umf.ours
    errors: Errors = {}
    ours: dict[str, Any] = {}
    given_parts = [key for key in (GIVEN_NAME, FAMILY_NAME) if key in entity]
    is_person = umf.schema is PERSON
    for key, value in entity.items():
        if key == ENTITY_TYPE or (is_person and key in given_parts):
            continue
        if key not in names:
            errors[key] = [_unknown_attribute(key, umf.name, _known(umf))]
        elif umf.schema is PERSON and names[key] == PERSON_DOCUMENTS.name:
            ours[PERSON_DOCUMENTS.name] = _documents_from_umf(umf, key, value, errors)
        else:
            ours[names[key]] = value
    if is_person and given_parts:
        if _FULL_NAME in entity:
            message = _("Give %(full)s, or %(given)s and %(family)s, not both.") % {
                "full": _FULL_NAME,
                "given": GIVEN_NAME,
                "family": FAMILY_NAME,
            }
            errors |= {key: [message] for key in given_parts}
        else:
            errors |= _joined_name(entity, given_parts, ours)
    return ours, errors


def _documents_from_umf(umf: UmfEntity, key: str, value: Any, errors: Errors) -> Any:
    """A person's documents with our names; an unknown name in one is an error, and a value
    that is no list of objects goes to the entity rules as given (they name what is wrong)."""
    if not isinstance(value, list):
        return value
    names = umf.our_parts
    documents: list[Any] = []
    for position, item in enumerate(value):
        if not isinstance(item, Mapping):
            documents.append(item)
            continue
        for name in item:
            if name not in names:
                what = _("a UMF %(entity)s's document") % {"entity": umf.name}
                errors[f"{key}[{position}].{name}"] = [
                    _unknown_attribute(name, what, ", ".join(umf.parts.values()), named=False)
                ]
        documents.append({names[name]: v for name, v in item.items() if name in names})
    return documents


def _joined_name(entity: Mapping[str, Any], given_parts: list[str], ours: dict[str, Any]) -> Errors:
    errors: Errors = {}
    words: list[str] = []
    for key in given_parts:
        value = entity[key]
        if value is None:
            continue
        problem = text_problem(value)
        if problem is not None:
            errors[key] = [problem]
        elif value.strip():
            words.append(value.strip())
    joined = " ".join(words)
    if not errors and len(joined) > MAX_TEXT:
        message = _("%(given)s and %(family)s together are longer than %(max)d characters.") % {
            "given": GIVEN_NAME,
            "family": FAMILY_NAME,
            "max": MAX_TEXT,
        }
        errors |= {key: [message] for key in given_parts}
    if words and not errors:
        ours[PERSON_NAMES.name] = joined
    return errors


def _umf_paths(umf: UmfEntity, path: str, entity: Mapping[str, Any]) -> list[str]:
    """The UMF paths of an error the entity rules keyed by our path ("documents[0].number" ->
    "document[0].documentNumber"); the name made of givenName and familyName names both."""
    steps = [_PATH_STEP.fullmatch(step) for step in path.split(".")]
    if not steps or any(step is None for step in steps):
        return [path]
    first = steps[0]
    assert first is not None  # for the checker: every step matched
    if first["name"] == PERSON_NAMES.name and umf.schema is PERSON and _FULL_NAME not in entity:
        return [key for key in (GIVEN_NAME, FAMILY_NAME) if key in entity]
    renamed = [umf.attributes.get(first["name"], first["name"]) + (first["index"] or "")]
    for step in steps[1:]:
        assert step is not None
        renamed.append(umf.parts.get(step["name"], step["name"]) + (step["index"] or ""))
    return [".".join(renamed)]


def entities_from_umf(entities: Any) -> tuple[list[dict[str, Any]], dict[int, Errors] | list[str]]:
    """A list of UMF entities as our entities ({"kind", "attributes"}), or the errors: by
    position, then by UMF path; a value that is no list, one message."""
    if not isinstance(entities, list):
        return [], [
            _("must be a list of UMF entities, each an object with %(member)s.") % _member()
        ]
    converted: list[dict[str, Any]] = []
    errors: dict[int, Errors] = {}
    for position, entity in enumerate(entities):
        ours, problems = entity_from_umf(entity)
        if problems:
            errors[position] = problems
        elif ours is not None:
            converted.append({"kind": ours[0], "attributes": ours[1]})
    return converted, errors


# --- Messages -------------------------------------------------------------------------------


def _member() -> dict[str, str]:
    return {"member": ENTITY_TYPE}


def _known(umf: UmfEntity) -> str:
    names = list(umf.attributes.values())
    if umf.schema is PERSON:
        names[1:1] = [GIVEN_NAME, FAMILY_NAME]
    return ", ".join(names)


def _unknown_type(value: Any) -> str:
    # Translators: %(member)s is "entityType"; %(value)s the value given, quoted; %(known)s
    # the UMF entity names (Person, Vehicle...), which are not translated.
    return _("%(member)s %(value)s is not a UMF entity of SELEC; known: %(known)s.") % {
        "member": ENTITY_TYPE,
        "value": repr(value),
        "known": ", ".join(UMF_BY_NAME),
    }


def _unknown_attribute(name: str, what: str, known: str, *, named: bool = True) -> str:
    # Translators: %(name)s is the attribute given, quoted; %(what)s the entity ("Person", or
    # "a UMF Person's document"); %(known)s the UMF attribute names, not translated.
    if named:
        what = _("a UMF %(entity)s") % {"entity": what}
    return _(
        "Unknown attribute %(name)s for %(what)s: SELEC would neither show nor match it; "
        "known: %(known)s."
    ) % {"name": repr(name), "what": what, "known": known}


def mapping_rows() -> list[tuple[str, str, str, str]]:
    """(UMF entity, UMF attribute, our kind, our attribute) for every name of the table, in
    the entity schema's order: the docs' mapping table (docs/umf.md, held to it by a test).
    The name in parts is read, never written."""
    rows: list[tuple[str, str, str, str]] = []
    for umf in UMF_ENTITIES:
        for attribute in umf.schema.attributes:
            rows.append((umf.name, umf.attributes[attribute.name], umf.schema.kind, attribute.name))
            if attribute is PERSON_NAMES:
                parts = f"{GIVEN_NAME} + {FAMILY_NAME}"
                rows.append((umf.name, parts, umf.schema.kind, attribute.name))
            if attribute.type is AttributeType.DOCUMENTS:
                for part in attribute.parts:
                    rows.append(
                        (
                            umf.name,
                            f"{umf.attributes[attribute.name]}[].{umf.parts[part.name]}",
                            umf.schema.kind,
                            f"{attribute.name}[].{part.name}",
                        )
                    )
    return rows
