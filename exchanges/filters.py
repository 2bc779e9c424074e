"""The inbox's filters, one ``FilterSet`` for the page and the API.

The FilterSet parses and describes; it does not query. The inbox page renders its form and
reports what did not parse above the table; the API answers 400 for it; drf-spectacular reads
the API's query parameters from it. The rows are read by ``selectors_inbox.inbox_search``
from the ``InboxQuery`` the FilterSet builds (``inbox_query``): that selector walks an index
in the page's order and stops after the page, where filtering a queryset filter by filter
would lose the plans it is tuned for.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from exchanges.models import Exchange, ExchangeKind, Priority
from exchanges.selectors_inbox import (
    Direction,
    InboxQuery,
    InboxSort,
    ReceiptStatus,
    day_bounds,
    local_day,
    officer_zone,
)
from partners.models import Officer
from taskforces.models import CrimeArea, TaskForce

_REFERENCE = re.compile(r"SELEC(-(\d{1,4}(-\d{0,6})?)?)?")
_BARE_REFERENCE = re.compile(r"\d{4}(-\d{0,6})?")

# The days a date filter may name: the span the statistics cover (analytics.tables). A day
# outside any span is refused with the other filter errors; at the calendar's ends it could not
# even be turned into the bounds of a day (9999-12-31 has no next day: OverflowError, 500).
FIRST_FILTER_DAY = dt.date(1990, 1, 1)
LAST_FILTER_DAY = dt.date(2100, 12, 31)


class DayField(forms.DateField):
    """A day of a date filter (YYYY-MM-DD), within FIRST_FILTER_DAY and LAST_FILTER_DAY."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def validate(self, value: dt.date | None) -> None:
        super().validate(value)
        if value is not None and not FIRST_FILTER_DAY <= value <= LAST_FILTER_DAY:
            raise forms.ValidationError(
                _("Choose a day from %(first)s to %(last)s, not %(day)s."),
                code="out_of_range",
                params={
                    "first": FIRST_FILTER_DAY.isoformat(),
                    "last": LAST_FILTER_DAY.isoformat(),
                    "day": value.isoformat(),
                },
            )


# In the API's schema: the range, which a date's format cannot bound, in the description; and
# the empty value the page's form sends for a day left blank, which sets no bound.
@extend_schema_field(
    {
        "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "enum": [""]}],
        "description": f"From {FIRST_FILTER_DAY.isoformat()} to {LAST_FILTER_DAY.isoformat()}; "
        "empty: no bound.",
    }
)
class DayFilter(django_filters.DateFilter):
    field_class = DayField


# How a flag may be spelled: the checkbox's ``on``, and the API's booleans (``true``, ``false``).
_FLAG_SPELLINGS = {"on": True, "true": True, "false": False}


class FlagCheckbox(forms.CheckboxInput):
    """The checkbox, which leaves a value it cannot spell as given: Django's own reads any
    value but ``false`` as ticked (``unread=null`` would narrow), and the field refuses it."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name not in data:
            return False
        value = data.get(name)
        spelled = _FLAG_SPELLINGS.get(value.lower()) if isinstance(value, str) else None
        return value if spelled is None else spelled


class FlagField(forms.BooleanField):
    """A flag: ticked (``on``, ``true``) or not (left out, ``false``); any other value is an
    error, as the API's schema says a boolean."""

    widget = FlagCheckbox

    def to_python(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")


class FlagFilter(django_filters.BooleanFilter):
    """A checkbox: given (``on``, ``true``) it narrows, left out or ``false`` it does not.
    BooleanFilter's own field is a yes/no/unknown select, which would not read a checkbox."""

    field_class = FlagField


def _codes(model: type[CrimeArea] | type[TaskForce]) -> list[tuple[str, str]]:
    # The names in the reader's language (``CrimeArea.label``), read when the form is built.
    rows = model.objects.order_by("position", "name").values_list("code", "name")
    return [(code, gettext(name)) for code, name in rows]


def crime_area_choices() -> list[tuple[str, str]]:
    return _codes(CrimeArea)


def task_force_choices() -> list[tuple[str, str]]:
    return _codes(TaskForce)


class InboxFilterForm(forms.Form):
    """The rules across the filters' fields, which the FilterSet's form is built on."""

    # The fields that do not narrow the list: its order, and the page's cursors.
    NOT_NARROWING = ("sort", "after", "before")

    def clean_reference(self) -> str:
        value = self.cleaned_data["reference"].strip().upper()
        if _BARE_REFERENCE.fullmatch(value):
            value = f"SELEC-{value}"
        if value and not _REFERENCE.fullmatch(value):
            raise forms.ValidationError(
                _("A reference looks like SELEC-2026-000123; give it whole or its beginning."),
                code="invalid",
            )
        return value

    def clean(self) -> dict[str, Any]:
        # Form.clean() answers cleaned_data itself (the stubs allow a subclass's None).
        super().clean()
        data = self.cleaned_data
        start, end = data.get("sent_from"), data.get("sent_to")
        if start and end and end < start:
            self.add_error("sent_to", _("The end of the date range comes before its start."))
        return data

    @property
    def is_filtered(self) -> bool:
        """Whether a filter was given (the direction too, even "all": the form was applied)."""
        return any(
            value for name, value in self.cleaned_data.items() if name not in self.NOT_NARROWING
        )


class InboxFilterSet(django_filters.FilterSet):
    reference = django_filters.CharFilter(
        label=_("Reference"),
        max_length=20,
        help_text=_("A whole reference, or its beginning: SELEC-2026-"),
    )
    direction = django_filters.ChoiceFilter(
        label=_("Direction"),
        empty_label=None,
        choices=[
            (Direction.ALL.value, _("Incoming and outgoing")),
            (Direction.INCOMING.value, _("Incoming")),
            (Direction.OUTGOING.value, _("Outgoing")),
        ],
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), empty_label=_("Any kind"), choices=ExchangeKind.choices
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priority"), empty_label=_("Any priority"), choices=Priority.choices
    )
    status = django_filters.ChoiceFilter(
        label=_("Receipt status"),
        empty_label=_("Any status"),
        choices=[
            (ReceiptStatus.UNREAD.value, _("Not read")),
            (ReceiptStatus.UNACKNOWLEDGED.value, _("Awaiting acknowledgement")),
            (ReceiptStatus.ANSWERED.value, _("Answered")),
            (ReceiptStatus.UNANSWERED.value, _("Not answered")),
        ],
    )
    # By code, as the API names crime areas and task forces (crime-areas/, task-forces/). The
    # labels are the page's and, with the choices, the API parameters' descriptions: no help
    # text, which the page would show under each field.
    crime_area = django_filters.ChoiceFilter(
        label=_("Crime area"),
        field_name="crime_area__code",
        empty_label=_("Any crime area"),
        choices=crime_area_choices,
    )
    task_force = django_filters.ChoiceFilter(
        label=_("Task force"),
        field_name="task_force__code",
        empty_label=_("Any task force"),
        choices=task_force_choices,
    )
    sent_from = DayFilter(label=_("Sent from"))
    sent_to = DayFilter(label=_("Sent until"))
    overdue = FlagFilter(label=_("Overdue"))
    unread = FlagFilter(label=_("Unread by your agency"))
    due_today = FlagFilter(label=_("Due today"))
    sort = django_filters.ChoiceFilter(
        label=_("Order"),
        empty_label=None,
        choices=[
            (InboxSort.NEWEST.value, _("Newest first")),
            (InboxSort.OLDEST.value, _("Oldest first")),
            (InboxSort.DUE.value, _("Due date, soonest first")),
        ],
    )

    class Meta:
        model = Exchange
        fields: tuple[str, ...] = ()  # the declared filters only
        form = InboxFilterForm

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
        nfp: bool = False,
    ) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix)
        if nfp:
            self.filters["unread"].label = _("Unread by an agency of your country")
        # The codes read once for the form, which both validates and shows them.
        for name in ("crime_area", "task_force"):
            self.filters[name].extra["choices"] = self.filters[name].extra["choices"]()

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # A view that filters through this FilterSet is misconfigured: it parses, never queries.
        raise ImproperlyConfigured(
            "The inbox is read by selectors_inbox.inbox_search from inbox_query(), not filtered "
            "here: see the module's docstring."
        )

    def inbox_query(self, officer: Officer, now: dt.datetime | None = None) -> InboxQuery:
        """What the filters that parsed narrow the inbox to, in the officer's own days (the
        others are left out: the form keeps their errors)."""
        self.form.is_valid()
        data: dict[str, Any] = self.form.cleaned_data if self.is_bound else {}
        sent_from, sent_before = day_bounds(
            data.get("sent_from"), data.get("sent_to"), officer_zone(officer)
        )
        due_from = due_before = None
        if data.get("due_today"):
            due_from, due_before = local_day(officer, now or timezone.now())
        return InboxQuery(
            direction=Direction(data.get("direction") or Direction.ALL),
            kind=data.get("kind") or "",
            priority=data.get("priority") or "",
            status=ReceiptStatus(data["status"]) if data.get("status") else None,
            crime_area=data.get("crime_area") or "",
            task_force=data.get("task_force") or "",
            overdue=bool(data.get("overdue")),
            unread=bool(data.get("unread")),
            sent_from=sent_from,
            sent_before=sent_before,
            due_from=due_from,
            due_before=due_before,
            reference=data.get("reference") or "",
            sort=InboxSort(data.get("sort") or InboxSort.NEWEST),
        )
