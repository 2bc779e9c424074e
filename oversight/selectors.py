"""The reads of the audit log for the DPO: the search, page by page or whole for an export, and
one object's access report. No audit here: ``oversight.services`` records each read.

The search walks ``audit_event_by_time`` (occurred_at, id) newest first and stops after the
page: the keyset is the pair, since two events may share a moment. Each filter narrows the
walk; the event name has its own index (``audit_event_by_name``), and a reference resolves to
the object's type and id (``object_type``, ``object_id`` index). The access report finds the
events naming a reference in their details through ``audit_event_details`` (GIN, @>).

The justifications of a page's rows are read and decrypted in one query
(``selec.core.audit.justifications_of``; the texts live outside the log, encrypted); an access
report's consultations get their officers' purposes in one more (``oversight.purposes``). An
entity narrows the log to the events about the exchanges holding it (``oversight.entities``),
found in one query first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from oversight.entities import EntityHolders, entity_holders, naming_entity, reference_named
from oversight.filters import AuditQuery
from oversight.purposes import with_purposes
from oversight.references import AuditObject, audit_object
from oversight.rows import AuditRow
from selec.core.audit import justifications_of
from selec.core.models import AuditAction, AuditEvent

# A keyset position: the moment and id of an event.
Position = tuple[dt.datetime, int]

# The rows an export hands over at most (see docs/oversight.md: bounded, not streamed).
EXPORT_LIMIT = 5000
# The events an access report lists at most, oldest first.
REPORT_LIMIT = 5000


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    # Where the older events start (the next page), None on the last page.
    older_than: Position | None
    # Where the newer events start (the previous page), None on the first page.
    newer_than: Position | None
    # The exchanges holding the entity the search is narrowed to, if it is.
    entity: EntityHolders | None = None


@dataclass(frozen=True)
class AccessReport:
    object: AuditObject
    rows: list[AuditRow]
    truncated: bool


@dataclass(frozen=True)
class EntityAccessReport:
    entity: EntityHolders
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


def query_holders(query: AuditQuery) -> EntityHolders | None:
    """The exchanges holding the entity the query names, if it names one (one query)."""
    return entity_holders(query.entity) if query.entity else None


def audit_events(query: AuditQuery, holders: EntityHolders | None) -> QuerySet[AuditEvent]:
    """The events the query narrows the log to, unordered; ``holders`` are the query's
    entity's (``query_holders``)."""
    events = AuditEvent.objects.all()
    if holders is not None:
        naming = naming_entity(holders)
        if naming is None:
            return AuditEvent.objects.none()
        events = events.filter(naming)
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
    newest. One query, one more when any row records a justification, and one for the
    exchanges holding the entity the query names, if it names one."""
    holders = query_holders(query)
    events = audit_events(query, holders)
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
        entity=holders,
    )


def audit_export(query: AuditQuery) -> tuple[list[AuditRow], bool, EntityHolders | None]:
    """The newest ``EXPORT_LIMIT`` events of the query, whether there were more, and the
    exchanges holding the query's entity."""
    holders = query_holders(query)
    events = audit_events(query, holders).order_by("-occurred_at", "-id")
    batch = list(events[: EXPORT_LIMIT + 1])
    return audit_rows(batch[:EXPORT_LIMIT]), len(batch) > EXPORT_LIMIT, holders


def _naming(named: AuditObject) -> Q:
    """The events about the object: those it is the object of, and those whose details name
    its reference."""
    naming = reference_named(named.reference)
    if named.exists:
        naming |= Q(object_type=named.object_type, object_id=named.object_id)
    return naming


def _report_rows(events: QuerySet[AuditEvent]) -> tuple[list[AuditRow], bool]:
    """At most ``REPORT_LIMIT`` of the events, oldest first, with their justifications and the
    purposes of their consultations (two queries for all of them), and whether there were
    more."""
    batch = list(events.order_by("occurred_at", "id")[: REPORT_LIMIT + 1])
    return with_purposes(audit_rows(batch[:REPORT_LIMIT])), len(batch) > REPORT_LIMIT


def access_report(reference: str) -> AccessReport:
    """Every event about the object a well-shaped reference names, oldest first (at most
    ``REPORT_LIMIT``). Events that named an erased object's reference are still found."""
    named = audit_object(reference)
    rows, truncated = _report_rows(AuditEvent.objects.filter(_naming(named)))
    return AccessReport(object=named, rows=rows, truncated=truncated)


def entity_access_report(holders: EntityHolders) -> EntityAccessReport:
    """Every event about the exchanges holding an entity (as each one's access report finds
    them) and about the hits on it, oldest first (at most ``REPORT_LIMIT``)."""
    naming = naming_entity(holders)
    if naming is None:
        return EntityAccessReport(entity=holders, rows=[], truncated=False)
    rows, truncated = _report_rows(AuditEvent.objects.filter(naming))
    return EntityAccessReport(entity=holders, rows=rows, truncated=truncated)
