"""The entity forms: one per kind of entity, as rows of the compose page (a formset per kind)
and as the hit search's entity fields.

The attribute keys are those hits.blind_index reads (and the descriptive ones beside
them): a person's "names", "aliases" (a list), "date_of_birth" and "documents" (a list of
{"type", "number", "issuing_country"}); a vehicle's "plate" and "vin"; a document's "number"
and "issuing_country"; a phone's "number"; a company's "name" and "country"; a bank account's
"iban" and "number". What each may hold is decided in exchanges.entity_rules, for the page as
for the API and the services: the fields here only parse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext_lazy as _

from exchanges.entity_rules import MAX_ALIASES, entity_errors
from exchanges.models import EntityKind
from exchanges.services.inputs import EntityInput

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
    return forms.CharField(label=label, required=required, max_length=200, help_text=help_text)


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in ("", None, [])}


class EntityForm(forms.Form):
    kind: ClassVar[EntityKind]
    # The field that shows an attribute's errors, where it is not the field of the same name.
    FIELD_OF_ATTRIBUTE: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        # Form.clean() answers cleaned_data itself (the stubs allow a subclass's None).
        super().clean()
        data = self.cleaned_data
        # The attributes the fields parsed, checked by the entity rules; a field that did not
        # parse already shows its own error.
        for path, messages in entity_errors(self.kind.value, self.attributes()).items():
            field = self.FIELD_OF_ATTRIBUTE.get(path, path)
            self.add_error(field if field in self.fields else None, messages)
        return data

    def attributes(self) -> dict[str, object]:
        return _compact(dict(self.cleaned_data))


class PersonForm(EntityForm):
    kind = EntityKind.PERSON
    names = _text(_("Names"), required=True, help_text=_("As written in the documents"))
    aliases = _text(_("Aliases"), help_text=_("Separated by commas"))
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    nationality = CountryField(label=_("Nationality"))
    document_type = _text(_("Document type"), help_text=_("e.g. passport, identity card"))
    document_number = _text(_("Document number"))
    document_issuing_country = CountryField(label=_("Issuing country"))

    FIELD_OF_ATTRIBUTE: ClassVar[dict[str, str]] = {
        "documents[0].type": "document_type",
        "documents[0].number": "document_number",
        "documents[0].issuing_country": "document_issuing_country",
    } | {f"aliases[{i}]": "aliases" for i in range(MAX_ALIASES)}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("document_type") or data.get("document_issuing_country")) and not data.get(
            "document_number"
        ):
            self.add_error("document_number", _("Give the document's number."))
        return data

    def attributes(self) -> dict[str, object]:
        # Only what parsed (clean() calls this before every field is known to be valid).
        data = self.cleaned_data
        document = _compact(
            {
                "type": data.get("document_type", ""),
                "number": data.get("document_number", ""),
                "issuing_country": data.get("document_issuing_country", ""),
            }
        )
        born = data.get("date_of_birth")
        return _compact(
            {
                "names": data.get("names", ""),
                "aliases": [a.strip() for a in data.get("aliases", "").split(",") if a.strip()],
                "date_of_birth": born.isoformat() if born else "",
                "nationality": data.get("nationality", ""),
                "documents": [document] if document else [],
            }
        )


class VehicleForm(EntityForm):
    kind = EntityKind.VEHICLE
    plate = _text(_("Registration plate"))
    vin = _text(_("VIN"))
    make = _text(_("Make"))
    model = _text(_("Model"))
    colour = _text(_("Colour"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("plate") or data.get("vin")):
            self.add_error("plate", _("Give the registration plate or the VIN."))
        return data


class DocumentForm(EntityForm):
    kind = EntityKind.DOCUMENT
    type = _text(_("Document type"), help_text=_("e.g. passport, identity card"))
    number = _text(_("Document number"), required=True)
    issuing_country = CountryField(label=_("Issuing country"))


class PhoneForm(EntityForm):
    kind = EntityKind.PHONE
    number = _text(
        _("Phone number"), required=True, help_text=_("International format: +40 721 000 000")
    )


class CompanyForm(EntityForm):
    kind = EntityKind.COMPANY
    name = _text(_("Company name"), required=True)
    registration_number = _text(_("Registration number"))
    country = CountryField(label=_("Country"))


class BankAccountForm(EntityForm):
    kind = EntityKind.BANK_ACCOUNT
    iban = _text(_("IBAN"))
    number = _text(_("Account number"), help_text=_("When there is no IBAN"))
    bank = _text(_("Bank"))
    holder = _text(_("Holder"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("iban") or data.get("number")):
            self.add_error("iban", _("Give the IBAN or the account number."))
        return data


ENTITY_FORMS: list[tuple[type[EntityForm], StrOrPromise, StrOrPromise]] = [
    (PersonForm, _("People"), _("Add a person")),
    (VehicleForm, _("Vehicles"), _("Add a vehicle")),
    (DocumentForm, _("Documents"), _("Add a document")),
    (PhoneForm, _("Phones"), _("Add a phone")),
    (CompanyForm, _("Companies"), _("Add a company")),
    (BankAccountForm, _("Bank accounts"), _("Add a bank account")),
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
