"""The erasure form: the reason, and the provider's confirmation that it cannot be undone."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from records.models import NOTE_MAX_LENGTH
from selec.core.form_fields import LabelledForm


class ErasureForm(LabelledForm):
    reason = forms.CharField(
        label=_("Why the content is no longer needed"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Kept, encrypted, with the review decision and in the audit log; the recipients "
            "are not shown it."
        ),
        error_messages={"required": _("Say why the content is erased.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that the erasure cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
