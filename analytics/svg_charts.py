"""A statistics table's chart as inline SVG, for the documents that run no JavaScript (a
product's PDF, rendered by WeasyPrint).

It draws what ``static/js/analytics.js`` draws on the page and the XLSX sheet's native chart
shows, from the same :meth:`~analytics.tables.StatisticsTable.chart_labels` and
:meth:`~analytics.tables.StatisticsTable.chart_series`: the kind the table's
:class:`~analytics.tables.Chart` names (lines, vertical columns, horizontal bars), its series,
the value axis from zero with the axis title, the categories, a legend and the table's heading.

The geometry is computed here; ``templates/analytics/_chart.svg`` writes the markup, and its
autoescaping keeps every name (a party's, a crime area's, a series') text. Coordinates are
formatted here, always with a decimal point: the template's localisation would write "12,5" in
a language with a decimal comma. The numbers people read (the ticks) are localised.

Printed in black and white, the series stay apart: lines differ by dash and marker, columns and
bars by hatching, on top of the page's colours. Widths of texts are estimated (no font is
measured here), generously, so that labels do not run into each other.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from analytics.tables import ChartKind, StatisticsTable

# A value of a series: counts today; quantities (kilograms seized) are decimals or floats.
Number = int | float | Decimal

# Sizes in the SVG's user units (CSS pixels): 640 px is 169 mm, the width of an A4 page
# between the PDF's margins; the PDF's style sheet scales the chart to that width.
WIDTH = 640
FONT_SIZE = 11
TITLE_SIZE = 13
# The average advance of a sans-serif character, in font sizes; generous for capitals.
CHAR_WIDTH = 0.6
PLOT_HEIGHT = 220
# At most this many intervals between the value axis's ticks.
MAX_INTERVALS = 5
# Longer names are cut (with an ellipsis) where they label an axis or the legend; the full name
# stays in the element's <title>, and the table under the chart gives it in full.
AXIS_LABEL_CHARS = 32
LEGEND_LABEL_CHARS = 48
LEGEND_ROW = 18
# The thickest column or bar: a table of one or two categories draws bars, not walls.
MAX_BAR = 40
SWATCH_WIDTH = 28

# The page's palette (static/js/analytics.js), in its order, so that a series has the same
# colour on the page and in the PDF.
PALETTE = (
    "#1c4680",
    "#c26a00",
    "#1d5b2a",
    "#8a1414",
    "#4a1d8a",
    "#00727a",
    "#6b4d00",
    "#b0306a",
    "#3d6b00",
    "#334455",
    "#7a3d00",
    "#2a5fb0",
    "#5b1f66",
    "#607d8b",
)
# For lines: stroke-dasharray (empty: solid) and the marker's shape. Cycles of different
# lengths (4, 5 and the palette's 14), so that two series rarely share all three.
DASHES = ("", "7 3", "2 2", "9 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down")
# For columns and bars: the hatching over the series' colour (empty: plain colour).
HATCHES = ("", "diagonal", "cross", "horizontal", "dots")


# --- The value axis ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """A value axis from zero to ``top`` in steps of ``step`` (``top`` a multiple of it)."""

    step: Decimal
    top: Decimal

    @property
    def ticks(self) -> tuple[Decimal, ...]:
        return tuple(self.step * i for i in range(int(self.top / self.step) + 1))

    @property
    def places(self) -> int:
        """Decimal places of the ticks' labels: those of the step (0.25 -> 2, 500 -> 0)."""
        exponent = self.step.normalize().as_tuple().exponent
        assert isinstance(exponent, int)  # a finite step
        return max(0, -exponent)

    def labels(self) -> list[str]:
        """The ticks as the reader's language writes numbers."""
        return [number_format(tick, decimal_pos=self.places) for tick in self.ticks]


_STEP_MULTIPLES = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))


def nice_scale(maximum: Number, *, integral: bool = True) -> Scale:
    """The smallest axis of 1, 2, 2.5 or 5 times a power of ten, at most MAX_INTERVALS steps,
    that reaches ``maximum``. ``integral``: the values are whole (counts), so no step is a
    fraction (an axis of counts never reads 0.5). An axis of nothing reads 0 and 1."""
    top = _decimal(maximum)
    if top <= 0:
        return Scale(step=Decimal(1), top=Decimal(1))
    # The step lies between maximum / MAX_INTERVALS and ten times its power of ten.
    exponent = (top / MAX_INTERVALS).adjusted()
    for power in (exponent, exponent + 1, exponent + 2):
        for multiple in _STEP_MULTIPLES:
            step = multiple.scaleb(power)
            if integral and step != step.to_integral_value():
                continue
            intervals = math.ceil(top / step)
            if intervals <= MAX_INTERVALS:
                return Scale(step=step, top=step * intervals)
    raise AssertionError(f"no step for {maximum}")  # 10^(exponent + 2) always fits


def _decimal(value: Number) -> Decimal:
    # A float through its shortest text (0.35, not 0.34999999999999997779...).
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


# --- Helpers of the layout --------------------------------------------------------------------


def _px(value: float) -> str:
    """A coordinate, with a decimal point whatever the language."""
    return f"{value:.1f}".removesuffix(".0")


def _text_width(text: str, size: int = FONT_SIZE) -> float:
    return len(text) * size * CHAR_WIDTH


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


def _marker_path(shape: str, x: float, y: float, r: float = 3.5) -> str:
    """A marker centred on (x, y), as path data (one element for every shape)."""
    if shape == "circle":
        return (
            f"M{_px(x - r)} {_px(y)}a{_px(r)} {_px(r)} 0 1 0 {_px(2 * r)} 0"
            f"a{_px(r)} {_px(r)} 0 1 0 {_px(-2 * r)} 0Z"
        )
    if shape == "square":
        s = r * 0.9
        return f"M{_px(x - s)} {_px(y - s)}h{_px(2 * s)}v{_px(2 * s)}h{_px(-2 * s)}Z"
    if shape == "diamond":
        s = r * 1.25
        return (
            f"M{_px(x)} {_px(y - s)}L{_px(x + s)} {_px(y)}"
            f"L{_px(x)} {_px(y + s)}L{_px(x - s)} {_px(y)}Z"
        )
    s = r * 1.2
    tip = -1 if shape == "triangle" else 1
    return (
        f"M{_px(x)} {_px(y + tip * s)}L{_px(x + s)} {_px(y - tip * s * 0.8)}"
        f"L{_px(x - s)} {_px(y - tip * s * 0.8)}Z"
    )


@dataclass(frozen=True)
class _Style:
    colour: str
    dash: str
    marker: str
    hatch: str
    pattern_id: str

    @property
    def fill(self) -> str:
        return f"url(#{self.pattern_id})" if self.hatch else self.colour


def _style(index: int, chart_id: str) -> _Style:
    return _Style(
        colour=PALETTE[index % len(PALETTE)],
        dash=DASHES[index % len(DASHES)],
        marker=MARKERS[index % len(MARKERS)],
        hatch=HATCHES[index % len(HATCHES)],
        pattern_id=f"{chart_id}-hatch-{index}",
    )


def _value_text(series: str, category: str, value: Decimal) -> str:
    # Translators: a point or a bar of a chart: the series (e.g. "Requests"), the category
    # (e.g. a party or a year) and the number.
    return _("%(series)s, %(category)s: %(value)s") % {
        "series": series,
        "category": category,
        "value": number_format(value),
    }


# --- The chart --------------------------------------------------------------------------------


def chart_context(table: StatisticsTable, *, chart_id: str = "chart") -> dict[str, Any] | None:
    """What ``analytics/_chart.svg`` draws; None for a table without any count (no chart).

    ``chart_id`` prefixes the ids of the chart's elements: it must be unique in a document
    that holds several charts."""
    if not table.has_data:
        return None
    categories = table.chart_labels()
    series = [
        (name, [_decimal(value) for value in values]) for name, values in table.chart_series()
    ]
    values = [value for _name, data in series for value in data]
    scale = nice_scale(max(values), integral=all(v == v.to_integral_value() for v in values))
    kind = table.chart.kind
    layout = (
        _horizontal(categories, len(series))
        if kind == ChartKind.BAR
        else _vertical(categories, scale)
    )
    styles = [_style(i, chart_id) for i in range(len(series))]
    drawn = []
    for i, ((name, data), style) in enumerate(zip(series, styles, strict=True)):
        if kind == ChartKind.LINE:
            points = layout.line(name, data, categories, scale)
            drawn.append(
                {
                    "name": name,
                    "style": style,
                    "polyline": " ".join(f"{_px(p['x'])},{_px(p['y'])}" for p in points),
                    "points": [
                        {"text": p["text"], "marker": _marker_path(style.marker, p["x"], p["y"])}
                        for p in points
                    ],
                }
            )
        else:
            rects = layout.bars(i, len(series), name, data, categories, scale)
            drawn.append({"name": name, "style": style, "rects": rects})
    legend_bottom, legend = _legend([name for name, _data in series], styles, layout.below + 12)
    return {
        "id": chart_id,
        "width": WIDTH,
        "height": math.ceil(legend_bottom),
        "font_size": FONT_SIZE,
        "title_size": TITLE_SIZE,
        "title": table.heading,
        "title_x": _px(WIDTH / 2),
        "y_title": table.chart.y_title,
        "horizontal": layout.horizontal,
        "line": kind == ChartKind.LINE,
        "series": drawn,
        "legend": legend,
        **layout.axes(categories, scale),
    }


def svg_chart(table: StatisticsTable, *, chart_id: str = "chart") -> SafeString | None:
    """The table's chart as an <svg> element to put inline in HTML; None when the table
    counts nothing (its documents say so in words instead)."""
    context = chart_context(table, chart_id=chart_id)
    if context is None:
        return None
    # Every text of the context went through the template's autoescaping.
    return mark_safe(render_to_string("analytics/_chart.svg", context).strip())  # noqa: S308


# --- Layouts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """The plot area in user units, where the axes' texts go, and where the legend may start."""

    horizontal: bool  # values along the bottom, categories down the left (bars)
    left: float
    top: float
    right: float
    bottom: float
    rotate: bool  # the categories' labels at 45 degrees (too wide for their column)
    y_title_x: float
    y_title_y: float
    below: float  # the lowest text of the axes

    def value_position(self, value: Decimal, scale: Scale) -> float:
        """Where a value lies along the value axis (a negative value is drawn as zero: the axis
        starts at zero, as counts and quantities do)."""
        share = float(max(value, Decimal(0)) / scale.top)
        if self.horizontal:
            return self.left + share * (self.right - self.left)
        return self.bottom - share * (self.bottom - self.top)

    def band(self, index: int, count: int) -> tuple[float, float]:
        """The start and the size of a category's band along the category axis."""
        if self.horizontal:
            size = (self.bottom - self.top) / count
            return self.top + index * size, size
        size = (self.right - self.left) / count
        return self.left + index * size, size

    def axes(self, categories: Sequence[str], scale: Scale) -> dict[str, Any]:
        ticks = []
        for tick, label in zip(scale.ticks, scale.labels(), strict=True):
            at = self.value_position(tick, scale)
            if self.horizontal:
                line = (at, self.top, at, self.bottom)
                text = (at, self.bottom + 15)
            else:
                line = (self.left, at, self.right, at)
                text = (self.left - 6, at + 4)
            ticks.append(
                {
                    "label": label,
                    "x1": _px(line[0]),
                    "y1": _px(line[1]),
                    "x2": _px(line[2]),
                    "y2": _px(line[3]),
                    "x": _px(text[0]),
                    "y": _px(text[1]),
                }
            )
        labels = []
        for i, category in enumerate(categories):
            start, size = self.band(i, len(categories))
            middle = start + size / 2
            if self.horizontal:
                x, y = self.left - 6, middle + 4
            elif self.rotate:
                x, y = middle + 3, self.bottom + 10
            else:
                x, y = middle, self.bottom + 15
            labels.append(
                {
                    "text": _shortened(category, AXIS_LABEL_CHARS),
                    "full": category,
                    "x": _px(x),
                    "y": _px(y),
                }
            )
        return {
            "left": _px(self.left),
            "top": _px(self.top),
            "right": _px(self.right),
            "bottom": _px(self.bottom),
            "ticks": ticks,
            "categories": labels,
            "rotate": self.rotate,
            "y_title_x": _px(self.y_title_x),
            "y_title_y": _px(self.y_title_y),
        }

    def line(
        self, name: str, data: Sequence[Decimal], categories: Sequence[str], scale: Scale
    ) -> list[dict[str, Any]]:
        """A line's points, one in the middle of each category."""
        points = []
        for i, (value, category) in enumerate(zip(data, categories, strict=True)):
            start, size = self.band(i, len(categories))
            points.append(
                {
                    "x": start + size / 2,
                    "y": self.value_position(value, scale),
                    "text": _value_text(name, category, value),
                }
            )
        return points

    def bars(
        self,
        index: int,
        count: int,
        name: str,
        data: Sequence[Decimal],
        categories: Sequence[str],
        scale: Scale,
    ) -> list[dict[str, str]]:
        """A series' rectangles, side by side with the other series' in each category's band;
        none for a zero (the table shows it)."""
        zero = self.value_position(Decimal(0), scale)
        rects = []
        for i, (value, category) in enumerate(zip(data, categories, strict=True)):
            if value <= 0:
                continue
            start, size = self.band(i, len(categories))
            thickness = min(size * 0.8 / count, MAX_BAR)
            # The category's bars together, centred in its band.
            offset = start + (size - thickness * count) / 2 + index * thickness
            end = self.value_position(value, scale)
            if self.horizontal:
                box = (zero, offset, end - zero, thickness)
            else:
                box = (offset, end, thickness, zero - end)
            rects.append(
                {
                    "x": _px(box[0]),
                    "y": _px(box[1]),
                    "width": _px(box[2]),
                    "height": _px(box[3]),
                    "text": _value_text(name, category, value),
                }
            )
        return rects


_TOP = 34.0  # under the title


def _vertical(categories: Sequence[str], scale: Scale) -> _Layout:
    """Lines and columns: values up the left axis, categories along the bottom."""
    tick_width = max(_text_width(label) for label in scale.labels())
    # The rotated axis title, then the ticks' labels.
    left = 8 + FONT_SIZE + 8 + tick_width + 6
    right = WIDTH - 12
    bottom = _TOP + PLOT_HEIGHT
    widest = max(_text_width(_shortened(c, AXIS_LABEL_CHARS)) for c in categories)
    rotate = widest > (right - left) / len(categories) - 6
    if rotate:
        # At 45 degrees, each label ends under its category: the first one must not run off
        # the left edge.
        reach = widest * math.sqrt(0.5)
        left = max(left, reach - (right - left) / len(categories) / 2 + 4)
        below = bottom + 6 + reach
    else:
        below = bottom + 20
    return _Layout(
        horizontal=False,
        left=left,
        top=_TOP,
        right=right,
        bottom=bottom,
        rotate=rotate,
        y_title_x=8 + FONT_SIZE,
        y_title_y=(_TOP + bottom) / 2,
        below=below,
    )


def _horizontal(categories: Sequence[str], series_count: int) -> _Layout:
    """Bars: categories down the left (the first on top, as in the table), values along the
    bottom, the axis title under them."""
    left = 8 + max(_text_width(_shortened(c, AXIS_LABEL_CHARS)) for c in categories) + 8
    right = WIDTH - 20  # half of the last tick's label
    bottom = _TOP + max(series_count * 9 + 8, 18) * len(categories)
    return _Layout(
        horizontal=True,
        left=left,
        top=_TOP,
        right=right,
        bottom=bottom,
        rotate=False,
        y_title_x=(left + right) / 2,
        y_title_y=bottom + 32,
        below=bottom + 36,
    )


def _legend(
    names: Sequence[str], styles: Sequence[_Style], top: float
) -> tuple[float, list[dict[str, Any]]]:
    """The legend's entries in rows of equal columns, centred; and the legend's bottom."""
    texts = [_shortened(name, LEGEND_LABEL_CHARS) for name in names]
    column = SWATCH_WIDTH + 6 + max(_text_width(text) for text in texts) + 16
    columns = max(1, min(len(texts), int((WIDTH - 16) // column)))
    rows = math.ceil(len(texts) / columns)
    start = (WIDTH - columns * column) / 2 + 8
    entries = []
    for i, (name, text, style) in enumerate(zip(names, texts, styles, strict=True)):
        x = max(4.0, start + (i % columns) * column)
        y = top + (i // columns) * LEGEND_ROW + LEGEND_ROW / 2
        entries.append(
            {
                "text": text,
                "full": name,
                "style": style,
                "swatch": {
                    "x": _px(x),
                    "y": _px(y - 5),
                    "x2": _px(x + SWATCH_WIDTH),
                    "width": _px(SWATCH_WIDTH),
                    "middle": _px(y),
                },
                "marker": _marker_path(style.marker, x + SWATCH_WIDTH / 2, y),
                "x": _px(x + SWATCH_WIDTH + 6),
                "y": _px(y + 4),
            }
        )
    return top + rows * LEGEND_ROW + 6, entries
