"""The onboarding forms: a party, its agencies, its officers; and the invitation's own page.

They check the shape of what is typed; the rules (one NFP per party, an NFP officer in the
NFP, a free username) stay in the services, whose messages the views put on the fields."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import (
    ROLES_OF_AN_AGENCY,
    Agency,
    AgencyKind,
    Party,
    PartyKind,
    PartyStatus,
    Posting,
    Role,
)

STATE_CODE = re.compile(r"[A-Z]{2}")
ORGANISATION_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,15}")


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices)
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("A state: its ISO 3166 alpha-2 code (AT). An organisation: its acronym."),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    status = forms.ChoiceField(
        label=_("Status"),
        # A party is registered as what it becomes; it leaves (former) by a status change.
        choices=[(s.value, s.label) for s in PartyStatus if s != PartyStatus.FORMER],
    )
    status_since = forms.DateField(
        label=_("Takes effect on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date the agreement (or the Council's decision) takes effect."),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=300,
        help_text=_(
            "The agreement it takes part under, e.g. Cooperation Agreement of 12 May 2025."
        ),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        code = (data.get("code") or "").strip().upper()
        if not code:
            return data
        data["code"] = code
        if data.get("kind") == PartyKind.STATE and not STATE_CODE.fullmatch(code):
            self.add_error("code", _("A state's code is its two-letter ISO 3166 code (AT)."))
        elif data.get("kind") == PartyKind.ORGANISATION and not ORGANISATION_CODE.fullmatch(code):
            self.add_error(
                "code", _("An organisation's code is its acronym: letters, digits and dashes.")
            )
        return data


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgencyKind.choices)
    is_national_focal_point = forms.BooleanField(
        label=_("This agency is the party's National Focal Point"),
        required=False,
        help_text=_("A party has at most one; its officers confirm their compatriots' access."),
    )


class OfficerForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The invitation link is sent to this address, once.")
    )
    username = forms.CharField(label=_("Username"), max_length=150)
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the party's open agencies.")},
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[(r.value, Role(r).label) for r in ROLES_OF_AN_AGENCY]
    )
    posted_at = forms.ChoiceField(
        label=_("Posted at"),
        choices=Posting.choices,
        help_text=_("NFP officers work in their home country."),
    )

    def __init__(self, *args: Any, party: Party, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.party = party
        # Only the agencies of the party on the page: an officer is never put elsewhere here.
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class InvitationForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not a common password, not like your name."),
    )
    password_again = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    totp_code = forms.RegexField(
        label=_("The six-digit code your authenticator app shows"),
        regex=r"^[0-9]{6}$",
        error_messages={"invalid": _("Enter the six digits your app shows.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data
