"""Forms of the thread's actions: they parse and check shapes; the services decide the rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges.models import (
    DisseminationKind,
    Exchange,
    InformationAccuracy,
    SourceReliability,
)
from exchanges.models_purposes import PURPOSE_MAX_LENGTH
from exchanges.services.inputs import Message, message_of
from partners.models import Agency
from selec.core.form_fields import LabelledForm, MultipleFileField
from selec.core.policy_values import Restrictions
from selec.core.restriction_fields import RestrictionsField


def agency_choices(agencies: Iterable[Agency]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Agencies (loaded with their party) grouped under their party, for a select's optgroups."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for agency in agencies:
        label = f"{agency.party.name} ({agency.party.code})"
        groups.setdefault(label, []).append((agency.pk, agency.name))
    return list(groups.items())


EVALUATION_BLANK = [("", _("— not evaluated —"))]


class ReplyForm(LabelledForm):
    """A reply: at least the parent's restrictions, which are shown as already set."""

    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))
    restrictions = RestrictionsField()
    personal_data = forms.BooleanField(label=_("Contains personal data"), required=False)
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
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: object, parent: Exchange, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.parent = parent
        # What the parent already restricts cannot be lifted in a reply: shown checked, fixed.
        restrictions = self.fields["restrictions"]
        assert isinstance(restrictions, RestrictionsField)  # declared above
        restrictions.inherit(Restrictions.of(parent))
        if parent.personal_data:
            self.fields["personal_data"].initial = True
            self.fields["personal_data"].disabled = True

    def message(self) -> Message:
        data = self.cleaned_data
        return message_of(
            subject=data["subject"],
            body=data["body"],
            restrictions=data["restrictions"],
            personal_data=data["personal_data"],
            source_reliability=data["source_reliability"],
            information_accuracy=data["information_accuracy"],
            uploads=data["attachments"],
        )


class ForwardForm(LabelledForm):
    agencies = forms.TypedMultipleChoiceField(
        label=_("Forward to"),
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several agencies."),
    )
    justification = forms.CharField(
        label=_("Why these agencies need it"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, agencies: Iterable[Agency], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # self.fields holds the ChoiceField declared above; the stubs type it as a plain Field.
        self.fields["agencies"].choices = agency_choices(agencies)  # type: ignore[attr-defined]


class DisseminationRequestForm(LabelledForm):
    kind = forms.ChoiceField(label=_("What you ask the provider"), widget=forms.RadioSelect)
    target_agencies = forms.TypedMultipleChoiceField(
        label=_("Agencies to share with"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Only for a request to share (H2). Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    intended_use = forms.CharField(label=_("Intended use"), max_length=300)
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args: object, exchange: Exchange, agencies: Iterable[Agency], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        # Offer what there is to lift: sharing under H2, use as evidence under H1.
        kinds = [
            (value, label)
            for value, label in DisseminationKind.choices
            if (value == DisseminationKind.SHARE and exchange.restrict_dissemination)
            or (value == DisseminationKind.EVIDENCE and exchange.restrict_evidence)
        ] or DisseminationKind.choices
        # self.fields holds the ChoiceField declared above; the stubs type it as a plain Field.
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0][0]
        self.fields["target_agencies"].choices = agency_choices(agencies)  # type: ignore[attr-defined]


class RestrictionsForm(LabelledForm):
    """The provider's restrictions, pre-filled with the current state."""

    restrictions = RestrictionsField()

    def __init__(self, *args: object, exchange: Exchange, **kwargs: object) -> None:
        kwargs.setdefault("initial", {"restrictions": Restrictions.of(exchange)})
        super().__init__(*args, **kwargs)

    def chosen_restrictions(self) -> Restrictions:
        # An H3 text saved unchanged keeps the stored one: the service's rule, for the API too.
        chosen: Restrictions = self.cleaned_data["restrictions"]
        return chosen


class DecisionForm(LabelledForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("grant", _("Grant")), ("refuse", _("Refuse"))]
    )
    note = forms.CharField(
        label=_("Note to the requesting agency"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @property
    def grant(self) -> bool:
        return self.cleaned_data["decision"] == "grant"


class EvidenceForm(LabelledForm):
    justification = forms.CharField(
        label=_("Proceedings the export is for"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PurposeForm(LabelledForm):
    """Why the officer opens a thread: asked once per thread, before its content."""

    purpose = forms.CharField(
        label=_("Why do you open this thread?"),
        max_length=PURPOSE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "A case, an inquiry or a request, in a few words. Your answer is kept in the audit "
            "log for the data protection officer; you are asked once per thread."
        ),
        error_messages={"required": _("Say why you open this thread.")},
    )

    def __init__(self, *args: Any, exchange: Exchange, **kwargs: Any) -> None:
        # One form per message that may ask it on the page: ids of its own.
        kwargs.setdefault("auto_id", f"purpose-{exchange.pk}-%s")
        super().__init__(*args, **kwargs)
