"""The correction page's forms: the message (subject, body and evaluation) and each entity, each
prefilled with what the exchange says now and sent on its own. They parse and check shapes; the
entity's attributes by the entity forms of the compose page (``exchanges.forms_entities``),
which apply the entity rules; the service decides the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges.entity_schema import AttributeType
from exchanges.forms_entities import ENTITY_FORMS, EntityForm
from exchanges.forms_thread import EVALUATION_BLANK
from exchanges.models import Entity, Exchange, InformationAccuracy, SourceReliability
from records.models import NOTE_MAX_LENGTH
from records.services_corrections import Correction, EntityCorrection
from selec.core.form_fields import LabelledForm

# What the form of each section posts as ``part``, and the entity's uuid as ``entity``.
MESSAGE_PART = "message"
ENTITY_PART = "entity"

_ENTITY_FORM_OF = {form.kind.value: form for form, _title, _add in ENTITY_FORMS}


def _note_field() -> forms.CharField:
    return forms.CharField(
        label=_("Why you correct it (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Kept encrypted with the audit log's record of the correction. The agencies holding "
            "a copy are told only that you corrected it."
        ),
    )


class MessageCorrectionForm(LabelledForm):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(
        label=_("Message"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 10})
    )
    source_reliability = forms.ChoiceField(
        label=_("Source reliability"),
        choices=EVALUATION_BLANK + SourceReliability.choices,
        required=False,
    )
    information_accuracy = forms.ChoiceField(
        label=_("Information accuracy"),
        choices=EVALUATION_BLANK + InformationAccuracy.choices,
        required=False,
    )
    note = _note_field()

    @classmethod
    def prefilled(cls, *, subject: str, body: str, exchange: Exchange) -> MessageCorrectionForm:
        return cls(
            prefix=MESSAGE_PART,
            initial={
                "subject": subject,
                "body": body,
                "source_reliability": exchange.source_reliability,
                "information_accuracy": exchange.information_accuracy,
            },
        )

    def correction(self) -> Correction:
        data = self.cleaned_data
        return Correction(
            subject=data["subject"],
            body=data["body"],
            source_reliability=data["source_reliability"],
            information_accuracy=data["information_accuracy"],
            note=data["note"],
        )


class CorrectionNoteForm(LabelledForm):
    note = _note_field()


@dataclass(frozen=True)
class EntitySection:
    """One entity as the page shows it: the compose page's form of its kind, prefilled."""

    position: int  # 0 for the first entity, as the API's ``index`` counts
    entity: Entity
    form: EntityForm
    note_form: CorrectionNoteForm

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def more_documents(self) -> int:
        """A person's documents after the first: the page shows the first one only."""
        documents = self.entity.attributes.get("documents")
        return max(len(documents) - 1, 0) if isinstance(documents, list) else 0

    def correction(self) -> Correction:
        return Correction(
            entity=EntityCorrection(
                uuid=self.entity.uuid,
                attributes=_with_further_documents(self.form, self.entity.attributes),
            ),
            note=self.note_form.cleaned_data["note"],
        )

    def is_valid(self) -> bool:
        # Both, so that both show their errors.
        return all([self.form.is_valid(), self.note_form.is_valid()])


def entity_sections(entities: Sequence[Entity], data: Any = None) -> list[EntitySection]:
    """A section per entity; ``data`` (a POST) binds the one its ``entity`` names."""
    sections = []
    for position, entity in enumerate(entities):
        prefix = f"entity-{position}"
        bound = data if data is not None and data.get(ENTITY_PART) == str(entity.uuid) else None
        form_class = _ENTITY_FORM_OF[entity.kind]
        sections.append(
            EntitySection(
                position=position,
                entity=entity,
                form=form_class(bound, prefix=prefix, initial=_initial(form_class, entity)),
                note_form=CorrectionNoteForm(bound, prefix=prefix),
            )
        )
    return sections


def _initial(form_class: type[EntityForm], entity: Entity) -> dict[str, Any]:
    """The entity's attributes as the fields of its form hold them (the inverse of
    ``EntityForm.attributes``): lists of texts joined by commas, the first document's parts
    in its fields, a date as a date."""
    values: Mapping[str, Any] = entity.attributes
    initial: dict[str, Any] = {}
    for attribute in form_class.schema.attributes:
        value = values.get(attribute.name)
        if value in (None, "", []):
            continue
        if attribute.type is AttributeType.DOCUMENTS:
            first = value[0] if isinstance(value, list) and value else {}
            for part in attribute.parts:
                field = form_class.FIELD_OF_ATTRIBUTE[f"{attribute.name}[0].{part.name}"]
                initial[field] = first.get(part.name, "") if isinstance(first, Mapping) else ""
        elif attribute.type is AttributeType.TEXTS and isinstance(value, list):
            initial[attribute.name] = ", ".join(str(item) for item in value)
        elif attribute.type is AttributeType.DATE and isinstance(value, str):
            initial[attribute.name] = _date(value)
        else:
            initial[attribute.name] = value
    return initial


def _date(value: str) -> dt.date | str:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return value  # shown as stored, for the officer to correct


def _with_further_documents(form: EntityForm, stored: Mapping[str, Any]) -> dict[str, object]:
    """The attributes the form gives, with the person's documents after the first kept as
    stored: the page edits the first document only (the API corrects them all)."""
    attributes = form.attributes()
    further = stored.get("documents")
    if isinstance(further, list) and len(further) > 1:
        first = attributes.get("documents")
        attributes["documents"] = [*(first if isinstance(first, list) else [])[:1], *further[1:]]
    return attributes
