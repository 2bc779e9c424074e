"""From a historical log and live exchanges to the four published tables.

A generated log of a few thousand exchanges (2009-2012, across the SELEC Convention's entry
into force on 7 October 2011) is written to a CSV file and imported with
``import_exchange_log``; a few live exchanges, some in task forces, are sent through the
services; ``compute_statistics`` runs for every year concerned. Each of the four tables must
then have grown by exactly the counts worked out here, in plain Python, from the generated
rows and the live exchanges' parameters, with the party statuses the issue gives (not read
from the database). Whatever the demo data had put in those years is measured first and
subtracted, so the test holds whatever the seeded database contains.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zoneinfo
from collections import Counter
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command

from analytics.policy import Table
from analytics.tables import StatisticsTable, statistics_table
from exchanges.models import Exchange, ExchangeKind, Priority
from exchanges.services.sending import exchange_reply, exchange_send
from partners.models import Agency, Officer
from taskforces.models import CrimeArea, TaskForce
from tests.exchanges.scenario import agency_ids, message
from tests.helpers import agency_of

pytestmark = pytest.mark.django_db

LOG_YEARS = range(2009, 2013)
LOG_ROWS = 3000
CONVENTION_IN_FORCE = dt.date(2011, 10, 7)
# Seed 001: the SECI Center's members in 2008; from the Convention, the 2018 statuses of seed
# 000 (Croatia and Slovenia former members; Italy and the United States operational partners;
# the others observers).
SECI_MEMBERS = frozenset(
    ["AL", "BA", "BG", "HR", "GR", "HU", "MD", "MK", "ME", "RO", "RS", "SI", "TR"]
)
SELEC_MEMBERS = SECI_MEMBERS - {"HR", "SI"}
# Observers of the SECI Center that are observers or operational partners of SELEC.
NON_MEMBERS = ("AT", "DE", "FR", "IT", "NL", "UA", "US")


def members_on(day: dt.date) -> frozenset[str]:
    return SELEC_MEMBERS if day >= CONVENTION_IN_FORCE else SECI_MEMBERS


@dataclass(frozen=True)
class Counted:
    """What the tables read of one exchange."""

    day: dt.date
    sender: str
    recipients: frozenset[str]
    kind: str  # request or information (replies count as information)
    crime_area: str
    task_force: str | None
    regional: bool

    @property
    def channel(self) -> str:
        if self.regional:
            return "regional_operations"
        members = members_on(self.day)
        if self.sender in members and self.recipients <= members:
            return "members_daily"
        return "members_observers"


def generate_log(seed: int) -> list[Counted]:
    rng = random.Random(seed)
    areas = list(CrimeArea.objects.values_list("code", flat=True))
    first = dt.date(LOG_YEARS.start, 1, 1)
    days = (dt.date(LOG_YEARS.stop, 1, 1) - first).days
    rows = []
    for _ in range(LOG_ROWS):
        day = first + dt.timedelta(days=rng.randrange(days))
        members = sorted(members_on(day))
        sender = rng.choice(members) if rng.random() < 0.8 else rng.choice(NON_MEMBERS)
        pool = [code for code in (*members, *NON_MEMBERS) if code != sender]
        rows.append(
            Counted(
                day=day,
                sender=sender,
                recipients=frozenset(rng.sample(pool, rng.randint(1, 4))),
                kind=rng.choice(["request", "information"]),
                crime_area=rng.choice(areas),
                task_force=None,  # filled below from the importer's rule
                regional=rng.random() < 0.15,
            )
        )
    return rows


def log_csv(rows: list[Counted]) -> str:
    lines = ["date,sender,recipients,kind,crime_area,channel"]
    for row in rows:
        channel = "regional_operation" if row.regional else "daily"
        recipients = ";".join(sorted(row.recipients))
        lines.append(
            f"{row.day.isoformat()},{row.sender},{recipients},{row.kind},{row.crime_area},{channel}"
        )
    return "\n".join(lines) + "\n"


def task_forces_of_imported() -> dict[str, str]:
    """The logs name no task force: the importer files an imported exchange under the task
    force that follows its crime area (the first by position), or none."""
    following: dict[str, str] = {}
    for task_force in TaskForce.objects.order_by("position").prefetch_related("crime_areas"):
        for area in task_force.crime_areas.all():
            following.setdefault(area.code, task_force.code)
    return following


# --- The tables, counted by hand --------------------------------------------------------------

Cells = Counter  # (row identity..., column) -> count


def expected_cells(exchanges: list[Counted], year_of_one_year_tables: int) -> dict[Table, Cells]:
    kinds = {"request": "requests", "information": "information_exchanges"}
    cells: dict[Table, Cells] = {table: Counter() for table in Table}
    for x in exchanges:
        year = x.day.year
        cells[Table.TOTALS][(x.channel, str(year))] += 1
        cells[Table.TASK_FORCES][(year, x.task_force, kinds[x.kind])] += 1
        if year != year_of_one_year_tables:
            continue
        if x.sender in members_on(x.day):
            cells[Table.CRIME_TYPES][(x.crime_area, kinds[x.kind])] += 1
        cells[Table.PARTIES][(x.sender, f"sent_{kinds[x.kind]}")] += 1
        for recipient in x.recipients:
            cells[Table.PARTIES][(recipient, f"received_{kinds[x.kind]}")] += 1
    return cells


def table_cells(table: StatisticsTable) -> Cells:
    """The table's counts by row and column, the total row left out (checked on its own)."""
    cells: Cells = Counter()
    for row in table.data_rows:
        for column in table.count_columns:
            identity = (row.year, row.key) if table.name == Table.TASK_FORCES else (row.key,)
            cells[(*identity, column.key)] = int(row.counts[column.index])
    return cells


def assert_totals_add_up(table: StatisticsTable) -> None:
    total = table.rows[-1]
    assert total.is_total
    for column in table.count_columns:
        assert total.counts[column.index] == sum(
            row.counts[column.index] for row in table.data_rows
        ), (table.name, column.key)


def _grown(after: Cells, before: Cells) -> Cells:
    grown = Counter(after)
    grown.subtract(before)
    return +grown  # drops the zeros


def compute(years: list[int]) -> None:
    for year in years:
        call_command("compute_statistics", "--year", str(year), stdout=io.StringIO())


def all_tables(years: tuple[int, ...]) -> dict[Table, list[StatisticsTable]]:
    """Totals and task forces over the years; the one-year tables of each year."""
    return {
        Table.TOTALS: [statistics_table(Table.TOTALS, years)],
        Table.TASK_FORCES: [statistics_table(Table.TASK_FORCES, years)],
        Table.CRIME_TYPES: [statistics_table(Table.CRIME_TYPES, (year,)) for year in years],
        Table.PARTIES: [statistics_table(Table.PARTIES, (year,)) for year in years],
    }


# --- Live exchanges -------------------------------------------------------------------------


def send_live(officers: dict[str, Officer]) -> list[Counted]:
    """Requests, information, a reply and an observer's message, some in task forces."""
    party_of = dict(Agency.objects.values_list("name", "party__code"))
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def counted(exchange: Exchange, recipients: list[str], kind: str) -> Counted:
        return Counted(
            day=exchange.sent_at.astimezone(zone).date(),
            sender=officers_party[exchange.sender_agency_id],
            recipients=frozenset(party_of[name] for name in recipients),
            kind=kind,
            crime_area=exchange.crime_area.code,
            task_force=exchange.task_force.code if exchange.task_force else None,
            regional=False,
        )

    officers_party = {o.agency_id: agency_of(o).party.code for o in officers.values()}
    live = []
    sent: list[Exchange] = []
    for username, recipients, kind, area, task_force in [
        ("lo.ro", ["Bulgarian Police"], "request", "drugs", "drugs"),
        ("lo.ro", ["Bulgarian Police", "Police of Austria"], "information", "thb", "thb_migration"),
        (
            "lo.bg",
            ["Turkish Customs", "Hellenic Police"],
            "request",
            "stolen_vehicles",
            "stolen_vehicles",
        ),
        ("lo.tr", ["Romanian Police"], "information", "drugs", None),
        ("obs.at", ["Romanian Police"], "information", "cybercrime", "financial_computer"),
    ]:
        exchange = exchange_send(
            officer=officers[username],
            kind=kind,
            recipient_agency_ids=agency_ids(*recipients),
            crime_area_id=CrimeArea.objects.get(code=area).pk,
            task_force_id=TaskForce.objects.get(code=task_force).pk if task_force else None,
            priority=Priority.ROUTINE,
            message=message(subject=f"Statistics: {area}"),
        )
        sent.append(exchange)
        live.append(counted(exchange, recipients, kind))
    # Bulgaria answers Romania's request: a reply counts as an information exchange, in the
    # request's crime area and task force.
    reply = exchange_reply(officer=officers["lo.bg"], parent=sent[0], message=message())
    assert reply.kind == ExchangeKind.REPLY
    live.append(counted(reply, ["Romanian Police"], "information"))
    return live


# --- The test -------------------------------------------------------------------------------


def test_an_imported_log_and_live_exchanges_make_the_four_tables(tmp_path) -> None:
    officers = {
        o.username: o
        for o in Officer.objects.select_related("agency__party").filter(
            username__in=["lo.ro", "lo.bg", "lo.tr", "obs.at"]
        )
    }
    this_year = dt.date.today().year
    years = [*LOG_YEARS, this_year]
    compute(years)
    before = all_tables(tuple(years))

    generated = generate_log(seed=7)
    log = tmp_path / "seci-log-2009-2012.csv"
    log.write_text(log_csv(generated), encoding="utf-8")
    out = io.StringIO()
    call_command("import_exchange_log", str(log), stdout=out, stderr=io.StringIO())
    assert f"Imported {LOG_ROWS:,} exchanges" in out.getvalue()
    following = task_forces_of_imported()
    imported = [
        Counted(**{**row.__dict__, "task_force": following.get(row.crime_area)})
        for row in generated
    ]
    live = send_live(officers)
    assert {x.day.year for x in live} == {this_year}
    assert sum(x.task_force is not None for x in live) >= 4
    compute(years)
    after = all_tables(tuple(years))

    exchanges = imported + live
    for table in (Table.TOTALS, Table.TASK_FORCES):
        [old], [new] = before[table], after[table]
        assert_totals_add_up(new)
        assert _grown(table_cells(new), table_cells(old)) == +expected_cells(exchanges, 0)[table]
    for table in (Table.CRIME_TYPES, Table.PARTIES):
        for old, new in zip(before[table], after[table], strict=True):
            assert_totals_add_up(new)
            (year,) = new.years
            expected = expected_cells(exchanges, year)[table]
            assert _grown(table_cells(new), table_cells(old)) == +expected, (table, year)
            # Only rows with something to count.
            assert all(any(row.counts) for row in new.data_rows), (table, year)

    # The log's four years do split by the Convention's date: Croatia and Slovenia send among
    # members before it, and nothing after; observers' exchanges are never among members.
    assert any(x.sender == "HR" and x.day < CONVENTION_IN_FORCE for x in imported)
    assert all(x.sender not in {"HR", "SI"} for x in imported if x.day >= CONVENTION_IN_FORCE)
    totals = after[Table.TOTALS][0]
    assert all(totals.rows[-1].counts[i] >= 1 for i in range(len(LOG_YEARS)))
