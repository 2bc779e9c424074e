"""The form of a party's status change (preview, then apply)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from partners.models import PartyStatusChange
from partners.policy_status import statuses_offered
from selec.core.form_fields import LabelledForm

# Signs the numbers a preview showed, carried to the change so that it can tell whether they
# still hold (``party_apply_status``); a forged value only fails the comparison.
PREVIEW_SALT = "partners.party_status.preview"


def sign_preview(details: dict[str, Any]) -> str:
    return signing.dumps(details, salt=PREVIEW_SALT)


def unsign_preview(value: str) -> dict[str, Any] | None:
    try:
        loaded = signing.loads(value, salt=PREVIEW_SALT)
    except signing.BadSignature:
        return None
    return loaded if isinstance(loaded, dict) else None


class StatusChangeForm(LabelledForm):
    status = forms.ChoiceField(label=_("New status"))
    effective_from = forms.DateField(
        label=_("Takes effect on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=PartyStatusChange._meta.get_field("note").max_length,
        help_text=_(
            "The agreement or decision behind the change (e.g. “Agreement in force on "
            "1 June 2026”); kept in the party's history and told to the officers concerned."
        ),
    )

    def __init__(self, *args: Any, current_status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [(s.value, s.label) for s in statuses_offered(current_status)]


class StatusApplyForm(StatusChangeForm):
    """The preview's inputs, carried to the change, with the numbers it showed."""

    previewed = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("status", "effective_from", "reason"):
            self.fields[name].widget = forms.HiddenInput()
