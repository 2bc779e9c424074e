"""The results report: what operations achieved, compared across operations, series, years and
parties, as the seeds' tables compare Mirage 2003 with Mirage 2004 and Containment I with II.

One table whatever the grouping: a row per indicator (victims identified, persons charged,
information exchanged, heroin in kg, cash in EUR...), a column per operation, per series and year,
per year or per reporting party, and a total. It is read in three aggregate queries whatever the
number of cases, results and exchanges: the counts of the results, the seizures per item and
unit, and the exchanges linked to the cases (information exchanged and requests initiated are
counted from them, never typed). A case counts in the year it started, whenever it was entered.

Who reads which grouping over which cases is decided by ``cases.policy.results_report_access``;
the page, the CSV and the XLSX all render the one :class:`ResultsReport` built here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from cases.models import Case, Result, Seizure, SeizureItem, SeizureUnit
from cases.policy import STRATEGIC_GROUPINGS, ReportBy, ReportScope, ResultsReportAccess
from cases.selectors import cases_visible_to
from exchanges.models import Exchange, ExchangeKind
from partners.models import Officer

# The counts of a result in the order of the seeds' tables: victims, then the persons of the
# networks, then what else the operation produced.
REPORTED_COUNTS = (
    "victims_identified",
    "victims_assisted",
    "victims_repatriated",
    "persons_identified",
    "persons_arrested",
    "persons_charged",
    "persons_convicted",
    "investigations_opened",
    "vehicles_seized",
)
# Counted from the exchanges linked to the case: every exchange once (requests, information,
# replies, warnings, feedback and seizure reports), and the requests for assistance among them.
COUNTED = ("information_exchanged", "requests_initiated")

# Most operations the report shows as columns; beyond, it says how many were left out.
MAX_OPERATIONS = 200
TOTAL_KEY = "total"


@dataclass(frozen=True)
class Indicator:
    key: str  # the CSV's and the chart's key: "victims_identified", "heroin_kg", "cash_eur"
    label: str
    unit: str = ""  # a seizure's unit (kg, tablets) or currency code; empty for a count
    counted: bool = False  # counted from linked exchanges, not reported
    item: str = ""  # a seizure's item

    @property
    def is_seizure(self) -> bool:
        return bool(self.unit)


@dataclass(frozen=True)
class ReportColumn:
    key: str  # a case's reference, "Mirage 2003", a year, a party's code
    label: str
    detail: str = ""  # under the label: the operation's reference


@dataclass(frozen=True)
class ReportQuery:
    by: ReportBy = ReportBy.SERIES
    series: str = ""
    first_year: int | None = None
    last_year: int | None = None


Number = int | Decimal


@dataclass
class ResultsReport:
    query: ReportQuery
    strategic_only: bool
    columns: list[ReportColumn]
    indicators: list[Indicator]
    values: dict[tuple[str, str], Number] = field(default_factory=dict)
    operations_left_out: int = 0

    @property
    def has_data(self) -> bool:
        return bool(self.indicators)

    def value(self, indicator: Indicator, column: ReportColumn) -> Number:
        return self.values.get((indicator.key, column.key), 0)

    def total(self, indicator: Indicator) -> Number:
        return sum((self.value(indicator, c) for c in self.columns), start=0)

    def rows(self) -> list[tuple[Indicator, list[Number], Number]]:
        """Each indicator with its value per column and its total."""
        return [
            (i, [self.value(i, c) for c in self.columns], self.total(i)) for i in self.indicators
        ]

    def table(self) -> list[tuple[str, list[Number]]]:
        """Each indicator's label (with its unit) and values: what the seeds' tables print."""
        return [(label_with_unit(i), values) for i, values, _total in self.rows()]

    @property
    def title(self) -> str:
        titles = {
            ReportBy.OPERATION: _("Operation results per operation"),
            ReportBy.SERIES: _("Operation results per series and year"),
            ReportBy.YEAR: _("Operation results per year"),
            ReportBy.PARTY: _("Operation results per reporting party"),
        }
        title = titles[self.query.by]
        if self.query.series:
            # Translators: a results report's title, then the series it is limited to.
            title = _("%(title)s: %(series)s") % {"title": title, "series": self.query.series}
        return title


def label_with_unit(indicator: Indicator) -> str:
    if not indicator.unit:
        return indicator.label
    # Translators: a seized item and its unit in a report's row: "Heroin (kg)".
    return _("%(item)s (%(unit)s)") % {"item": indicator.label, "unit": indicator.unit}


def count_indicators() -> list[Indicator]:
    labels = {
        name: str(Result._meta.get_field(name).verbose_name).capitalize()  # type: ignore[union-attr]
        for name in REPORTED_COUNTS
    }
    return [
        *(Indicator(key=name, label=labels[name]) for name in REPORTED_COUNTS),
        Indicator(key="information_exchanged", label=_("Information exchanged"), counted=True),
        Indicator(key="requests_initiated", label=_("Requests initiated"), counted=True),
    ]


def _seizure_indicator(item: str, unit: str, currency: str) -> Indicator:
    shown_unit = currency or str(SeizureUnit(unit).label)
    key = f"{item}_{(currency or unit).lower()}"
    return Indicator(key=key, label=str(SeizureItem(item).label), unit=shown_unit, item=item)


# --- Scope and grouping ---------------------------------------------------------------------


def report_cases(
    officer: Officer, access: ResultsReportAccess, query: ReportQuery
) -> QuerySet[Case]:
    """The cases the report adds up: every case or the officer's, in the years and series
    asked for (a case's year is the year it started)."""
    if access.scope == ReportScope.ALL_CASES:
        return cases_in_query(Case.objects.all(), query)
    return cases_in_query(cases_visible_to(officer), query)


def cases_in_query(cases: QuerySet[Case], query: ReportQuery) -> QuerySet[Case]:
    if query.series:
        cases = cases.filter(series=query.series)
    if query.first_year is not None:
        cases = cases.filter(started_on__gte=dt.date(query.first_year, 1, 1))
    if query.last_year is not None:
        cases = cases.filter(started_on__lt=dt.date(query.last_year + 1, 1, 1))
    return cases


def _grouping(by: ReportBy, case: str, party: str) -> dict[str, Any]:
    """The columns a row of the aggregate is grouped by: ``case`` and ``party`` are the paths
    from the aggregated model to the case and to the party the figure is attributed to."""
    if by == ReportBy.PARTY:
        return {"g_code": F(f"{party}code"), "g_name": F(f"{party}name")}
    year = {"g_year": ExtractYear(f"{case}started_on")}
    if by == ReportBy.YEAR:
        return year
    if by == ReportBy.SERIES:
        return {"g_series": F(f"{case}series"), **year}
    return {"g_reference": F(f"{case}reference"), "g_series": F(f"{case}series"), **year}


def _series_label(series: str, year: int) -> str:
    if series:
        return f"{series} {year}"
    # Translators: the column of the operations that belong to no series, in a year.
    return _("Without a series, %(year)d") % {"year": year}


def _column(by: ReportBy, row: dict[str, Any]) -> tuple[tuple[Any, ...], ReportColumn]:
    """The column of an aggregate row, and its sort key."""
    if by == ReportBy.PARTY:
        return (row["g_name"], row["g_code"]), ReportColumn(key=row["g_code"], label=row["g_name"])
    year = row["g_year"]
    if by == ReportBy.YEAR:
        return (year,), ReportColumn(key=str(year), label=str(year))
    series = row["g_series"]
    # The operations of a series side by side, year after year; those of none last.
    order = (not series, series.casefold(), year)
    label = _series_label(series, year)
    if by == ReportBy.SERIES:
        return order, ReportColumn(key=label, label=label)
    reference = row["g_reference"]
    return (*order, reference), ReportColumn(key=reference, label=label, detail=reference)


def _aggregate(
    rows: QuerySet[Any],
    by: ReportBy,
    case: str,
    party: str,
    sums: dict[str, Any],
    extra: tuple[str, ...] = (),
) -> Iterable[dict[str, Any]]:
    """One aggregate query: ``sums`` per column of the report (and per ``extra`` field)."""
    group = _grouping(by, case, party)
    return rows.annotate(**group).values(*group, *extra).annotate(**sums).order_by()


def results_report(
    officer: Officer, access: ResultsReportAccess, query: ReportQuery
) -> ResultsReport:
    """The report the officer may read (``access``, from the policy), in three queries."""
    return report_over(
        report_cases(officer, access, query), query, strategic_only=access.strategic_only
    )


def strategic_totals(query: ReportQuery) -> ResultsReport:
    """The totals of every case per series and year or per year, which anyone allowed a
    results report may read (the figures of an analytical product)."""
    if query.by not in STRATEGIC_GROUPINGS:
        raise ValueError(f"{query.by} is not a grouping of the strategic totals")
    return report_over(cases_in_query(Case.objects.all(), query), query, strategic_only=True)


def report_over(
    cases: QuerySet[Case], query: ReportQuery, *, strategic_only: bool
) -> ResultsReport:
    """The report over these cases, grouped as ``query`` says."""
    by = query.by
    columns: dict[str, tuple[tuple[Any, ...], ReportColumn]] = {}
    values: dict[tuple[str, str], Number] = defaultdict(int)

    def column_of(row: dict[str, Any]) -> str:
        order, column = _column(by, row)
        columns.setdefault(column.key, (order, column))
        return column.key

    for row in _aggregate(
        Result.objects.filter(case__in=cases),
        by,
        "case__",
        "party__",
        {name: Sum(name) for name in REPORTED_COUNTS},
    ):
        key = column_of(row)
        for name in REPORTED_COUNTS:
            values[(name, key)] += row[name] or 0

    # Information exchanged and requests initiated: attributed to the party that sent them.
    for row in _aggregate(
        Exchange.objects.filter(case__in=cases),
        by,
        "case__",
        "sender_agency__party__",
        {
            "information_exchanged": Count("pk"),
            "requests_initiated": Count("pk", filter=Q(kind=ExchangeKind.REQUEST)),
        },
    ):
        key = column_of(row)
        for name in COUNTED:
            values[(name, key)] += row[name]

    seized: dict[str, Indicator] = {}
    order_of_item = {value: position for position, value in enumerate(SeizureItem.values)}
    for row in _aggregate(
        Seizure.objects.filter(result__case__in=cases),
        by,
        "result__case__",
        "result__party__",
        {"quantity": Sum("quantity")},
        ("item", "unit", "currency"),
    ):
        indicator = _seizure_indicator(row["item"], row["unit"], row["currency"])
        seized[indicator.key] = indicator
        key = column_of(row)
        values[(indicator.key, key)] += row["quantity"]

    ordered = [column for _order, column in sorted(columns.values(), key=lambda c: c[0])]
    left_out = 0
    if by == ReportBy.OPERATION and len(ordered) > MAX_OPERATIONS:
        left_out = len(ordered) - MAX_OPERATIONS
        ordered = ordered[-MAX_OPERATIONS:]
    shown = {column.key for column in ordered}
    seizure_rows = sorted(
        seized.values(),
        key=lambda i: (order_of_item.get(i.item, len(order_of_item)), i.key),
    )
    # An indicator nothing was reported for is left out, as the seeds' tables leave it out.
    indicators = [
        indicator
        for indicator in [*count_indicators(), *seizure_rows]
        if any(values.get((indicator.key, key)) for key in shown)
    ]
    return ResultsReport(
        query=query,
        strategic_only=strategic_only,
        columns=ordered,
        indicators=indicators,
        values={k: v for k, v in values.items() if k[1] in shown},
        operations_left_out=left_out,
    )
