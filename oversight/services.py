"""The DPO's audited reads of the log: each search page, each export and each access report is
written to the log (as a consultation or an export, with what was asked and how many events
were handed over) in the transaction that reads it, before the answer leaves. The read comes
first, so an event never lists itself."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from exchanges.models import Entity
from oversight.entities import EntityHolders, TokenPair, entity_holders
from oversight.events import OversightAuditEvent
from oversight.filters import AuditQuery
from oversight.rows import AuditRow
from oversight.selectors import (
    AccessReport,
    AuditPage,
    EntityAccessReport,
    Position,
    access_report,
    audit_export,
    audit_page,
    entity_access_report,
)
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.models import AuditAction, AuditEvent

SEARCH_OBJECT_TYPE = AuditEvent._meta.label_lower
ENTITY_OBJECT_TYPE = Entity._meta.label_lower


def _entity_described(holders: EntityHolders | None) -> dict[str, Any]:
    """What a search narrowed to an entity records of it besides its token kinds: how many
    exchanges hold it (never the identifier, nor the tokens)."""
    return {} if holders is None else {"entity_exchanges": len(holders.exchanges)}


def _search_recorded(
    officer: Officer, event: OversightAuditEvent, query: AuditQuery, *, reason: str, **details: Any
) -> None:
    """The event of a search or an export: a consultation or an export of the log, with the
    filters given and what was handed over."""
    audit_record(
        actor=officer,
        action=AuditAction.EXPORT
        if event == OversightAuditEvent.EXPORTED
        else AuditAction.CONSULTATION,
        event=event,
        object_type=SEARCH_OBJECT_TYPE,
        reason=reason,
        details={"filters": query.described(), **details},
    )


@transaction.atomic
def audit_search(
    *,
    officer: Officer,
    query: AuditQuery,
    older_than: Position | None,
    newer_than: Position | None,
    limit: int,
    reason: str,
) -> AuditPage:
    page = audit_page(query, older_than=older_than, newer_than=newer_than, limit=limit)
    _search_recorded(
        officer,
        OversightAuditEvent.SEARCHED,
        query,
        reason=reason,
        events=len(page.rows),
        **_entity_described(page.entity),
    )
    return page


@transaction.atomic
def audit_search_export(
    *, officer: Officer, query: AuditQuery, reason: str
) -> tuple[list[AuditRow], bool]:
    """The rows of an export (bounded: ``oversight.selectors.EXPORT_LIMIT``) and whether the
    search had more; the export names how many events it handed over."""
    rows, truncated, holders = audit_export(query)
    _search_recorded(
        officer,
        OversightAuditEvent.EXPORTED,
        query,
        reason=reason,
        events=len(rows),
        truncated=truncated,
        format="csv",
        **_entity_described(holders),
    )
    return rows, truncated


@transaction.atomic
def access_report_read(*, officer: Officer, reference: str, reason: str) -> AccessReport:
    """One object's access report; the event names the reference, so a later report on the
    same object lists this one too."""
    report = access_report(reference)
    named = report.object
    audit_record(
        actor=officer,
        action=AuditAction.CONSULTATION,
        event=OversightAuditEvent.ACCESS_REPORTED,
        object_type=named.object_type,
        object_id=named.object_id or "",
        reason=reason,
        details={"reference": named.reference, "events": len(report.rows)},
    )
    return report


@transaction.atomic
def entity_access_report_read(
    *, officer: Officer, tokens: tuple[TokenPair, ...], reason: str
) -> EntityAccessReport:
    """One entity's access report. The event records the kinds of the tokens and names the
    exchanges found (never the identifier nor the tokens), so a later report on any of them,
    or on the entity, lists this one too."""
    report = entity_access_report(entity_holders(tokens))
    holders = report.entity
    audit_record(
        actor=officer,
        action=AuditAction.CONSULTATION,
        event=OversightAuditEvent.ACCESS_REPORTED,
        object_type=ENTITY_OBJECT_TYPE,
        reason=reason,
        details={
            "entity": holders.kinds,
            "references": holders.references,
            "events": len(report.rows),
        },
    )
    return report
