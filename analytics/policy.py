"""Who sees which statistics table, and who may recompute them: decided here only, from the
officer's role and their party's status (no database).

Statistics are counts of exchange metadata, never content, so no permission on exchanges is
involved: an analyst sees every table without being able to open a single exchange.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from partners.capabilities import capabilities_for
from partners.models import Role


class Table(StrEnum):
    TOTALS = "totals"
    CRIME_TYPES = "crime-types"
    PARTIES = "parties"
    TASK_FORCES = "task-forces"


# The tables that describe crime and cooperation trends in the region as a whole. The parties
# table is left out on purpose: it shows which member state asks which other for help, and how
# often, in a given year — operational information about the members' cooperation, and
# observers receive strategic information only.
STRATEGIC_TABLES = frozenset({Table.TOTALS, Table.CRIME_TYPES, Table.TASK_FORCES})


@dataclass(frozen=True)
class StatisticsAccess:
    tables: frozenset[Table]
    may_recompute: bool

    @property
    def sees_statistics(self) -> bool:
        return bool(self.tables)

    def sees(self, table: Table) -> bool:
        return table in self.tables

    def ordered_tables(self) -> list[Table]:
        return [table for table in Table if table in self.tables]


NO_ACCESS = StatisticsAccess(tables=frozenset(), may_recompute=False)
ANALYST_ACCESS = StatisticsAccess(tables=frozenset(Table), may_recompute=True)
OBSERVER_ACCESS = StatisticsAccess(tables=STRATEGIC_TABLES, may_recompute=False)


def statistics_access(*, role: str, party_status: str | None) -> StatisticsAccess:
    """Analysts: every table, and recomputation. Officers of observer parties: the strategic
    tables. Everybody else (liaison officers and focal points of members and partners, the
    data protection officer, directory administrators): nothing — their work does not call for
    statistics, and a page they cannot use is better not shown at all."""
    if role == Role.ANALYST:
        return ANALYST_ACCESS
    if party_status is not None and (
        capabilities_for(party_status).receives_strategic_information_only
    ):
        return OBSERVER_ACCESS
    return NO_ACCESS
