"""The entity forms: one per kind of entity, as rows of the compose page (a formset per kind)
and as the hit search's entity fields.

Each kind's form is built from its declaration in ``exchanges.entity_schema``: one field per
attribute, named, labelled and typed as declared (a list of texts is typed with commas, a
person's documents are shown as the fields of one document, "document_number"...). What each
may hold is decided in exchanges.entity_rules, for the page as for the API and the services:
the fields here only parse; what the page asks for before a row is sent is the schema's
``asked``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext_lazy as _

from exchanges.entity_rules import MAX_ALIASES, MAX_TEXT, entity_errors
from exchanges.entity_schema import (
    BANK_ACCOUNT,
    COMPANY,
    DOCUMENT,
    DOCUMENT_NUMBER,
    ENTITY_SCHEMAS,
    PERSON,
    PHONE,
    VEHICLE,
    Attribute,
    AttributeType,
    EntitySchema,
)
from exchanges.models import EntityKind
from exchanges.services.inputs import EntityInput
from selec.core.form_fields import LabelledForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Most entities of one kind a single exchange carries (a larger set belongs in an attachment).
MAX_ENTITIES_PER_KIND = 50


class CountryField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("ISO code, e.g. RO"))
        # The browser stops at two letters; the server has no length check of its own, so that
        # "Romania" gets the entity rule's message naming the standard.
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"maxlength": 2, "size": 3, "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        # None only for a field built with empty_value=None (none here), which keeps it.
        return None if text is None else text.upper()


def _text(
    label: StrOrPromise, *, required: bool = False, help_text: StrOrPromise = ""
) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=MAX_TEXT, help_text=help_text)


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in ("", None, [])}


# The page shows one document of a person, its fields named after the document's attributes.
_DOCUMENT_FIELD_PREFIX = "document_"


def _field(attribute: Attribute, *, required: bool) -> forms.Field:
    """The form field of one attribute (not a list of documents: its parts have fields)."""
    if attribute.type is AttributeType.COUNTRY:
        return CountryField(label=attribute.label, required=required)
    if attribute.type is AttributeType.DATE:
        return forms.DateField(
            label=attribute.label,
            required=required,
            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        )
    if attribute.type is AttributeType.TEXTS:
        return _text(attribute.label, required=required, help_text=_("Separated by commas"))
    return _text(attribute.label, required=required, help_text=attribute.help_text)


def _fields(schema: EntitySchema) -> dict[str, forms.Field]:
    # A single attribute asked for is a required field; alternatives are checked by clean().
    asked = schema.asked.attributes
    required = asked if len(asked) == 1 else ()
    fields: dict[str, forms.Field] = {}
    for attribute in schema.attributes:
        if attribute.type is AttributeType.DOCUMENTS:
            for part in attribute.parts:
                fields[_DOCUMENT_FIELD_PREFIX + part.name] = _field(part, required=False)
        else:
            fields[attribute.name] = _field(attribute, required=attribute in required)
    return fields


def _field_of_attribute(schema: EntitySchema) -> dict[str, str]:
    """The field that shows an attribute path's errors, where it is not the field of that name:
    an alias's shows on the aliases, the first document's on the document's fields."""
    fields: dict[str, str] = {}
    for attribute in schema.attributes:
        if attribute.type is AttributeType.TEXTS:
            fields |= {f"{attribute.name}[{i}]": attribute.name for i in range(MAX_ALIASES)}
        elif attribute.type is AttributeType.DOCUMENTS:
            fields |= {
                f"{attribute.name}[0].{part.name}": _DOCUMENT_FIELD_PREFIX + part.name
                for part in attribute.parts
            }
    return fields


class EntityForm(LabelledForm):
    schema: ClassVar[EntitySchema]
    kind: ClassVar[EntityKind]
    FIELD_OF_ATTRIBUTE: ClassVar[dict[str, str]] = {}

    def clean(self) -> dict[str, Any]:
        # Form.clean() answers cleaned_data itself (the stubs allow a subclass's None).
        super().clean()
        data = self.cleaned_data
        # The attributes the fields parsed, checked by the entity rules; a field that did not
        # parse already shows its own error.
        for path, messages in entity_errors(self.kind.value, self.attributes()).items():
            field = self.FIELD_OF_ATTRIBUTE.get(path, path)
            self.add_error(field if field in self.fields else None, messages)
        asked = self.schema.asked
        if asked.missing and not any(data.get(a.name) for a in asked.attributes):
            self.add_error(asked.attributes[0].name, asked.missing)
        self._check_document()
        return data

    def _check_document(self) -> None:
        # A person's document, when one is given, needs its number (no field: no document).
        data = self.cleaned_data
        number = _DOCUMENT_FIELD_PREFIX + DOCUMENT_NUMBER.name
        given = any(
            data.get(name) for name in self.fields if name.startswith(_DOCUMENT_FIELD_PREFIX)
        )
        if given and not data.get(number):
            self.add_error(number, _("Give the document's number."))

    def attributes(self) -> dict[str, object]:
        # Only what parsed (clean() calls this before every field is known to be valid).
        data = self.cleaned_data
        return _compact(
            {attribute.name: self._value(attribute, data) for attribute in self.schema.attributes}
        )

    @staticmethod
    def _value(attribute: Attribute, data: dict[str, Any]) -> object:
        value = data.get(attribute.name)
        if attribute.type is AttributeType.TEXTS:
            return [item.strip() for item in (value or "").split(",") if item.strip()]
        if attribute.type is AttributeType.DATE:
            return value.isoformat() if value else ""
        if attribute.type is AttributeType.DOCUMENTS:
            document = _compact(
                {p.name: data.get(_DOCUMENT_FIELD_PREFIX + p.name, "") for p in attribute.parts}
            )
            return [document] if document else []
        return value if value is not None else ""


def _form(schema: EntitySchema) -> type[EntityForm]:
    name = "".join(word.capitalize() for word in schema.kind.split("_")) + "Form"
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "schema": schema,
        "kind": EntityKind(schema.kind),
        "FIELD_OF_ATTRIBUTE": _field_of_attribute(schema),
        **_fields(schema),
    }
    form: type[EntityForm] = type(name, (EntityForm,), attrs)
    return form


# The compose page's section of each kind: its title and the label of its button.
_SECTIONS: dict[str, tuple[StrOrPromise, StrOrPromise]] = {
    PERSON.kind: (_("People"), _("Add a person")),
    VEHICLE.kind: (_("Vehicles"), _("Add a vehicle")),
    DOCUMENT.kind: (_("Documents"), _("Add a document")),
    PHONE.kind: (_("Phones"), _("Add a phone")),
    COMPANY.kind: (_("Companies"), _("Add a company")),
    BANK_ACCOUNT.kind: (_("Bank accounts"), _("Add a bank account")),
}
ENTITY_FORMS: list[tuple[type[EntityForm], StrOrPromise, StrOrPromise]] = [
    (_form(schema), *_SECTIONS[schema.kind]) for schema in ENTITY_SCHEMAS
]
_FORMSETS = {
    form.kind: forms.formset_factory(
        form,
        extra=1,
        max_num=MAX_ENTITIES_PER_KIND,
        absolute_max=MAX_ENTITIES_PER_KIND,
        validate_max=True,
    )
    for form, _title, _add in ENTITY_FORMS
}


@dataclass(frozen=True)
class EntitySection:
    """The rows of one kind of entity: a formset whose prefix is the kind ("person-0-names")."""

    kind: EntityKind
    title: str
    add_label: str
    formset: BaseFormSet

    @property
    def given(self) -> list[EntityForm]:
        # Rows left blank are ignored, as the formset's extra rows are.
        if not self.formset.is_bound:
            return []
        return [f for f in self.formset.forms if f.has_changed()]


def entity_sections(data: Any = None) -> list[EntitySection]:
    return [
        EntitySection(
            kind=form.kind,
            title=str(title),
            add_label=str(add),
            formset=_FORMSETS[form.kind](data, prefix=form.kind.value),
        )
        for form, title, add in ENTITY_FORMS
    ]


def entities_valid(sections: Sequence[EntitySection]) -> bool:
    # Every formset is validated (no short cut), so that all the rows' errors show at once.
    results = [section.formset.is_valid() for section in sections]
    return all(results)


def entity_inputs(sections: Sequence[EntitySection]) -> list[EntityInput]:
    """The service's entity inputs from valid formsets."""
    return [
        EntityInput(section.kind, form.attributes())
        for section in sections
        for form in section.given
    ]


def entities_given(sections: Sequence[EntitySection]) -> bool:
    """Whether any entity row holds something (no validation needed): the panel's hint that the
    exchange will carry personal data. A tampered management form counts as none."""
    try:
        return any(section.given for section in sections)
    except ValidationError:
        return False
