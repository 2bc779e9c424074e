"""Two recomputations of the statistics at once (two command-line runs, then every year queued
twice to a worker running two at a time): the result equals a clean recomputation, and every
year's run ends done."""

from __future__ import annotations

import subprocess
import sys

from tests.reliability.app_processes import BASE_DIR
from tests.reliability.harness import Stack


def statistics_settled(stack: Stack) -> bool:
    statistics = stack.inspect("statistics")
    return bool(statistics["equal"]) and set(statistics["runs"].values()) == {"done"}


def test_two_command_line_recomputes_at_once_equal_a_clean_one(stack: Stack, summary) -> None:
    command = [sys.executable, str(BASE_DIR / "manage.py"), "compute_statistics"]
    runs = [
        subprocess.Popen(
            command, env=stack.env, cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    statistics = stack.inspect("statistics")
    summary.update(stored=statistics["rows"], duplicates=statistics["differing_rows"])
    assert statistics["equal"], statistics
    assert set(statistics["runs"].values()) == {"done"}


def test_every_year_queued_twice_to_two_worker_processes_equals_a_clean_one(
    stack: Stack, summary
) -> None:
    stack.inspect("queue-statistics")
    stack.inspect("queue-statistics")
    stack.worker(concurrency=2)

    took = stack.wait_for(lambda: statistics_settled(stack), timeout=120, every=2)

    statistics = stack.inspect("statistics")
    summary.update(stored=statistics["rows"], duplicates=statistics["differing_rows"])
    assert took is not None, statistics
