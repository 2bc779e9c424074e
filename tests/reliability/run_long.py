"""``make reliability``: the reliability scenarios with longer loads, more clients and the
real periodic schedule (``RELIABILITY_LONG=1``), one after the other so that their figures are
not shared with another scenario's processes, and the summary table they leave.

    .venv/bin/python -m tests.reliability.run_long [pytest arguments: paths, -k ...]

With no arguments, every scenario; arguments replace the default path (give a path with them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
COLUMNS = (
    ("scenario", "scenario"),
    ("result", "result"),
    ("requests", "requests"),
    ("ok", "2xx"),
    ("server_errors", "5xx"),
    ("retried", "retried"),
    ("stored", "stored"),
    ("duplicates", "duplicates"),
    ("max_broker_wait_s", "max wait on broker (s)"),
    ("time_to_correct_statistics_s", "statistics right after (s)"),
    ("requests_per_s", "sends/s"),
    ("p50_ms", "p50 (ms)"),
    ("p95_ms", "p95 (ms)"),
)


def table(rows: list[dict[str, object]]) -> str:
    """A Markdown table, as the README shows it; "" where a scenario measures nothing."""
    header = "| " + " | ".join(title for _, title in COLUMNS) + " |"
    rule = "|" + "|".join("---" for _ in COLUMNS) + "|"
    lines = ["| " + " | ".join(str(row.get(key, "")) for key, _ in COLUMNS) + " |" for row in rows]
    return "\n".join([header, rule, *lines])


def main(arguments: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="selec-summary-") as workdir:
        summary_path = Path(workdir) / "summary.jsonl"
        environment = {
            **os.environ,
            "RELIABILITY_LONG": "1",
            "RELIABILITY_SUMMARY": str(summary_path),
            "SELEC_ENV": "test",
        }
        finished = subprocess.run(
            [
                *(sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:xdist", "-q"),
                *(arguments or ["tests/reliability"]),
            ],
            env=environment,
            cwd=BASE_DIR,
            check=False,
        )
        rows = (
            [json.loads(line) for line in summary_path.read_text().splitlines()]
            if summary_path.exists()
            else []
        )
    sys.stdout.write("\n" + table(rows) + "\n")
    return finished.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
