"""A product's figures: statistics tables (``analytics.tables``) over the years the analyst
chose. A draft reads them live; publication freezes each one (its numbers, names and the time
the statistics of its years were computed) so that a published product never changes when the
statistics are recomputed. The page, the PDF and the XLSX render the same
:class:`~analytics.tables.StatisticsTable`, live or thawed from the frozen copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

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
from products.models import ProductFigure

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
    return statistics_table(Table(figure.table), figure.years)


def computed_at(years: tuple[int, ...]) -> dt.datetime | None:
    """When the statistics of these years were last computed (the latest of them)."""
    return StatisticsRun.objects.filter(year__in=years).aggregate(at=Max("computed_at"))["at"]


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
    )


def shown(figure: ProductFigure) -> Figure:
    """The frozen copy once published, the live table before."""
    if figure.data is not None:
        return Figure(figure, thawed(figure.data), figure.data_as_of, frozen=True)
    return Figure(figure, live_table(figure), computed_at(figure.years), frozen=False)


def freeze(figure: ProductFigure) -> None:
    """Store the figure's numbers as they are now (the caller saves)."""
    figure.data = frozen(live_table(figure))
    figure.data_as_of = computed_at(figure.years)
