"""The retention review's forms: the queue's filter and paging, and the keep decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from records.models import NOTE_MAX_LENGTH
from records.policy import DUE_WITHIN_DAYS, ReviewState, shown_date
from records.selectors_review import Position, decode_position

STATE_CHOICES = [
    ("", _("Due and overdue")),
    (ReviewState.DUE.value, format_lazy(_("Due within {days} days"), days=DUE_WITHIN_DAYS)),
    (ReviewState.OVERDUE.value, _("Overdue")),
]
BAD_POSITION = _("The page position in the address is not valid: the first page is shown.")


class PositionField(forms.CharField):
    default_error_messages = {"invalid": BAD_POSITION}

    def clean(self, value: Any) -> Position | None:
        text = super().clean(value)
        if not text:
            return None
        position = decode_position(text)
        if position is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return position


class QueueForm(forms.Form):
    """The queue's query string: which reviews, and where the page starts (the paging links
    carry it; a value that does not parse is reported and ignored)."""

    state = forms.ChoiceField(label=_("Show"), choices=STATE_CHOICES, required=False)
    after = PositionField(required=False, widget=forms.HiddenInput)
    before = PositionField(required=False, widget=forms.HiddenInput)

    def chosen(self, name: str) -> Any:
        """The value of a field that parsed, None for one that did not (or was not given)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None

    def state_chosen(self) -> ReviewState | None:
        state = self.chosen("state")
        return ReviewState(state) if state else None


_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class KeepForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the information is still needed"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example the investigation or proceedings it still serves. Stored encrypted; "
            "the data protection officer reads it with the decision in the audit log."
        ),
    )
    next_review_on = forms.DateField(label=_("Next review on"), widget=_DATE)

    def __init__(self, *args: Any, earliest: dt.date, latest: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["next_review_on"]
        field.widget.attrs.update(min=earliest.isoformat(), max=latest.isoformat())
        field.help_text = _("After today, and on %(latest)s at the latest.") % {
            "latest": shown_date(latest)
        }
