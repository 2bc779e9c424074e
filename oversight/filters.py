"""The audit search's filters, one ``FilterSet`` for the page and the API (as the inbox's,
``exchanges.filters``).

The FilterSet parses and describes; it does not query. The page shows what did not parse above
the table, the API answers 400 for it, drf-spectacular reads the API's query parameters from
it. The rows are read by ``oversight.selectors.audit_page`` from the ``AuditQuery`` it builds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from exchanges.filters import DayFilter, FlagFilter
from exchanges.selectors_inbox import day_bounds, officer_zone
from oversight.entities import (
    MAX_TOKENS_TEXT,
    EntityTokensError,
    TokenPair,
    token_kinds,
    tokens_parse,
)
from oversight.references import ReferenceShapeError, reference_shape
from partners.models import Officer
from selec.core.audit_events import audit_event_choices
from selec.core.models import AuditAction, AuditEvent


@dataclass(frozen=True)
class AuditQuery:
    """What a search narrows the log to; empty values do not narrow."""

    username: str = ""
    agency: str = ""
    party: str = ""
    event: str = ""
    action: str = ""
    reference: str = ""
    occurred_from: dt.datetime | None = None
    occurred_before: dt.datetime | None = None
    refused: bool = False
    # An entity's blind-index tokens (oversight.entities).
    entity: tuple[TokenPair, ...] = ()

    def described(self) -> dict[str, str]:
        """The filters given, as text: what the audit event of the search records. Of an
        entity, the kinds of its tokens only: the log keeps neither what was typed nor the
        tokens, which would outlive an erasure of the entity there."""
        return {
            field.name: _described(field.name, value)
            for field in fields(self)
            if (value := getattr(self, field.name))
        }


def _described(name: str, value: Any) -> str:
    if name == "entity":
        return ",".join(token_kinds(value))
    return value.isoformat() if isinstance(value, dt.datetime) else str(value)


class AuditFilterForm(forms.Form):
    """The rules across the filters' fields, which the FilterSet's form is built on."""

    def clean_reference(self) -> str:
        value: str = self.cleaned_data["reference"]
        if not value.strip():
            return ""
        try:
            return reference_shape(value)
        except ReferenceShapeError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None

    def clean_entity(self) -> tuple[TokenPair, ...]:
        value: str = self.cleaned_data["entity"]
        if not value.strip():
            return ()
        try:
            return tokens_parse(value)
        except EntityTokensError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None

    def clean_party(self) -> str:
        return str(self.cleaned_data["party"]).strip().upper()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("occurred_from"), data.get("occurred_to")
        if start and end and end < start:
            self.add_error("occurred_to", _("The end of the date range comes before its start."))
        return data


class AuditFilterSet(django_filters.FilterSet):
    # Labels only, no help texts (the page would show them under each field); the API's
    # parameters take their descriptions from the labels.
    officer = django_filters.CharFilter(label=_("Officer (username)"), max_length=150)
    agency = django_filters.CharFilter(label=_("Agency (its name at the time)"), max_length=160)
    party = django_filters.CharFilter(label=_("Party (code)"), max_length=16)
    event = django_filters.ChoiceFilter(
        label=_("Event"), empty_label=_("Any event"), choices=audit_event_choices
    )
    action = django_filters.ChoiceFilter(
        label=_("Category"), empty_label=_("Any category"), choices=AuditAction.choices
    )
    reference = django_filters.CharFilter(
        label=_("Object: an exchange's or a case's reference"), max_length=30
    )
    occurred_from = DayFilter(label=_("From"))
    occurred_to = DayFilter(label=_("Until"))
    refused = FlagFilter(label=_("Refused attempts only"))
    # Carried by the page's links, never typed: the entity page turns an identifier into it.
    entity = django_filters.CharFilter(
        label=_(
            "Entity: its blind-index tokens, as POST /api/v1/audit/entity-tokens/ gives them "
            "(kind:token, comma-separated): the events about the exchanges holding it and the "
            "hits on it"
        ),
        max_length=MAX_TOKENS_TEXT,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = AuditEvent
        fields: tuple[str, ...] = ()  # the declared filters only
        form = AuditFilterForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The names the apps registered, read once for the form that validates and shows them.
        self.filters["event"].extra["choices"] = self.filters["event"].extra["choices"]()

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # A view that filters through this FilterSet is misconfigured: it parses, never queries.
        raise ImproperlyConfigured(
            "The log is read by oversight.selectors.audit_page from audit_query(), not "
            "filtered here: see the module's docstring."
        )

    def audit_query(self, officer: Officer) -> AuditQuery:
        """What the filters that parsed narrow the log to, the days in the officer's own time
        zone (the others are left out: the form keeps their errors)."""
        self.form.is_valid()
        data: dict[str, Any] = self.form.cleaned_data if self.is_bound else {}
        start, before = day_bounds(
            data.get("occurred_from"), data.get("occurred_to"), officer_zone(officer)
        )
        return AuditQuery(
            username=(data.get("officer") or "").strip(),
            agency=(data.get("agency") or "").strip(),
            party=data.get("party") or "",
            event=data.get("event") or "",
            action=data.get("action") or "",
            reference=data.get("reference") or "",
            occurred_from=start,
            occurred_before=before,
            refused=bool(data.get("refused")),
            entity=data.get("entity") or (),
        )
