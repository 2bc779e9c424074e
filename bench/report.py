"""The bench's answer: one table on the terminal, one JSON object in a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.measure import Figure

COLUMNS = ("key", "p50 ms", "p95 ms", "queries", "bare p50 ms", "ratio", "notes")
# Extra fields shown in the notes column, in this order, with their label.
NOTES = (
    ("requests_per_s", "req/s"),
    ("errors", "errors"),
    ("send_p95_ms", "send p95 ms"),
    ("page", "page"),
    ("rows", "rows"),
    ("messages", "messages"),
    ("hits", "hits"),
    ("year", "year"),
    ("years", "years"),
    ("slowest", "slowest"),
    ("broker", "broker"),
    ("bytes", "bytes"),
    ("exchanges_bytes_per_exchange", "exchanges"),
    ("receipts_bytes_per_exchange", "receipts"),
    ("permissions_bytes_per_exchange", "permissions"),
    ("error", "error"),
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _note(key: str, value: Any) -> str:
    if key == "year":
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return _cell(value)


def _notes(figure: Figure) -> str:
    parts = []
    if "queries_10" in figure.extra:
        counts = "/".join(str(figure.extra[f"queries_{n}"]) for n in (10, 50, 200))
        parts.append(f"queries for 10/50/200 rows: {counts}")
    for key, label in NOTES:
        if key in figure.extra:
            parts.append(f"{label} {_note(key, figure.extra[key])}")
    return ", ".join(parts)


def table(figures: dict[str, Figure]) -> str:
    rows = [COLUMNS]
    for key, figure in figures.items():
        rows.append(
            (
                key,
                _cell(figure.p50_ms),
                _cell(figure.p95_ms),
                _cell(figure.queries),
                _cell(figure.bare_p50_ms),
                _cell(figure.ratio),
                _notes(figure),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    lines = []
    for position, row in enumerate(rows):
        cells = [
            row[0].ljust(widths[0]),
            *(cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:], strict=True)),
            row[-1],
        ]
        lines.append("  ".join(cells).rstrip())
        if position == 0:
            lines.append("  ".join("-" * w for w in widths) + "  -----")
    return "\n".join(lines)


def write_json(path: Path, figures: dict[str, Figure], generation: dict[str, Any]) -> None:
    document = {key: figure.as_json() for key, figure in figures.items()}
    document["generation"] = generation
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
