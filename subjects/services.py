"""Writes and audited reads of data subject requests: each in one transaction with its audit
event; the notices are written in that transaction and e-mailed after its commit.

What the DPO types about the person is kept encrypted: in the request, and in the audit log's
justification of a search (``selec.core.audit``); the events' details carry the kinds of
identifiers, counts and references, never the values.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from partners.models import Officer
from partners.selectors import officers_concerned
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers
from selec.core.service_helpers import counter_next
from subjects.access import dpo_or_404
from subjects.identifiers import Identifiers, IdentifiersError
from subjects.models import (
    NOTE_MAX_LENGTH,
    RequestKind,
    SubjectAuditEvent,
    SubjectNotificationKind,
    SubjectRequest,
    SubjectRequestCounter,
    SubjectRequestItem,
)
from subjects.policy import dates_problem, default_due_on
from subjects.selectors import (
    ItemRow,
    RequestRow,
    SubjectMatch,
    request_get,
    request_items,
    subject_matches,
)

SEARCH_OBJECT_TYPE = "subjects.subject_search"


def _when(day: dt.date) -> str:
    # The month in the active language (English: "05 Jan 2026").
    return date_format(day, "d M Y")


def _matches(identifiers: Identifiers) -> list[SubjectMatch]:
    try:
        pairs = identifiers.tokens()
    except IdentifiersError as exc:
        raise ValidationError(exc.errors) from exc
    return subject_matches(pairs)


def _summary(matches: list[SubjectMatch]) -> dict[str, object]:
    return {
        "exchanges": len(matches),
        "providers": len({m.agency_id for m in matches}),
        # References name no one: an exchange's access report then shows the DPO's search.
        "references": [m.reference for m in matches],
    }


@transaction.atomic
def subject_search(*, officer: Officer, identifiers: Identifiers) -> list[SubjectMatch]:
    """Every exchange holding the person, across providers, without its content. Audited as a
    combination: the identifiers as the event's justification (encrypted), the kinds of
    identifiers and what was found in its details."""
    dpo_or_404(officer)
    matches = _matches(identifiers)
    audit_record(
        actor=officer,
        action=AuditAction.COMBINATION,
        event=SubjectAuditEvent.SEARCHED,
        object_type=SEARCH_OBJECT_TYPE,
        reason="data subject search",
        details={"identifiers": identifiers.kinds_given(), **_summary(matches)},
        justification=identifiers.described(),
    )
    return matches


# What ``_reference`` writes: the API's schema names the form (four digits or more after the
# year, as the counter grows).
REFERENCE_PATTERN = r"^DSR-\d{4}-\d{4,}$"


def _reference(year: int) -> str:
    """The next ``DSR-YYYY-NNNN``, consecutive and never repeated (``counter_next``)."""
    return f"DSR-{year}-{counter_next(SubjectRequestCounter, year=year):04d}"


def _checked(
    *, kind: str, received_on: dt.date, due_on: dt.date, note: str, today: dt.date
) -> None:
    if kind not in RequestKind.values:
        # Translators: %(kinds)s lists the kinds' codes (access, rectification...), kept as they are.
        raise ValidationError(
            {"kind": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(RequestKind.values)}]}
        )
    problem = dates_problem(received_on=received_on, due_on=due_on, today=today)
    if problem is not None:
        raise ValidationError({problem[0]: [problem[1]]})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": [_("At most %(max_length)d characters.") % {"max_length": NOTE_MAX_LENGTH}]}
        )


@transaction.atomic
def subject_request_create(
    *,
    officer: Officer,
    identifiers: Identifiers,
    kind: str,
    received_on: dt.date,
    due_on: dt.date | None = None,
    note: str = "",
) -> SubjectRequest:
    """Record the request and forward it to the provider of each exchange holding the person
    (searched again here: what is forwarded is what the blind index holds now). One item per
    exchange whose content is not erased; each provider agency's officers are told the
    request's reference. A request that finds nothing is answered at once."""
    dpo_or_404(officer)
    today = timezone.localdate()
    due_on = due_on or default_due_on(received_on)
    note = note.strip()
    _checked(kind=kind, received_on=received_on, due_on=due_on, note=note, today=today)
    forwarded = [m for m in _matches(identifiers) if not m.erased]
    now = timezone.now()
    request = SubjectRequest(
        reference=_reference(today.year),
        kind=kind,
        # An encrypted JSON document: a TextField to the type checker.
        identifiers=identifiers.stored(),
        note=note,
        received_on=received_on,
        due_on=due_on,
        created_by=officer,
        created_at=now,
        answered_at=None if forwarded else now,
    )
    request.save(force_insert=True)
    SubjectRequestItem.objects.bulk_create(
        SubjectRequestItem(
            request=request,
            exchange_id=m.exchange_id,
            provider_agency_id=m.agency_id,
            matched=list(m.matched),
            due_on=due_on,
        )
        for m in forwarded
    )
    audit_record(
        actor=officer,
        action=AuditAction.COLLECTION,
        event=SubjectAuditEvent.CREATED,
        target=request,
        reason="data subject request forwarded to the providers",
        details={
            "request": request.reference,
            "kind": kind,
            "identifiers": identifiers.kinds_given(),
            **_summary(forwarded),
            "agencies": sorted({m.provider for m in forwarded}),
        },
    )
    if forwarded:
        notify_officers(
            officers=officers_concerned(agency_ids={m.agency_id for m in forwarded}),
            kind=SubjectNotificationKind.TO_ANSWER,
            # Composed once per recipient language.
            title=lambda: (
                _("Data subject request %(reference)s to answer by %(date)s")
                % {"reference": request.reference, "date": _when(due_on)}
            ),
            link=reverse("subjects:queue"),
            object_type=SubjectRequest._meta.label_lower,
            object_id=str(request.pk),
            dedupe_key=f"subject-request:{request.pk}",
        )
    return request


@transaction.atomic
def subject_request_read(*, officer: Officer, reference: str) -> tuple[RequestRow, list[ItemRow]]:
    """One request with the person's identifiers and the providers' answers (decrypted):
    audited as a consultation."""
    dpo_or_404(officer)
    today = timezone.localdate()
    row = request_get(reference, today=today)
    items = request_items(row.request, today=today)
    audit_record(
        actor=officer,
        action=AuditAction.CONSULTATION,
        event=SubjectAuditEvent.CONSULTED,
        target=row.request,
        reason="data subject request consulted",
        details={"request": row.request.reference},
    )
    return row, items
