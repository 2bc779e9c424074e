"""Forms of the officer's own account pages."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from partners.api_auth import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS
from selec.core.form_fields import LabelledForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _totp_field(help_text: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=_("A new code from your authenticator app"),
        max_length=8,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ApiTokenIssueForm(LabelledForm):
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        initial=DEFAULT_TOKEN_DAYS,
    )
    totp_code = _totp_field(
        _("Issuing a token asks for a fresh code, even though you are signed in.")
    )


class AccessDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PasswordChangeForm(SetPasswordForm):
    """The current password, the new one twice (checked against the password rules) and a
    fresh code; the service checks the current password and the code."""

    current_password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    totp_code = _totp_field(
        _("A password change asks for a fresh code, even though you are signed in.")
    )
    field_order = ["current_password", "new_password1", "new_password2", "totp_code"]

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(user, *args, **kwargs)


class PasswordResetConfirmForm(SetPasswordForm):
    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(user, *args, **kwargs)


class PasswordResetRequestForm(LabelledForm):
    email = forms.EmailField(
        label=_("The e-mail address of your account"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    # Read once per process: the list walks the time zone database.
    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


def language_choices() -> list[tuple[str, Any]]:
    # Called when the form is built: settings.LANGUAGES as it is then (tests change it).
    return [("", _("The installation's default")), *settings.LANGUAGES]


class PreferencesForm(LabelledForm):
    language = forms.ChoiceField(
        label=_("Language of the pages"),
        choices=language_choices,
        required=False,
        help_text=_("Only the languages this installation offers can be chosen."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Every time on the pages is shown in this zone (its UTC value on hover)."),
    )


class BackupCodesForm(LabelledForm):
    totp_code = _totp_field(_("New backup codes are made only after a fresh code."))
