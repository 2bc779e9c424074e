"""Forms of the officer's own account page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.api_auth import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS
from selec.core.form_fields import LabelledForm


class ApiTokenIssueForm(LabelledForm):
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        initial=DEFAULT_TOKEN_DAYS,
    )
    totp_code = forms.CharField(
        label=_("A new code from your authenticator app"),
        max_length=8,
        help_text=_("Issuing a token asks for a fresh code, even though you are signed in."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class AccessDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
