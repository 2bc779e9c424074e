"""Forms of the compose page. They parse what the officer typed into the service's inputs; every
rule (who may receive personal data, evaluation codes, attachment checks) stays in
``exchanges.services`` and ``exchanges.policy``, and its errors are mapped back onto the fields."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext_lazy as _

from exchanges.case_links import CaseChoice
from exchanges.entity_rules import MAX_ALIASES, entity_errors
from exchanges.models import (
    EntityKind,
    ExchangeKind,
    InformationAccuracy,
    Priority,
    SourceReliability,
)
from exchanges.services import AttachmentInput, EntityInput, Evaluation, Message
from partners.models import Agency, PartyStatus
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea, TaskForce

# How a party's status reads in the recipients list ("Bulgaria (member)").
STATUS_IN_LABEL = {
    PartyStatus.MEMBER: _("member"),
    PartyStatus.OPERATIONAL_PARTNER: _("operational partner"),
    PartyStatus.OBSERVER: _("observer"),
    PartyStatus.FORMER: _("former member"),
}
# Most entities of one kind a single exchange carries (a larger set belongs in an attachment).
MAX_ENTITIES_PER_KIND = 50


def recipient_choices(agencies: Iterable[Agency]) -> list[tuple[str, list[tuple[int, str]]]]:
    """One group per party, labelled with its status, in the order the agencies come in."""
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for agency in agencies:
        party = agency.party
        if party.pk not in groups:
            label = _("%(party)s (%(status)s)") % {
                "party": party.name,
                "status": STATUS_IN_LABEL.get(party.status, party.get_status_display()),
            }
            groups[party.pk] = (str(label), [])
        groups[party.pk][1].append((agency.pk, agency.name))
    return list(groups.values())


class AudienceFields(forms.Form):
    """The fields that decide who will see an exchange: the compose form's own, and the whole of
    what the "Who will see this" panel posts."""

    recipients = forms.TypedMultipleChoiceField(
        label=_("Recipients"),
        coerce=int,
        required=False,
        help_text=_(
            "Agencies grouped by party, with the party's status. Hold Ctrl (Cmd on a Mac) to "
            "choose several."
        ),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
    h1 = forms.BooleanField(
        label=_("H1: not to be disclosed in judicial proceedings without your permission"),
        required=False,
    )
    h2 = forms.BooleanField(
        label=_("H2: not to be disseminated without your permission"), required=False
    )
    h3 = forms.BooleanField(label=_("H3: other restrictions"), required=False)
    h3_text = forms.CharField(
        label=_("Text of the H3 restriction"),
        required=False,
        help_text=_("Every reader confirms this text before seeing the content."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    personal_data = forms.BooleanField(
        label=_("Contains personal data"),
        required=False,
        help_text=_(
            "Entities count as personal data too. Personal data is never sent to observers and "
            "needs the evaluation codes."
        ),
    )

    def __init__(self, *args: Any, agencies: Iterable[Agency], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.agencies = list(agencies)
        self.fields["recipients"].choices = recipient_choices(self.agencies)  # type: ignore[attr-defined]

    def clean_recipients(self) -> list[int]:
        # Kept aside: an error the service adds to the field later removes it from cleaned_data,
        # and the panel shown with that error still names the chosen agencies.
        self._chosen_agency_ids = list(self.cleaned_data["recipients"])
        return self.cleaned_data["recipients"]

    def chosen_agency_ids(self) -> list[int]:
        """The valid recipients chosen so far (none while the choice itself is invalid)."""
        return list(getattr(self, "_chosen_agency_ids", []))

    def restrictions(self) -> Restrictions:
        data = getattr(self, "cleaned_data", {})
        return Restrictions(
            evidence=bool(data.get("h1")),
            dissemination=bool(data.get("h2")),
            text=(data.get("h3_text") or "").strip() if data.get("h3") else "",
        )

    def marks_personal_data(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("personal_data"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, as the Django documentation shows ("Uploading multiple
    files")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            result = [single_file_clean(d, initial) for d in data]
        else:
            result = [single_file_clean(data, initial)]
        return [f for f in result if f]


BLANK_CHOICE = [("", "—")]

# Where each key of the service's ValidationError is shown.
SERVICE_ERROR_FIELDS = {
    "recipients": "recipients",
    "attachments": "attachments",
    "subject": "subject",
    "body": "body",
    "kind": "kind",
    "priority": "priority",
    "evaluation": "source_reliability",
    "source_reliability": "source_reliability",
    "information_accuracy": "information_accuracy",
    "restriction_text": "h3_text",
    "case": "case",
}


class ComposeForm(AudienceFields):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (k.value, k.label)
            for k in (
                ExchangeKind.REQUEST,
                ExchangeKind.INFORMATION,
                ExchangeKind.WARNING,
                ExchangeKind.FEEDBACK,
                ExchangeKind.SEIZURE,
            )
        ],
        initial=ExchangeKind.REQUEST.value,
        widget=forms.RadioSelect,
        help_text=_(
            "Warnings, feedback and seizure reports are the messages of a regional operation: "
            "choose the operation below."
        ),
    )
    case = forms.ChoiceField(
        label=_("Joint investigation or regional operation"),
        required=False,
        help_text=_(
            "Optional: the case the exchange belongs to, among the open cases your country "
            "takes part in. Personal data never joins a case an observer takes part in."
        ),
    )
    crime_area = forms.ModelChoiceField(
        label=_("Crime area"), queryset=CrimeArea.objects.all(), empty_label="—"
    )
    task_force = forms.ModelChoiceField(
        label=_("Task force"),
        queryset=TaskForce.objects.all(),
        required=False,
        empty_label=_("None"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.ROUTINE.value,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 8}))
    source_reliability = forms.ChoiceField(
        label=_("Source reliability"),
        choices=BLANK_CHOICE + SourceReliability.choices,
        required=False,
    )
    information_accuracy = forms.ChoiceField(
        label=_("Information accuracy"),
        choices=BLANK_CHOICE + InformationAccuracy.choices,
        required=False,
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, cases: Iterable[CaseChoice] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases = {case.reference: case for case in cases}
        self.fields["case"].choices = BLANK_CHOICE + [  # type: ignore[attr-defined]
            (c.reference, c.label) for c in self.cases.values()
        ]
        self.fields["recipients"].required = True
        self.fields["recipients"].error_messages["required"] = _("Choose at least one agency.")
        limit = _("Up to %(mb)s MB each; several files may be chosen at once.") % {
            "mb": settings.MAX_ATTACHMENT_MB
        }
        if self.is_bound:
            # Browsers never send a file field back filled in: say so rather than lose them quietly.
            limit = "{} {}".format(
                limit, _("Files are not kept when the form is shown again: choose them again.")
            )
        self.fields["attachments"].help_text = limit

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        text = (data.get("h3_text") or "").strip()
        if data.get("h3") and not text:
            self.add_error("h3_text", _("Write the H3 restriction, or untick H3."))
        elif text and not data.get("h3"):
            self.add_error("h3_text", _("Tick H3 to apply this text, or clear it."))
        return data

    def send_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``exchanges.services.exchange_send`` besides the officer and
        the message."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "recipient_agency_ids": data["recipients"],
            "crime_area_id": data["crime_area"].pk,
            "task_force_id": data["task_force"].pk if data["task_force"] else None,
            "priority": data["priority"],
            "case_id": self.cases[data["case"]].pk if data.get("case") else None,
        }

    def message(self, entities: Sequence[EntityInput]) -> Message:
        data = self.cleaned_data
        return Message(
            subject=data["subject"],
            body=data["body"],
            restrictions=self.restrictions(),
            personal_data=data["personal_data"],
            evaluation=Evaluation(
                source_reliability=data["source_reliability"],
                information_accuracy=data["information_accuracy"],
            ),
            entities=list(entities),
            attachments=[
                AttachmentInput(
                    filename=upload.name,
                    content_type=upload.content_type or "",
                    content=upload.read(),
                )
                for upload in data["attachments"]
            ],
        )

    def add_service_errors(self, error: ValidationError) -> list[str]:
        """Show the service's refusal next to the fields it concerns; return the messages about
        entities, which belong to the entity formsets rather than to this form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return []
        entity_messages: list[str] = []
        for key, messages in error.message_dict.items():
            if key == "entities":
                entity_messages += messages
            else:
                self.add_error(SERVICE_ERROR_FIELDS.get(key), messages)
        return entity_messages


# --- Entities -------------------------------------------------------------------------------
# The attribute keys are those exchanges.blind_index reads (and the descriptive ones beside
# them): a person's "names", "aliases" (a list), "date_of_birth" and "documents" (a list of
# {"type", "number", "issuing_country"}); a vehicle's "plate" and "vin"; a document's "number"
# and "issuing_country"; a phone's "number"; a company's "name" and "country"; a bank account's
# "iban" and "number". What each may hold is decided in exchanges.entity_rules, for the page as
# for the API and the services: the fields here only parse.


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

    def to_python(self, value: Any) -> str:
        return super().to_python(value).upper()


def _text(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
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
        data = super().clean()
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


ENTITY_FORMS: list[tuple[type[EntityForm], str, str]] = [
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
        return [f for f in self.formset.forms if f.has_changed()]  # type: ignore[misc]


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
