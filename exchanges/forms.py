"""Forms of the compose page (its entity rows are in ``exchanges.forms_entities``). They parse
what the officer typed into the service's inputs; every rule (who may receive personal data,
evaluation codes, attachment checks) stays in ``exchanges.services`` and ``exchanges.policy``,
and its errors are mapped back onto the fields."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from exchanges.case_links import CaseChoice
from exchanges.forms_recipients import RecipientGroup, chosen_ids, party_label, recipient_groups
from exchanges.models import (
    SENT_KINDS,
    ExchangeKind,
    InformationAccuracy,
    Priority,
    SourceReliability,
)
from exchanges.services.inputs import EntityInput, Message, message_of
from partners.models import Agency
from selec.core.form_fields import LabelledForm, MultipleFileField
from selec.core.policy_values import Restrictions
from selec.core.restriction_fields import RestrictionsField
from taskforces.models import CrimeArea, TaskForce

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def recipient_choices(agencies: Iterable[Agency]) -> list[tuple[str, list[tuple[int, str]]]]:
    """One group per party, labelled with its status, in the order the agencies come in."""
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for agency in agencies:
        if agency.party_id not in groups:
            groups[agency.party_id] = (party_label(agency.party), [])
        groups[agency.party_id][1].append((agency.pk, agency.name))
    return list(groups.values())


class AudienceFields(LabelledForm):
    """The fields that decide who will see an exchange: the compose form's own, and the whole of
    what the "Who will see this" panel posts."""

    recipients = forms.TypedMultipleChoiceField(
        label=_("Recipients"),
        coerce=int,
        required=False,
        help_text=_(
            "Tick one or more agencies: those you wrote to last come first, then every agency "
            "grouped by party, with the party's status."
        ),
        # Boxes rather than a multiple select: several are chosen without Ctrl-click, on a
        # phone too. The compose page draws them in groups (``exchanges.forms_recipients``).
        widget=forms.CheckboxSelectMultiple,
    )
    # The H3 text applies only with its tick: compose.js shows the text once H3 is ticked.
    restrictions = RestrictionsField(h3_tick=True)
    personal_data = forms.BooleanField(
        label=_("Contains personal data"),
        required=False,
        help_text=_(
            "Entities count as personal data too. Personal data is never sent to observers and "
            "needs the evaluation codes."
        ),
    )

    def __init__(self, *args: Any, agencies: Iterable[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = list(agencies)
        # self.fields holds the ChoiceField declared above; the stubs type it as a plain Field.
        self.fields["recipients"].choices = recipient_choices(self.agencies)  # type: ignore[attr-defined]

    def clean_recipients(self) -> list[int]:
        # Kept aside: an error the service adds to the field later removes it from cleaned_data,
        # and the panel shown with that error still names the chosen agencies.
        self._chosen_agency_ids = list(self.cleaned_data["recipients"])
        return self.cleaned_data["recipients"]

    def recipient_groups(self, recent_ids: Sequence[int]) -> list[RecipientGroup]:
        """The recipient picker's groups, with the boxes ticked that the form holds now."""
        return recipient_groups(
            self.agencies, recent_ids=recent_ids, chosen=chosen_ids(self["recipients"].value())
        )

    def chosen_agency_ids(self) -> list[int]:
        """The valid recipients chosen so far (none while the choice itself is invalid)."""
        return list(getattr(self, "_chosen_agency_ids", []))

    def chosen_restrictions(self) -> Restrictions:
        """The restrictions chosen; on a form still being filled in (the audience panel), what
        its inputs set so far."""
        chosen = getattr(self, "cleaned_data", {}).get("restrictions")
        if chosen is not None:
            return chosen
        field = self.fields["restrictions"]
        assert isinstance(field, RestrictionsField)  # declared above
        return field.lenient(self["restrictions"].data)

    def marks_personal_data(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("personal_data"))


BLANK_CHOICE: list[tuple[str, StrOrPromise]] = [("", "—")]

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
    "restriction_text": "restrictions",
    "case": "case",
}


class ComposeForm(AudienceFields):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=SENT_KINDS,
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
        choices=[*BLANK_CHOICE, *SourceReliability.choices],
        required=False,
    )
    information_accuracy = forms.ChoiceField(
        label=_("Information accuracy"),
        choices=[*BLANK_CHOICE, *InformationAccuracy.choices],
        required=False,
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, cases: Iterable[CaseChoice] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases = {case.reference: case for case in cases}
        # self.fields holds the ChoiceField declared above; the stubs type it as a plain Field.
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

    def send_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``exchanges.services.sending.exchange_send`` besides the officer and
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
        return message_of(
            subject=data["subject"],
            body=data["body"],
            restrictions=self.chosen_restrictions(),
            personal_data=data["personal_data"],
            source_reliability=data["source_reliability"],
            information_accuracy=data["information_accuracy"],
            entities=entities,
            uploads=data["attachments"],
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
