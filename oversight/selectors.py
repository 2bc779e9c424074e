"""The reads of the audit log for the DPO: the search, page by page or whole for an export, and
one object's access report. No audit here: ``oversight.services`` records each read.

The search walks ``audit_event_by_time`` (occurred_at, id) newest first and stops after the
page: the keyset is the pair, since two events may share a moment. Each filter narrows the
walk; the event name has its own index (``audit_event_by_name``), and a reference resolves to
the object's type and id (``object_type``, ``object_id`` index). The access report finds the
events naming a reference in their details through ``audit_event_details`` (GIN, @>).

The justifications of a page's rows are read and decrypted in one query
(``selec.core.audit.justifications_of``; the texts live outside the log, encrypted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from oversight.filters import AuditQuery
from oversight.references import AuditObject, audit_object
from selec.core.audit import justifications_of
from selec.core.models import AuditAction, AuditEvent

# A keyset position: the moment and id of an event.
Position = tuple[dt.datetime, int]

# The rows an export hands over at most (see docs/oversight.md: bounded, not streamed).
EXPORT_LIMIT = 5000
# The events an access report lists at most, oldest first.
REPORT_LIMIT = 5000


@dataclass(frozen=True)
class AuditRow:
    """One event with its justification: the text, None when it records none; ``altered``
    when the stored text no longer matches the event's digest (it is then not shown)."""

    event: AuditEvent
    justification: str | None
    justification_altered: bool = False

    @property
    def reference(self) -> str:
        return str(self.event.details.get("reference", ""))


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    # Where the older events start (the next page), None on the last page.
    older_than: Position | None
    # Where the newer events start (the previous page), None on the first page.
    newer_than: Position | None


@dataclass(frozen=True)
class AccessReport:
    object: AuditObject
    rows: list[AuditRow]
    truncated: bool


def encode_position(position: Position) -> str:
    moment, pk = position
    return f"{moment.isoformat()}|{pk}"


def decode_position(value: str) -> Position | None:
    """The position a cursor or a page link carries; None when it is not one."""
    moment, _, pk = value.partition("|")
    try:
        when = dt.datetime.fromisoformat(moment)
    except ValueError:
        return None
    if when.tzinfo is None or not (pk.isascii() and pk.isdigit()) or int(pk) > 2**63 - 1:
        return None
    return when, int(pk)


def _position(event: AuditEvent) -> Position:
    return event.occurred_at, event.pk


def audit_rows(events: list[AuditEvent]) -> list[AuditRow]:
    """The rows with their justifications, read in one query for all of them. A justification
    altered or removed is an integrity finding the DPO must see, not a page that fails."""
    found = justifications_of(events)
    return [
        AuditRow(
            event=event,
            justification=found.get(event.pk),
            justification_altered=event.pk in found and found[event.pk] is None,
        )
        for event in events
    ]


def audit_events(query: AuditQuery) -> QuerySet[AuditEvent]:
    """The events the query narrows the log to, unordered."""
    events = AuditEvent.objects.all()
    if query.reference:
        named = audit_object(query.reference)
        if not named.exists:
            return AuditEvent.objects.none()
        events = events.filter(object_type=named.object_type, object_id=named.object_id)
    exact = {
        "actor_username": query.username,
        "actor_agency": query.agency,
        "actor_party": query.party,
        "event": query.event,
        "action": query.action,
    }
    events = events.filter(**{column: value for column, value in exact.items() if value})
    if query.refused:
        events = events.filter(action=AuditAction.REFUSAL)
    if query.occurred_from:
        events = events.filter(occurred_at__gte=query.occurred_from)
    if query.occurred_before:
        events = events.filter(occurred_at__lt=query.occurred_before)
    return events


def audit_page(
    query: AuditQuery,
    *,
    older_than: Position | None = None,
    newer_than: Position | None = None,
    limit: int,
) -> AuditPage:
    """The events of the query, newest first: those older than ``older_than`` (the next
    page), or the newest page of those newer than ``newer_than`` (the previous one), or the
    newest. One query, and one per justification shown."""
    events = audit_events(query)
    if newer_than is not None:
        moment, pk = newer_than
        # The redundant bound lets the index's range start at the moment.
        batch = list(
            events.filter(occurred_at__gte=moment)
            .filter(Q(occurred_at__gt=moment) | Q(pk__gt=pk))
            .order_by("occurred_at", "id")[: limit + 1]
        )
        newer, older = len(batch) > limit, True
        batch = batch[:limit][::-1]
    else:
        if older_than is not None:
            moment, pk = older_than
            events = events.filter(occurred_at__lte=moment).filter(
                Q(occurred_at__lt=moment) | Q(pk__lt=pk)
            )
        batch = list(events.order_by("-occurred_at", "-id")[: limit + 1])
        older, newer = len(batch) > limit, older_than is not None
        batch = batch[:limit]
    return AuditPage(
        rows=audit_rows(batch),
        older_than=_position(batch[-1]) if batch and older else None,
        newer_than=_position(batch[0]) if batch and newer else None,
    )


def audit_export(query: AuditQuery) -> tuple[list[AuditRow], bool]:
    """The newest ``EXPORT_LIMIT`` events of the query, and whether there were more."""
    batch = list(audit_events(query).order_by("-occurred_at", "-id")[: EXPORT_LIMIT + 1])
    return audit_rows(batch[:EXPORT_LIMIT]), len(batch) > EXPORT_LIMIT


def _naming(named: AuditObject) -> Q:
    """The events about the object: those it is the object of, and those whose details name
    its reference (an attachment's download, a dissemination request, a hit between it and
    another, a refused attempt on one of its addresses)."""
    reference = named.reference
    naming = (
        Q(details__contains={"reference": reference})
        | Q(details__contains={"references": [reference]})
        | Q(details__contains={"arguments": {"reference": reference}})
    )
    if named.exists:
        naming |= Q(object_type=named.object_type, object_id=named.object_id)
    return naming


def access_report(reference: str) -> AccessReport:
    """Every event about the object a well-shaped reference names, oldest first (at most
    ``REPORT_LIMIT``). Events that named an erased object's reference are still found."""
    named = audit_object(reference)
    batch = list(
        AuditEvent.objects.filter(_naming(named)).order_by("occurred_at", "id")[: REPORT_LIMIT + 1]
    )
    return AccessReport(
        object=named,
        rows=audit_rows(batch[:REPORT_LIMIT]),
        truncated=len(batch) > REPORT_LIMIT,
    )
