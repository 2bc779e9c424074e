"""The four published tables, read from known statistics rows of both grains."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.models import Channel
from analytics.policy import Table
from analytics.tables import (
    MAX_YEARS,
    NO_TASK_FORCE,
    YearsError,
    crime_area_trend_table,
    crime_types_table,
    default_years,
    parties_table,
    requested_years,
    statistics_table,
    task_forces_table,
    totals_table,
    years_with_data,
)
from tests.analytics.statistics_rows import exchange, no_statistics, stat, store  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_statistics")

REGIONAL = Channel.REGIONAL_OPERATIONS
OBSERVERS = Channel.MEMBERS_OBSERVERS


def _by_key(table) -> dict[object, tuple[int, ...]]:
    return {(row.year, row.key) if row.year else row.key: row.counts for row in table.rows}


def test_totals_has_a_row_per_channel_and_a_total_with_a_column_per_year() -> None:
    store(
        exchange(2008, "RO", ["BG"], 5),
        exchange(2008, "RO", ["BG"], 2, channel=REGIONAL, kind="information"),
        exchange(2010, "AT", ["BG"], 3, channel=OBSERVERS, member=False),
    )
    table = totals_table((2008, 2009, 2010))
    assert [c.key for c in table.columns] == ["channel", "2008", "2009", "2010"]
    assert [row.key for row in table.rows] == [
        "members_daily",
        "regional_operations",
        "members_observers",
        "total",
    ]
    assert _by_key(table) == {
        "members_daily": (5, 0, 0),
        "regional_operations": (2, 0, 0),
        "members_observers": (0, 0, 3),
        "total": (7, 0, 3),
    }
    assert table.rows[-1].is_total


def test_a_multi_recipient_exchange_counts_once_in_totals_and_once_per_party_received() -> None:
    # One request from Romania to Bulgaria, Turkey and Greece.
    store(exchange(2012, "RO", ["BG", "TR", "GR"]))
    assert _by_key(totals_table((2012,)))["total"] == (1,)
    parties = _by_key(parties_table(2012))
    assert parties["RO"] == (1, 0, 0, 0)
    for code in ("BG", "TR", "GR"):
        assert parties[code] == (0, 0, 1, 0)
    # Sent counts the exchange once; received once per receiving party.
    assert parties["total"] == (1, 0, 3, 0)
    assert _by_key(crime_types_table(2012))["total"] == (1, 0)
    assert _by_key(task_forces_table((2012,)))[(2012, None)] == (1, 0)


def test_parties_splits_sent_and_received_by_kind() -> None:
    store(
        exchange(2015, "RO", ["BG"], 4),
        exchange(2015, "RO", ["BG", "AT"], 2, kind="information", channel=OBSERVERS),
        exchange(2015, "BG", ["RO"], 1, kind="information"),
        exchange(2014, "BG", ["RO"], 9),  # another year
    )
    table = parties_table(2015)
    assert [c.key for c in table.columns] == [
        "party",
        "party_name",
        "sent_requests",
        "sent_information_exchanges",
        "received_requests",
        "received_information_exchanges",
    ]
    assert _by_key(table) == {
        "AT": (0, 0, 0, 2),
        "BG": (0, 1, 4, 2),
        "RO": (4, 2, 0, 1),
        "total": (4, 3, 4, 5),
    }
    # Rows in the order of the parties' names: Austria, Bulgaria, Romania.
    assert [row.label for row in table.rows][:3] == ["Austria", "Bulgaria", "Romania"]


def test_crime_types_counts_only_exchanges_initiated_by_member_countries() -> None:
    store(
        exchange(2008, "RO", ["BG"], 3, area="drugs"),
        exchange(2008, "RO", ["BG"], 2, area="drugs", kind="information"),
        exchange(2008, "BG", ["TR"], 4, area="thb", kind="information"),
        # An observer's exchange: in the totals, not among those initiated by members.
        exchange(2008, "AT", ["RO"], 7, area="cybercrime", member=False, channel=OBSERVERS),
        exchange(2009, "RO", ["BG"], 8, area="stolen_vehicles"),
    )
    table = crime_types_table(2008)
    assert [c.key for c in table.columns] == ["crime_area", "requests", "information_exchanges"]
    # One row per crime area that has any, in the taxonomy's order, then the total.
    assert [(row.key, row.counts) for row in table.rows] == [
        ("thb", (0, 4)),
        ("drugs", (3, 2)),
        ("total", (3, 6)),
    ]
    assert [row.label for row in table.rows] == [
        "Trafficking in human beings",
        "Drug trafficking",
        "Total",
    ]


def test_crime_types_of_a_year_without_member_exchanges_is_the_zero_total_alone() -> None:
    store(exchange(2008, "AT", ["RO"], 7, member=False, channel=OBSERVERS))
    table = crime_types_table(2008)
    assert [(row.key, row.counts) for row in table.rows] == [("total", (0, 0))]
    assert not table.has_data


def test_task_forces_has_a_row_per_year_and_task_force_and_one_for_none() -> None:
    store(
        exchange(2020, "RO", ["BG"], 3, task_force="drugs"),
        exchange(2020, "RO", ["BG"], 1, task_force="drugs", kind="information"),
        exchange(2020, "BG", ["RO"], 2, task_force="thb_migration", area="thb"),
        exchange(2020, "BG", ["RO"], 5),  # no task force
        exchange(2021, "TR", ["GR"], 6, task_force="drugs", kind="information"),
    )
    table = task_forces_table((2020, 2021))
    assert [c.key for c in table.columns] == [
        "year",
        "task_force",
        "task_force_name",
        "requests",
        "information_exchanges",
    ]
    assert [(row.year, row.key, row.counts) for row in table.rows] == [
        (2020, "drugs", (3, 1)),
        (2020, "thb_migration", (2, 0)),
        (2020, None, (5, 0)),
        (2021, "drugs", (0, 6)),
        (None, "total", (10, 7)),
    ]
    assert table.rows[2].label == NO_TASK_FORCE


def test_the_crime_area_trend_counts_every_sender_over_the_years() -> None:
    store(
        exchange(2010, "RO", ["BG"], 2, area="drugs"),
        exchange(2012, "AT", ["BG"], 3, area="drugs", member=False, channel=OBSERVERS),
        exchange(2012, "RO", ["BG"], 1, area="thb"),
    )
    table = crime_area_trend_table((2010, 2011, 2012))
    assert _by_key(table) == {"thb": (0, 0, 1), "drugs": (2, 0, 3), "total": (2, 0, 4)}
    assert table.chart_labels() == ["2010", "2011", "2012"]
    assert table.chart_series()[1][1] == [2, 0, 3]


def test_statistics_table_gives_one_year_tables_the_last_year_of_the_range() -> None:
    store(exchange(2010, "RO", ["BG"], 2), exchange(2011, "RO", ["BG"], 5))
    table = statistics_table(Table.CRIME_TYPES, (2010, 2011))
    assert table.years == (2011,)
    assert _by_key(table)["total"] == (5, 0)


def test_each_table_costs_at_most_two_queries(django_assert_max_num_queries) -> None:
    store(*(exchange(year, "RO", ["BG", "TR"], year - 2000) for year in range(2001, 2021)))
    years = tuple(range(2001, 2021))
    for table, queries in [
        (Table.TOTALS, 1),
        (Table.CRIME_TYPES, 1),
        (Table.PARTIES, 2),
        (Table.TASK_FORCES, 1),
    ]:
        with django_assert_max_num_queries(queries):
            statistics_table(table, years)


# --- Years --------------------------------------------------------------------------------


def test_the_default_years_are_the_last_five_years_that_have_statistics() -> None:
    store(*(stat(year) for year in (2003, 2008, 2009, 2011, 2012, 2014)))
    assert default_years() == tuple(range(2008, 2015))
    assert requested_years(table=Table.TOTALS, year=None, first=None, last=None) == tuple(
        range(2008, 2015)
    )
    # A one-year table: the latest year with statistics.
    assert requested_years(table=Table.PARTIES, year=None, first=None, last=None) == (2014,)


def test_the_latest_years_with_statistics_come_newest_first_in_one_query(
    django_assert_num_queries,
) -> None:
    # Several rows a year (both grains, several parties): each year is named once.
    store(
        *(
            stat(year, recipient=recipient, sender=sender)
            for year in (2003, 2011, 2012, 2014)
            for sender in ("RO", "BG")
            for recipient in (None, "GR", "TR")
        )
    )
    with django_assert_num_queries(1):
        assert years_with_data(3) == [2014, 2012, 2011]
    assert years_with_data(1) == [2014]
    assert years_with_data(10) == [2014, 2012, 2011, 2003]


def test_without_any_statistics_the_default_is_this_year() -> None:
    assert years_with_data(5) == []
    assert default_years() == (dt.date.today().year,)


def test_a_year_or_a_range_is_taken_as_given() -> None:
    assert requested_years(table=Table.TOTALS, year="2009", first=None, last=None) == (2009,)
    assert requested_years(table=Table.TOTALS, year=None, first="2008", last="2010") == (
        2008,
        2009,
        2010,
    )
    # A one-year table accepts a range of one year.
    assert requested_years(table=Table.PARTIES, year=None, first="2010", last="2010") == (2010,)
    # The page (no table) takes any range.
    assert requested_years(table=None, year=None, first="2001", last="2010")[-1] == 2010


@pytest.mark.parametrize(
    ("year", "first", "last", "field", "words"),
    [
        ("2008", "2008", "2009", "year", "not both"),
        (None, "2008", None, "to", "both from and to"),
        (None, None, "2008", "from", "both from and to"),
        (None, "2010", "2008", "to", "ends (2008) before it starts (2010)"),
        (None, "1995", str(1995 + MAX_YEARS), "to", f"at most {MAX_YEARS} years"),
        ("20x8", None, None, "year", "four digits"),
        ("08", None, None, "year", "four digits"),
        ("١٢٣٤", None, None, "year", "four digits"),  # Arabic-Indic digits are not a year
        ("1200", None, None, "year", "from 1990 to 2100"),
        (None, "2008", "9999", "to", "from 1990 to 2100"),
    ],
)
def test_a_wrong_year_or_range_names_its_parameter_and_the_rule(
    year: str | None, first: str | None, last: str | None, field: str, words: str
) -> None:
    with pytest.raises(YearsError) as caught:
        requested_years(table=Table.TOTALS, year=year, first=first, last=last)
    assert caught.value.field == field
    assert words in caught.value.message


def test_a_one_year_table_refuses_a_range_of_several_years() -> None:
    for table in (Table.CRIME_TYPES, Table.PARTIES):
        with pytest.raises(YearsError, match="covers one year"):
            requested_years(table=table, year=None, first="2008", last="2009")
