"""Forms of the data subject request pages: they parse and check shapes; the identifiers are
checked by the entity rules (``subjects.identifiers``), the rest by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from exchanges.entity_rules import MAX_TEXT
from selec.core.form_fields import LabelledForm
from subjects.identifiers import Identifiers
from subjects.models import ANSWER_MAX_LENGTH, NOTE_MAX_LENGTH, RequestKind
from subjects.policy import ANSWER_WITHIN, decisions_for


class DateInput(forms.DateInput):
    input_type = "date"


class IdentifiersForm(LabelledForm):
    names = forms.CharField(
        label=_("Names"),
        max_length=MAX_TEXT,
        required=False,
        help_text=_("As the person gives them, in any script: Ђорђевић finds Djordjevic too."),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput,
        help_text=_("Required with the names: a name alone may be another person's."),
    )
    nationality = forms.CharField(
        label=_("Nationality"),
        max_length=2,
        required=False,
        help_text=_("Two letters (RO, RS, XK...); stands for the document's issuing country."),
    )
    document_number = forms.CharField(
        label=_("Document number"), max_length=MAX_TEXT, required=False
    )
    document_country = forms.CharField(
        label=_("Issuing country"),
        max_length=2,
        required=False,
        help_text=_("Of the document, if not the nationality."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            for field, messages in Identifiers.of(cleaned).problems().items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned

    def identifiers(self) -> Identifiers:
        return Identifiers.of(self.cleaned_data)


class HiddenIdentifiersForm(IdentifiersForm):
    """The identifiers searched, carried by the form that creates the request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Ids of their own: the search form beside it shows the same fields.
        kwargs.setdefault("auto_id", "id_carried_%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget = forms.HiddenInput()


class RequestForm(LabelledForm):
    kind = forms.ChoiceField(
        label=_("The person asks for"), choices=RequestKind.choices, widget=forms.RadioSelect
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    due_on = forms.DateField(
        label=_("Answer due by"),
        required=False,
        widget=DateInput,
        help_text=format_lazy(
            _("Empty: {days} days after the request was received."), days=ANSWER_WITHIN.days
        ),
    )
    note = forms.CharField(
        label=_("How the request came in"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Letter, e-mail, national authority, its reference. Kept encrypted."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class AnswerForm(LabelledForm):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    answer = forms.CharField(
        label=_("Answer"),
        max_length=ANSWER_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What is given to the person and how, or the grounds of a refusal (required for "
            "both). Only the DPO reads it; kept encrypted."
        ),
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(d.value, d.label) for d in decisions_for(kind)]
