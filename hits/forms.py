"""Forms of the hit search page. The entity fields are the compose page's (``exchanges.forms_entities``),
so that what is searched is read exactly as what is sent; the rules stay in
``hits.matching``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges.forms_entities import ENTITY_FORMS, EntityForm
from exchanges.models import EntityKind
from selec.core.form_fields import LabelledForm

ENTITY_FORM_OF: dict[str, type[EntityForm]] = {
    form.kind.value: form for form, _t, _a in ENTITY_FORMS
}
ENTITY_PREFIX = "entity"


class JustificationForm(LabelledForm):
    kind = forms.ChoiceField(choices=EntityKind.choices, widget=forms.HiddenInput)
    justification = forms.CharField(
        label=_("Justification"),
        max_length=300,
        help_text=_(
            "Why you search: the case, request or legal ground. It is written to the audit log."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def chosen_kind(value: str | None) -> EntityKind:
    """The kind of entity the page asks about: person unless a known kind is named."""
    return EntityKind(value) if value in EntityKind.values else EntityKind.PERSON


def entity_form(kind: EntityKind, data: Any = None) -> EntityForm:
    return ENTITY_FORM_OF[kind.value](data, prefix=ENTITY_PREFIX)
