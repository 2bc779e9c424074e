"""Showing a list of exchanges with their subjects: one consultation, audited.

A subject is content, so a page of subjects is a consultation in the Directive's sense, and the
data protection officer must be able to tell who saw which subjects and when. One event per
page shown, naming the references whose subject it showed (the access report of any of them
finds it, ``oversight.entities.reference_named``); a page that showed none writes nothing.
Listing is not reading: no receipt is marked read, no purpose is asked (the content itself still
asks for both when the exchange is opened)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from exchanges.models import Exchange, ExchangeAuditEvent
from exchanges.selectors_subjects import ListedSubject, listed_subjects
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.models import AuditAction


@transaction.atomic
def subjects_listed(
    *, officer: Officer, exchanges: Sequence[Exchange], listing: str
) -> dict[int, ListedSubject]:
    """The subjects the list shows, by exchange id, recorded as one consultation naming them.
    ``listing`` names the page ("inbox", "dashboard") in the event's details."""
    subjects = listed_subjects(officer, exchanges)
    # Once each, in the list's order: the dashboard's sections may repeat an exchange.
    shown = list(
        dict.fromkeys(exchange.reference for exchange in exchanges if subjects[exchange.pk].shown)
    )
    if shown:
        audit_record(
            actor=officer,
            action=AuditAction.CONSULTATION,
            event=ExchangeAuditEvent.SUBJECTS_LISTED,
            object_type=Exchange._meta.label_lower,
            reason="subjects listed",
            details={"listing": listing, "references": shown},
        )
    return subjects
