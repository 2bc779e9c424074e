"""The forms of inaccuracy flags: a recipient's flag and the provider's answer. They parse and
check shapes; the services decide the rules (one open flag per agency, a reason to uphold)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from records.models import NOTE_MAX_LENGTH, FlagOutcome
from selec.core.form_fields import LabelledForm


class FlagForm(LabelledForm):
    note = forms.CharField(
        label=_("What seems inaccurate, and why"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Only the provider reads it. Name the part (the subject, the message, the evaluation "
            "or an entity) and what you know that contradicts it."
        ),
    )


class FlagAnswerForm(LabelledForm):
    outcome = forms.ChoiceField(
        label=_("Your answer"), choices=FlagOutcome.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=_("Answer to the flagging agency"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Required when you uphold the information as accurate: say why. Answer "
            '"corrected" once you have corrected the exchange.'
        ),
    )
