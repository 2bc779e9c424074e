"""The statistics an officer may read, and the audited reads: every view of the tables (page,
API) is a consultation, every file (page, API, command line) an export, each written to the
audit log with the tables, years and format before the answer leaves."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.http import Http404

from analytics.models import AnalyticsAuditEvent
from analytics.policy import NO_ACCESS, StatisticsAccess, Table, statistics_access
from analytics.tables import StatisticsTable, statistics_table
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.models import AuditAction

AUDIT_OBJECT_TYPE = "analytics.statistics"


def statistics_access_for(officer: Officer | None) -> StatisticsAccess:
    """The policy's answer for this officer (reads the party of the officer's agency)."""
    if officer is None or not officer.is_authenticated:
        return NO_ACCESS
    party = officer.party
    party_status = party.status if party is not None else None
    return statistics_access(role=officer.role, party_status=party_status)


def statistics_access_or_404(officer: Officer) -> StatisticsAccess:
    """404, as for a page that does not exist, to an officer who sees no statistics."""
    access = statistics_access_for(officer)
    if not access.sees_statistics:
        raise Http404("No statistics for this officer.")
    return access


def statistics_table_or_404(access: StatisticsAccess, table: Table) -> Table:
    if not access.sees(table):
        raise Http404("No such table for this officer.")
    return table


# Formats read on screen (consultation) and formats taken away as files (export).
SCREEN_FORMATS = ("html", "json")


@transaction.atomic
def statistics_read(
    *,
    officer: Officer | None,
    tables: Sequence[Table],
    years: tuple[int, ...],
    export_format: str,
    reason: str,
) -> list[StatisticsTable]:
    """Build the tables for ``years`` and write the one audit event of this read: a
    consultation when shown (page, JSON), an export when handed over as a file. The caller
    has checked the officer's access; ``officer`` None is an operator on the command line."""
    built = [statistics_table(table, years) for table in tables]
    audit_record(
        actor=officer,
        action=AuditAction.CONSULTATION if export_format in SCREEN_FORMATS else AuditAction.EXPORT,
        event=AnalyticsAuditEvent.STATISTICS_CONSULTED
        if export_format in SCREEN_FORMATS
        else AnalyticsAuditEvent.STATISTICS_EXPORTED,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=",".join(table.name for table in built)[:64],
        reason=reason,
        details={
            "tables": [table.name for table in built],
            "years": sorted({year for table in built for year in table.years}),
            "format": export_format,
        },
    )
    return built
