"""Forms of the account lifecycle: the lost-authenticator request, the identity confirmation,
and the reason an administrator gives for offboarding or unlocking."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from selec.core.form_fields import LabelledForm


class LostAuthenticatorForm(LabelledForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class IdentityDecisionForm(LabelledForm):
    decision = forms.ChoiceField(
        choices=[("confirm", _("Confirm")), ("refuse", _("Refuse"))],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("How you confirmed it (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example: by telephone at the number the directory holds."),
    )


class ReasonForm(LabelledForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Kept in the audit log, encrypted. Required."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
