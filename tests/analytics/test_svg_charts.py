"""A statistics table's chart as SVG: well-formed, one group per series as the table's chart
says, a nice value axis, names kept as text, distinct series without colour, and no chart for
a table that counts nothing."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from analytics.svg_charts import MAX_INTERVALS, Number, chart_context, nice_scale, svg_chart
from analytics.tables import (
    Chart,
    ChartKind,
    Column,
    ColumnKind,
    Row,
    StatisticsTable,
)

SVG = "{http://www.w3.org/2000/svg}"
NS = {"svg": SVG[1:-1]}
EVIL = '<script>alert("x")</script> & Co'


def _table(
    kind: ChartKind,
    rows: Sequence[tuple[str, Sequence[Number]]],
    columns: Sequence[str],
    *,
    from_rows: bool,
    title: str = "Exchanges per channel",
) -> StatisticsTable:
    return StatisticsTable(
        name="test",
        title=title,
        counts_what="What the numbers count.",
        years=(2006, 2008),
        columns=(
            Column("dimension", "Dimension", ColumnKind.DIMENSION),
            *(Column(f"c{i}", label, ColumnKind.COUNT, i) for i, label in enumerate(columns)),
        ),
        rows=tuple(
            # Quantities (kilograms) as well as counts: the chart reads any number.
            Row(key=f"r{i}", label=label, counts=tuple(values))  # type: ignore[arg-type]
            for i, (label, values) in enumerate(rows)
        ),
        chart=Chart(kind, series_from_rows=from_rows, y_title="Exchanges"),
    )


def _trend(*rows: tuple[str, Sequence[Number]]) -> StatisticsTable:
    return _table(ChartKind.LINE, rows, ["2006", "2007", "2008"], from_rows=True)


def _parse(table: StatisticsTable, chart_id: str = "chart") -> tuple[str, ET.Element]:
    markup = svg_chart(table, chart_id=chart_id)
    assert markup is not None
    # The markup was just made by the code under test, from the tables above.
    return str(markup), ET.fromstring(str(markup))  # noqa: S314


def _series(root: ET.Element) -> list[ET.Element]:
    return root.findall("svg:g[@class='series']", NS)


def _texts(root: ET.Element, group: str) -> list[str]:
    return ["".join(t.itertext()) for t in root.findall(f"svg:g[@class='{group}']//svg:text", NS)]


# --- The value axis ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("maximum", "integral", "step", "top"),
    [
        (0, True, "1", "1"),
        (1, True, "1", "1"),
        (7, True, "2", "8"),
        (10, True, "2", "10"),
        (1234, True, "250", "1250"),
        (0.35, False, "0.1", "0.4"),
        (Decimal("0.35"), False, "0.1", "0.4"),
        (Decimal("2.5"), False, "0.5", "2.5"),
    ],
)
def test_the_value_axis_takes_a_nice_step(maximum, integral, step, top) -> None:
    scale = nice_scale(maximum, integral=integral)
    assert (scale.step, scale.top) == (Decimal(step), Decimal(top))
    assert scale.ticks[0] == 0
    assert scale.ticks[-1] == scale.top


def test_the_ticks_read_as_numbers_with_the_steps_decimals() -> None:
    with translation.override("en"):
        assert nice_scale(1234).labels() == ["0", "250", "500", "750", "1000", "1250"]
        assert nice_scale(0.35, integral=False).labels() == ["0.0", "0.1", "0.2", "0.3", "0.4"]
        assert nice_scale(1).labels() == ["0", "1"]


def test_an_axis_of_counts_never_steps_by_a_fraction() -> None:
    assert nice_scale(2).step == 1
    assert nice_scale(2, integral=False).step == Decimal("0.5")


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**9), places=3))
def test_any_maximum_gets_the_first_nice_top_that_reaches_it(maximum: Decimal) -> None:
    scale = nice_scale(maximum, integral=False)
    assert scale.top - scale.step < maximum <= scale.top
    assert len(scale.ticks) - 1 <= MAX_INTERVALS
    mantissa = scale.step.scaleb(-scale.step.adjusted()).normalize()
    assert mantissa in {Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)}


@given(st.integers(min_value=1, max_value=10**9))
def test_any_count_gets_a_whole_step(maximum: int) -> None:
    scale = nice_scale(maximum)
    assert scale.step == scale.step.to_integral_value()
    assert scale.top - scale.step < maximum <= scale.top
    assert len(scale.ticks) - 1 <= MAX_INTERVALS


# --- The kinds of chart -----------------------------------------------------------------------


def test_a_trend_draws_one_line_per_row_through_every_year() -> None:
    table = _trend(("Members", (3, 7, 5)), ("Regional", (0, 2, 9)))
    _markup, root = _parse(table)
    series = _series(root)
    assert [s.findtext("svg:title", namespaces=NS) for s in series] == ["Members", "Regional"]
    for group in series:
        (polyline,) = group.findall("svg:polyline", NS)
        points = [tuple(map(float, p.split(","))) for p in polyline.get("points", "").split()]
        assert len(points) == 3
        assert len(group.findall("svg:path", NS)) == 3  # a marker on each point
    members = [y for _x, y in _points(series[0])]
    # Up is more: 7 above 5 above 3.
    assert members[1] < members[2] < members[0]
    assert _texts(root, "category-axis") == ["2006", "2007", "2008"]
    assert _texts(root, "legend") == ["Members", "Regional"]


def _points(group: ET.Element) -> list[tuple[float, float]]:
    polyline = group.find("svg:polyline", NS)
    assert polyline is not None
    return [
        (float(x), float(y)) for x, y in (p.split(",") for p in polyline.get("points", "").split())
    ]


def test_columns_draw_one_series_per_count_column_with_heights_in_proportion() -> None:
    table = _table(
        ChartKind.COLUMN,
        [("Bulgaria", (4, 1)), ("Romania", (2, 0))],
        ["Requests sent", "Requests received"],
        from_rows=False,
    )
    _markup, root = _parse(table)
    sent, received = _series(root)
    heights = [float(r.get("height", "")) for r in sent.findall("svg:rect", NS)]
    assert heights[0] == pytest.approx(2 * heights[1], rel=0.01)
    # A zero draws nothing: the table shows it.
    assert len(received.findall("svg:rect", NS)) == 1
    assert _texts(root, "category-axis") == ["Bulgaria", "Romania"]
    assert _texts(root, "legend") == ["Requests sent", "Requests received"]
    assert [r.findtext("svg:title", namespaces=NS) for r in sent.findall("svg:rect", NS)] == [
        "Requests sent, Bulgaria: 4",
        "Requests sent, Romania: 2",
    ]


def test_bars_lie_along_the_value_axis_the_first_category_on_top() -> None:
    table = _table(
        ChartKind.BAR,
        [("Drugs", (6, 3)), ("Fraud", (3, 0))],
        ["Requests", "Information exchanges"],
        from_rows=False,
    )
    _markup, root = _parse(table)
    requests, _information = _series(root)
    drugs, fraud = requests.findall("svg:rect", NS)
    assert float(drugs.get("width", "")) == pytest.approx(2 * float(fraud.get("width", "")))
    assert float(drugs.get("height", "")) == float(fraud.get("height", ""))
    assert float(drugs.get("y", "")) < float(fraud.get("y", ""))
    assert _texts(root, "category-axis") == ["Drugs", "Fraud"]


def test_a_series_without_any_count_keeps_its_group_and_its_legend_entry() -> None:
    table = _table(ChartKind.COLUMN, [("Bulgaria", (4, 0))], ["Sent", "Received"], from_rows=False)
    _markup, root = _parse(table)
    assert len(_series(root)) == 2
    assert _series(root)[1].findall("svg:rect", NS) == []
    assert _texts(root, "legend") == ["Sent", "Received"]


def test_the_chart_is_titled_with_the_tables_heading_and_its_axis_title() -> None:
    _markup, root = _parse(_trend(("Members", (1, 2, 3))), chart_id="figure-2")
    title = root[0]
    assert title.tag == f"{SVG}title"
    assert title.text == "Exchanges per channel, 2006\N{EN DASH}2008"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == title.get("id") == "figure-2-title"
    assert "Exchanges" in _texts(root, "value-axis")
    assert _texts(root, "value-axis")[:-1] == ["0", "1", "2", "3"]


def test_quantities_in_decimals_and_floats_get_a_decimal_axis() -> None:
    table = _table(
        ChartKind.COLUMN,
        [("Cocaine", (Decimal("0.35"), 0.1)), ("Heroin", (Decimal("0.125"), 0))],
        ["2007", "2008"],
        from_rows=False,
    )
    with translation.override("en"):
        _markup, root = _parse(table)
    assert _texts(root, "value-axis")[:-1] == ["0.0", "0.1", "0.2", "0.3", "0.4"]
    first = _series(root)[0]
    assert [r.findtext("svg:title", namespaces=NS) for r in first.findall("svg:rect", NS)] == [
        "2007, Cocaine: 0.35",
        "2007, Heroin: 0.125",
    ]


def test_coordinates_keep_a_decimal_point_in_a_language_with_a_decimal_comma() -> None:
    table = _table(
        ChartKind.LINE, [("Cocaine", (0.35, 0.2, 0.05))], ["a", "b", "c"], from_rows=True
    )
    with translation.override("ro"):
        _markup, root = _parse(table)
    # The reader's numbers in their language...
    assert _texts(root, "value-axis")[:-1] == ["0,0", "0,1", "0,2", "0,3", "0,4"]
    # ...and every coordinate one number.
    for element in root.iter():
        for name in ("x", "y", "x1", "y1", "x2", "y2", "width", "height"):
            if name in element.attrib:
                float(element.attrib[name])
        if "points" in element.attrib:
            for pair in element.attrib["points"].split():
                x, y = pair.split(",")
                float(x), float(y)
        if "d" in element.attrib:
            assert re.fullmatch(r"[MLhvaZ0-9 .\-]+", element.attrib["d"])


# --- Escaping ---------------------------------------------------------------------------------


def test_names_from_the_data_stay_text_in_the_legend_and_on_the_axis() -> None:
    for table in (
        _trend((EVIL, (1, 2, 3))),  # a row's name in the legend
        _table(ChartKind.COLUMN, [(EVIL, (1,))], ["Sent"], from_rows=False),  # on the axis
    ):
        markup, root = _parse(table)
        assert "<script" not in markup
        assert "&lt;script&gt;" in markup
        assert "&amp; Co" in markup
        assert not [e for e in root.iter() if e.tag.endswith("script")]
        shown = _texts(root, "legend") + _texts(root, "category-axis")
        assert EVIL in shown


def test_a_title_with_markup_stays_text() -> None:
    markup, root = _parse(
        _table(ChartKind.LINE, [("A", (1,))], ["2008"], from_rows=True, title="<b>Bold</b> & co")
    )
    assert "<b>" not in markup
    assert root.findtext("svg:title", namespaces=NS) == "<b>Bold</b> & co, 2006\N{EN DASH}2008"


def test_a_long_name_is_shortened_on_the_axis_and_kept_whole_in_its_title() -> None:
    name = "Trafficking in human beings and smuggling of migrants"
    table = _table(ChartKind.BAR, [(name, (3, 1))], ["Requests", "Information"], from_rows=False)
    _markup, root = _parse(table)
    (label,) = _texts(root, "category-axis")
    assert label.endswith("\N{HORIZONTAL ELLIPSIS}")
    assert name.startswith(label[:-1])
    titles = root.findall("svg:g[@class='category-axis']/svg:g/svg:title", NS)
    assert [title.text for title in titles] == [name]


# --- Told apart without colour ----------------------------------------------------------------


def test_lines_differ_by_dash_or_marker_as_well_as_colour() -> None:
    table = _trend(*((f"Series {i}", (i, i + 1, i + 2)) for i in range(6)))
    context = chart_context(table)
    assert context is not None
    styles = [s["style"] for s in context["series"]]
    assert len({(s.dash, s.marker) for s in styles}) == 6
    assert len({s.colour for s in styles}) == 6
    _markup, root = _parse(table)
    lines = [polyline for s in _series(root) for polyline in s.findall("svg:polyline", NS)]
    dashes = [polyline.get("stroke-dasharray") for polyline in lines]
    assert dashes[0] is None
    assert len(set(dashes[:4])) == 4


def test_columns_differ_by_hatching_and_every_hatching_is_defined() -> None:
    table = _table(
        ChartKind.COLUMN,
        [("Bulgaria", (1, 2, 3, 4, 5)), ("Romania", (5, 4, 3, 2, 1))],
        ["a", "b", "c", "d", "e"],
        from_rows=False,
    )
    context = chart_context(table, chart_id="figure-1")
    assert context is not None
    assert len({s["style"].hatch for s in context["series"]}) == 5
    _markup, root = _parse(table, chart_id="figure-1")
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect") if "url(" in r.get("fill", "")}
    assert fills
    assert {f[len("url(#") : -1] for f in fills if f} == patterns
    assert all(p and p.startswith("figure-1-") for p in patterns)


# --- Nothing to chart -------------------------------------------------------------------------


def test_a_table_that_counts_nothing_has_no_chart() -> None:
    zeros = _trend(("Members", (0, 0, 0)), ("Regional", (0, 0, 0)))
    total_only = StatisticsTable(
        name="test",
        title="Exchanges per party",
        counts_what="",
        years=(2008,),
        columns=(Column("c0", "Sent", ColumnKind.COUNT, 0),),
        rows=(Row(key="total", label="Total", counts=(0,), is_total=True),),
        chart=Chart(ChartKind.COLUMN, series_from_rows=False, y_title="Exchanges"),
    )
    for table in (zeros, total_only):
        assert svg_chart(table) is None
        assert chart_context(table) is None
