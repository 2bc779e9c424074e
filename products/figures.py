"""A product's figures: statistics tables (``analytics.tables``) or the strategic totals of
the operation results (``cases.results_report``) over the years the analyst chose. A draft reads
them live; publication freezes each one (its numbers, names and the time its numbers were
computed) so that a published product never changes when the statistics are recomputed or a
result is corrected. The page, the PDF and the XLSX render the same
:class:`~analytics.tables.StatisticsTable`, live or thawed from the frozen copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.models import StatisticsRun
from analytics.policy import Table
from analytics.tables import (
    Chart,
    ChartKind,
    Column,
    ColumnKind,
    Row,
    StatisticsTable,
    statistics_table,
)
from cases.policy import ReportBy
from cases.results_report import Number, ReportQuery, label_with_unit, strategic_totals
from products.models import ProductFigure, ResultsFigure

# The shape of ``ProductFigure.data``; raised with any change of it.
FROZEN_FORMAT = 1


@dataclass(frozen=True)
class Figure:
    """A figure as shown: its table, its caption and the date of its data (None: never
    computed)."""

    figure: ProductFigure
    table: StatisticsTable
    data_as_of: dt.datetime | None
    frozen: bool

    @property
    def caption(self) -> str:
        return self.figure.caption


def live_table(figure: ProductFigure) -> StatisticsTable:
    if figure.shows_results:
        return results_table(figure)
    return statistics_table(Table(figure.table), figure.years)


def _plain(value: Number) -> int | float:
    """A count stays an integer; a quantity seized (kg, litres) becomes a JSON number."""
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return float(value)
    return int(value)


def results_table(figure: ProductFigure) -> StatisticsTable:
    """The operation results' strategic totals as a table: a row per indicator (the counts, or
    the seizures per item and unit), a column per series and year or per year, the chart
    comparing the columns as the seeds compare Mirage 2003 with Mirage 2004."""
    report = strategic_totals(
        ReportQuery(
            by=ReportBy(figure.grouping),
            series=figure.series,
            first_year=figure.first_year,
            last_year=figure.last_year,
        )
    )
    seizures = figure.table == ResultsFigure.SEIZURES
    indicators = [i for i in report.indicators if i.is_seizure == seizures]
    title = str(ResultsFigure(figure.table).label)
    if figure.series:
        # Translators: a results report's title, then the series it is limited to.
        title = _("%(title)s: %(series)s") % {"title": title, "series": figure.series}
    if seizures:
        counts_what = _(
            "Quantities seized, as the parties taking part reported them, counted in the year "
            "each operation started."
        )
        y_title = _("Quantity, each in its unit")
    else:
        counts_what = _(
            "Reported by the parties taking part, counted in the year each operation started; "
            "information exchanged and requests initiated are counted from the exchanges linked "
            "to the operations."
        )
        y_title = _("Persons, victims and exchanges")
    return StatisticsTable(
        name=figure.table,
        title=title,
        counts_what=counts_what,
        years=figure.years,
        columns=(
            Column("indicator", _("Indicator"), ColumnKind.DIMENSION),
            *(
                Column(column.key, column.label, ColumnKind.COUNT, index)
                for index, column in enumerate(report.columns)
            ),
        ),
        rows=tuple(
            Row(
                key=indicator.key,
                label=label_with_unit(indicator),
                counts=tuple(_plain(report.value(indicator, c)) for c in report.columns),
            )
            for indicator in indicators
        ),
        chart=Chart(ChartKind.COLUMN, series_from_rows=True, y_title=y_title),
        # Translators: the names of XLSX sheets (at most about 20 characters).
        sheet_title=_("Seizures") if seizures else _("Operation results"),
    )


def computed_at(years: tuple[int, ...]) -> dt.datetime | None:
    """When the statistics of these years were last computed (the latest of them)."""
    return StatisticsRun.objects.filter(year__in=years).aggregate(at=Max("computed_at"))["at"]


def data_date(figure: ProductFigure) -> dt.datetime | None:
    """The date of a figure's data: the statistics' computation, or now for the operation
    results, which are read from the cases as they are."""
    if figure.shows_results:
        return timezone.now()
    return computed_at(figure.years)


def frozen(table: StatisticsTable) -> dict[str, Any]:
    """The table as JSON, names and numbers as they are now."""
    return {
        "format": FROZEN_FORMAT,
        "name": table.name,
        "title": table.title,
        "counts_what": table.counts_what,
        "years": list(table.years),
        "columns": [[c.key, c.label, c.kind.value, c.index] for c in table.columns],
        "rows": [[r.key, r.label, list(r.counts), r.year, r.is_total] for r in table.rows],
        "chart": [table.chart.kind.value, table.chart.series_from_rows, table.chart.y_title],
        "sheet_title": table.sheet_title,
    }


def thawed(data: dict[str, Any]) -> StatisticsTable:
    kind, series_from_rows, y_title = data["chart"]
    return StatisticsTable(
        name=data["name"],
        title=data["title"],
        counts_what=data["counts_what"],
        years=tuple(data["years"]),
        columns=tuple(
            Column(key, label, ColumnKind(kind_), index)
            for key, label, kind_, index in data["columns"]
        ),
        rows=tuple(
            Row(key=key, label=label, counts=tuple(counts), year=year, is_total=is_total)
            for key, label, counts, year, is_total in data["rows"]
        ),
        chart=Chart(ChartKind(kind), series_from_rows=series_from_rows, y_title=y_title),
        sheet_title=data.get("sheet_title", ""),
    )


def shown(figure: ProductFigure) -> Figure:
    """The frozen copy once published, the live table before."""
    if figure.data is not None:
        return Figure(figure, thawed(figure.data), figure.data_as_of, frozen=True)
    return Figure(figure, live_table(figure), data_date(figure), frozen=False)


def freeze(figure: ProductFigure) -> None:
    """Store the figure's numbers as they are now (the caller saves)."""
    figure.data = frozen(live_table(figure))
    figure.data_as_of = data_date(figure)
