"""The published statistics tables, read from ``ExchangeStatistic`` only (never from exchanges).

Each table is built by one or two aggregate queries into a :class:`StatisticsTable`: a header
and rows of counts. The CSV, XLSX and JSON exports, the HTML page and its charts all render
that one value, so every output shows the same numbers.

The counting rules (channel, "initiated by member countries", what is a request) are applied
when the statistics are computed (``analytics.services``); here the two grains of
``ExchangeStatistic`` are read as its docstring says: rows without a recipient party count each
exchange once, rows with one count each (exchange, receiving party) pair.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.db import connection
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from analytics import queries
from analytics.models import Channel, ExchangeStatistic, RunState, StatisticKind, StatisticsRun
from analytics.policy import Table

# Years a request may name, and the first that may be imported or computed: the SECI
# Center's first logs are from 2000, so an older date is a typing error; past 2100 nothing can
# have been exchanged. A range spans at most MAX_YEARS years (the width of a table).
MIN_YEAR = 1990
MAX_YEAR = 2100
MAX_YEARS = 30
# The page and the API show, by default, the last five years that have statistics.
DEFAULT_YEARS = 5

# Tables over a range of years; the others describe one year.
RANGE_TABLES = frozenset({Table.TOTALS, Table.TASK_FORCES})

TOTAL_KEY = "total"
KINDS = (StatisticKind.REQUEST, StatisticKind.INFORMATION)


class ColumnKind(StrEnum):
    # The row's dimension: its code in CSV and JSON, its name on the page and in XLSX.
    DIMENSION = "dimension"
    # The row's name, for the CSV of tables whose code column is not self-explanatory.
    NAME = "name"
    YEAR = "year"
    COUNT = "count"


@dataclass(frozen=True)
class Column:
    key: str  # CSV header and JSON key
    label: str  # header on the page and in XLSX
    kind: ColumnKind
    index: int = 0  # for COUNT columns: the position in Row.counts


@dataclass(frozen=True)
class Row:
    key: str | None  # channel, crime area, party or task force code; "total"; None: no task force
    label: str
    # A float: a quantity seized, in a product's figure of operation results.
    counts: tuple[int | float, ...]
    year: int | None = None
    is_total: bool = False


class ChartKind(StrEnum):
    LINE = "line"
    COLUMN = "column"
    BAR = "bar"


@dataclass(frozen=True)
class Chart:
    kind: ChartKind
    # True: one series per row, over the count columns (trends over years). False: one series
    # per count column, one category per row.
    series_from_rows: bool
    y_title: str


@dataclass(frozen=True)
class StatisticsTable:
    name: str  # a Table value, or "crime-area-trend" for the page's chart
    title: str
    counts_what: str  # one line: what the numbers count
    years: tuple[int, ...]
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]  # the total row, when there is one, last
    chart: Chart
    # The name of its XLSX sheet when ``name`` is not a statistics table's (a product's figure
    # of operation results): short, as Excel allows 31 characters with the years.
    sheet_title: str = ""

    @property
    def count_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind == ColumnKind.COUNT)

    @property
    def display_columns(self) -> tuple[Column, ...]:
        """The columns of the page and of the XLSX sheet: the name is in the dimension."""
        return tuple(c for c in self.columns if c.kind != ColumnKind.NAME)

    @property
    def data_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if not row.is_total)

    @property
    def has_data(self) -> bool:
        return any(any(row.counts) for row in self.data_rows)

    @property
    def years_label(self) -> str:
        return years_span(self.years)

    @property
    def heading(self) -> str:
        # Translators: a statistics table's title, then its year or years ("2024", or "2020" to "2024").
        return _("%(title)s, %(years)s") % {"title": self.title, "years": self.years_label}

    def display_rows(self) -> list[tuple[Row, list[tuple[str | int | float | None, bool]]]]:
        """Each row with its page cells, each cell with whether it is a count."""
        columns = self.display_columns
        return [
            (row, [(display_cell(c, row), c.kind == ColumnKind.COUNT) for c in columns])
            for row in self.rows
        ]

    def chart_labels(self) -> list[str]:
        """The categories of the chart: the count columns, or the rows."""
        if self.chart.series_from_rows:
            return [c.label for c in self.count_columns]
        return [_category(row) for row in self.data_rows]

    def chart_series(self) -> list[tuple[str, list[int | float]]]:
        if self.chart.series_from_rows:
            return [(row.label, list(row.counts)) for row in self.data_rows]
        return [
            (column.label, [row.counts[column.index] for row in self.data_rows])
            for column in self.count_columns
        ]


def years_span(years: Sequence[int], dash: str = "\N{EN DASH}") -> str:
    """One year, or the first and the last of a range joined by ``dash``."""
    return str(years[0]) if len(years) == 1 else f"{years[0]}{dash}{years[-1]}"


def _category(row: Row) -> str:
    return f"{row.year} {row.label}" if row.year is not None else row.label


def machine_cell(column: Column, row: Row) -> str | int | float | None:
    """What CSV and JSON carry in a cell: codes, numbers."""
    if column.kind == ColumnKind.DIMENSION:
        return row.key if row.key is not None else ""
    if column.kind == ColumnKind.NAME:
        return row.label
    if column.kind == ColumnKind.YEAR:
        return row.year
    return row.counts[column.index]


def display_cell(column: Column, row: Row) -> str | int | float | None:
    """What people read on the page and in the XLSX sheet: names, numbers."""
    if column.kind in (ColumnKind.DIMENSION, ColumnKind.NAME):
        return row.label
    return machine_cell(column, row)


# --- Years ------------------------------------------------------------------------------------


class YearsError(ValueError):
    """A year or range that cannot be served; ``field`` names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_year(value: str, field: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise YearsError(
            field, _("A year is four digits (YYYY), not %(value)r.") % {"value": value[:20]}
        )
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise YearsError(
            field,
            _("Choose a year from %(first)d to %(last)d.") % {"first": MIN_YEAR, "last": MAX_YEAR},
        )
    return year


def years_with_data(limit: int) -> list[int]:
    """The latest years that have statistics, newest first: ``limit`` index probes, however
    many rows the years hold."""
    with connection.cursor() as cursor:
        cursor.execute(queries.LATEST_YEARS_WITH_STATISTICS, {"limit": limit})
        return [year for (year,) in cursor.fetchall()]


def default_years() -> tuple[int, ...]:
    """The last five years that have statistics (the range between them), or this year."""
    latest = years_with_data(DEFAULT_YEARS)
    if not latest:
        return (dt.date.today().year,)
    return tuple(range(min(latest), max(latest) + 1))


def requested_years(
    *, table: Table | None, year: str | None, first: str | None, last: str | None
) -> tuple[int, ...]:
    """The years a request names: ``year``, or ``first`` to ``last`` (for the tables over a
    range), or by default the last five years with data (the latest one for one-year tables).
    ``table`` None: the page, which takes a range and shows the one-year tables for its last."""
    given = {k: v for k, v in (("year", year), ("from", first), ("to", last)) if v is not None}
    if "year" in given and len(given) > 1:
        # Translators: year, from and to are the names of the address's parameters: keep them.
        raise YearsError("year", _("Give either year, or from and to; not both."))
    if "year" in given:
        chosen = parse_year(given["year"], "year")
        return (chosen,)
    if given:
        if len(given) == 1:
            missing = "to" if "from" in given else "from"
            # Translators: year, from and to are the names of the address's parameters: keep them.
            raise YearsError(missing, _("Give both from and to (or year alone)."))
        start, end = parse_year(given["from"], "from"), parse_year(given["to"], "to")
        if start > end:
            raise YearsError(
                "to",
                _("The range ends (%(end)d) before it starts (%(start)d).")
                % {"end": end, "start": start},
            )
        if end - start + 1 > MAX_YEARS:
            raise YearsError(
                "to", _("A range covers at most %(max_years)d years.") % {"max_years": MAX_YEARS}
            )
        if table is not None and table not in RANGE_TABLES and start != end:
            # Translators: %(table)s is the table's code (crime-types, parties).
            raise YearsError(
                "year",
                _("The %(table)s table covers one year: ask for one year, not %(start)d-%(end)d.")
                % {"table": table, "start": start, "end": end},
            )
        return tuple(range(start, end + 1))
    defaults = default_years()
    if table is not None and table not in RANGE_TABLES:
        return (defaults[-1],)
    return defaults


# --- The tables -------------------------------------------------------------------------------

_ONCE_PER_EXCHANGE = {"recipient_party__isnull": True}


def _kind_columns() -> tuple[Column, ...]:
    return (
        Column("requests", _("Requests"), ColumnKind.COUNT, 0),
        Column("information_exchanges", _("Information exchanges"), ColumnKind.COUNT, 1),
    )


_KIND_INDEX = {kind: i for i, kind in enumerate(KINDS)}


def _total_row(rows: Iterable[Row], width: int) -> Row:
    sums: list[int | float] = [0] * width
    for row in rows:
        for i, count in enumerate(row.counts):
            sums[i] += count
    # Translators: the label of a statistics table's total row.
    return Row(key=TOTAL_KEY, label=_("Total"), counts=tuple(sums), is_total=True)


def _year_columns(years: tuple[int, ...]) -> tuple[Column, ...]:
    return tuple(Column(str(year), str(year), ColumnKind.COUNT, i) for i, year in enumerate(years))


def totals_table(years: tuple[int, ...]) -> StatisticsTable:
    """Exchanges per channel and year, each counted once, and their total."""
    counts: dict[tuple[str, int], int] = {
        (r["channel"], r["year"]): r["n"]
        for r in ExchangeStatistic.objects.filter(**_ONCE_PER_EXCHANGE, year__in=years)
        .values("channel", "year")
        .annotate(n=Sum("exchanges"))
        .order_by()
    }
    rows = [
        Row(
            key=channel.value,
            label=str(channel.label),
            counts=tuple(counts.get((channel.value, year), 0) for year in years),
        )
        for channel in Channel
    ]
    return StatisticsTable(
        name=Table.TOTALS,
        title=_("Exchanges per channel"),
        counts_what=_(
            "Every exchange (request or information exchange) once, whatever its "
            "number of recipients, in the channel it went through."
        ),
        years=years,
        columns=(Column("channel", _("Channel"), ColumnKind.DIMENSION), *_year_columns(years)),
        rows=(*rows, _total_row(rows, len(years))),
        chart=Chart(ChartKind.LINE, series_from_rows=True, y_title=_("Exchanges")),
    )


def crime_types_table(year: int) -> StatisticsTable:
    """Requests and information exchanges initiated by member countries, per crime area."""
    by_area: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[str, tuple[int, str]] = {}
    for r in (
        ExchangeStatistic.objects.filter(**_ONCE_PER_EXCHANGE, year=year, sender_is_member=True)
        .values("crime_area__code", "crime_area__name", "crime_area__position", "kind")
        .annotate(n=Sum("exchanges"))
        .order_by()
    ):
        code = r["crime_area__code"]
        by_area[code][_KIND_INDEX[r["kind"]]] += r["n"]
        names[code] = (r["crime_area__position"], r["crime_area__name"])
    rows = [
        Row(key=code, label=_(names[code][1]), counts=tuple(by_area[code]))
        for code in sorted(by_area, key=lambda c: (*names[c], c))
        if any(by_area[code])
    ]
    return StatisticsTable(
        name=Table.CRIME_TYPES,
        title=_("Exchanges initiated by member countries per type of crime"),
        counts_what=_(
            "Exchanges whose sender party was a member state on the exchange's date, "
            "each once, by crime area and kind."
        ),
        years=(year,),
        columns=(Column("crime_area", _("Crime area"), ColumnKind.DIMENSION), *_kind_columns()),
        rows=(*rows, _total_row(rows, 2)),
        chart=Chart(ChartKind.BAR, series_from_rows=False, y_title=_("Exchanges")),
    )


def _party_columns() -> tuple[Column, ...]:
    return (
        Column("party", _("Party"), ColumnKind.DIMENSION),
        Column("party_name", _("Party name"), ColumnKind.NAME),
        Column("sent_requests", _("Requests sent"), ColumnKind.COUNT, 0),
        Column("sent_information_exchanges", _("Information exchanges sent"), ColumnKind.COUNT, 1),
        Column("received_requests", _("Requests received"), ColumnKind.COUNT, 2),
        Column(
            "received_information_exchanges",
            _("Information exchanges received"),
            ColumnKind.COUNT,
            3,
        ),
    )


def parties_table(year: int) -> StatisticsTable:
    """Per party: the exchanges it sent (each once) and received (once per receiving party)."""
    by_party: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    names: dict[str, str] = {}
    sent = (
        ExchangeStatistic.objects.filter(**_ONCE_PER_EXCHANGE, year=year)
        .values("sender_party__code", "sender_party__name", "kind")
        .annotate(n=Sum("exchanges"))
        .order_by()
    )
    for r in sent:
        code = r["sender_party__code"]
        by_party[code][_KIND_INDEX[r["kind"]]] += r["n"]
        names[code] = r["sender_party__name"]
    received = (
        ExchangeStatistic.objects.filter(recipient_party__isnull=False, year=year)
        .values("recipient_party__code", "recipient_party__name", "kind")
        .annotate(n=Sum("exchanges"))
        .order_by()
    )
    for r in received:
        code = r["recipient_party__code"]
        by_party[code][2 + _KIND_INDEX[r["kind"]]] += r["n"]
        names[code] = r["recipient_party__name"]
    rows = [
        Row(key=code, label=names[code], counts=tuple(by_party[code]))
        for code in sorted(by_party, key=lambda c: (names[c], c))
        if any(by_party[code])
    ]
    return StatisticsTable(
        name=Table.PARTIES,
        title=_("Exchanges per party"),
        counts_what=_(
            "Sent: every exchange once, under its sender party. Received: every "
            "exchange once per receiving party, several agencies of one party counting as one; "
            "so the received total exceeds the sent one when exchanges go to several parties."
        ),
        years=(year,),
        columns=_party_columns(),
        rows=(*rows, _total_row(rows, 4)),
        chart=Chart(ChartKind.COLUMN, series_from_rows=False, y_title=_("Exchanges")),
    )


# Translated where a table is built.
NO_TASK_FORCE = gettext_noop("No task force")


def task_forces_table(years: tuple[int, ...]) -> StatisticsTable:
    """Requests and information exchanges per year and task force; exchanges filed outside
    any task force in a row of their own, after the task forces of their year."""
    by_key: dict[tuple[int, str | None], list[int]] = defaultdict(lambda: [0, 0])
    order: dict[str | None, tuple[int, int, str]] = {None: (1, 0, _(NO_TASK_FORCE))}
    for r in (
        ExchangeStatistic.objects.filter(**_ONCE_PER_EXCHANGE, year__in=years)
        .values("year", "task_force__code", "task_force__name", "task_force__position", "kind")
        .annotate(n=Sum("exchanges"))
        .order_by()
    ):
        code = r["task_force__code"]
        by_key[(r["year"], code)][_KIND_INDEX[r["kind"]]] += r["n"]
        if code is not None:
            order[code] = (0, r["task_force__position"], r["task_force__name"])
    rows = [
        # Reference names in the reader's language (``selec.reference`` marks them).
        Row(key=code, label=_(order[code][2]), counts=tuple(by_key[(year, code)]), year=year)
        for year, code in sorted(by_key, key=lambda k: (k[0], *order[k[1]]))
        if any(by_key[(year, code)])
    ]
    return StatisticsTable(
        name=Table.TASK_FORCES,
        title=_("Exchanges per task force"),
        counts_what=_(
            "Every exchange once, under the task force it was filed in, by year and kind."
        ),
        years=years,
        columns=(
            Column("year", _("Year"), ColumnKind.YEAR),
            Column("task_force", _("Task force"), ColumnKind.DIMENSION),
            Column("task_force_name", _("Task force name"), ColumnKind.NAME),
            *_kind_columns(),
        ),
        rows=(*rows, _total_row(rows, 2)),
        chart=Chart(ChartKind.COLUMN, series_from_rows=False, y_title=_("Exchanges")),
    )


CRIME_AREA_TREND = "crime-area-trend"


def crime_area_trend_table(years: tuple[int, ...]) -> StatisticsTable:
    """Every exchange once, per crime area and year: the page's second trend chart."""
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    names: dict[str, tuple[int, str]] = {}
    for r in (
        ExchangeStatistic.objects.filter(**_ONCE_PER_EXCHANGE, year__in=years)
        .values("crime_area__code", "crime_area__name", "crime_area__position", "year")
        .annotate(n=Sum("exchanges"))
        .order_by()
    ):
        code = r["crime_area__code"]
        counts[code][r["year"]] = r["n"]
        names[code] = (r["crime_area__position"], r["crime_area__name"])
    rows = [
        Row(
            key=code,
            label=_(names[code][1]),
            counts=tuple(counts[code].get(year, 0) for year in years),
        )
        for code in sorted(counts, key=lambda c: (*names[c], c))
    ]
    return StatisticsTable(
        name=CRIME_AREA_TREND,
        title=_("Exchanges per crime area"),
        counts_what=_("Every exchange once, whoever sent it, by crime area and year."),
        years=years,
        columns=(
            Column("crime_area", _("Crime area"), ColumnKind.DIMENSION),
            *_year_columns(years),
        ),
        rows=(*rows, _total_row(rows, len(years))),
        chart=Chart(ChartKind.LINE, series_from_rows=True, y_title=_("Exchanges")),
    )


def statistics_table(table: Table, years: tuple[int, ...]) -> StatisticsTable:
    """The table for ``years``; a one-year table describes the last of them."""
    if table == Table.TOTALS:
        return totals_table(years)
    if table == Table.TASK_FORCES:
        return task_forces_table(years)
    if table == Table.CRIME_TYPES:
        return crime_types_table(years[-1])
    return parties_table(years[-1])


# --- Computations -----------------------------------------------------------------------------

IN_PROGRESS = (RunState.QUEUED, RunState.RUNNING)


def statistics_runs() -> list[StatisticsRun]:
    """The latest computation of every year (one row per year), newest year first."""
    return list(StatisticsRun.objects.order_by("-year"))
