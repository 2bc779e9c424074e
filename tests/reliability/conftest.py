"""Fixtures of the reliability suite: the session's prepared database, a stack per scenario,
the scenario's durations (short in CI, longer under ``RELIABILITY_LONG=1``), and the summary
row each scenario records for ``make reliability``.

Every process a scenario starts is stopped when it ends, and the session checks at its end that
none is left (``pgrep`` on the scenarios' directories and ports).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.app_processes import leftovers
from tests.reliability.harness import GoldenDatabase, Stack, session_keys

LONG = os.environ.get("RELIABILITY_LONG") == "1"
# Where the scenarios' summary rows go (run_long.py reads them), when set.
SUMMARY_PATH = os.environ.get("RELIABILITY_SUMMARY", "")


@dataclass(frozen=True)
class Durations:
    """How long each scenario loads the stack, and with how many clients."""

    load_seconds: float
    clients: int
    fault_seconds: float
    retry_seconds: float


# The faults last long enough that a request waiting for the whole fault (a publish without
# a timeout) is told from one waiting for a core on a busy machine.
CI_DURATIONS = Durations(load_seconds=8, clients=4, fault_seconds=5, retry_seconds=45)
LONG_DURATIONS = Durations(load_seconds=60, clients=8, fault_seconds=10, retry_seconds=90)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "reliability: starts its own PostgreSQL, Redis, gunicorn and Celery processes and "
        "injects faults (tests/reliability/)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture(scope="session")
def durations() -> Durations:
    return LONG_DURATIONS if LONG else CI_DURATIONS


@pytest.fixture(scope="session")
def golden() -> Iterator[GoldenDatabase]:
    prepared = GoldenDatabase(session_keys()).prepare()
    yield prepared
    prepared.remove()
    left = leftovers()
    assert not left, f"Processes left behind by the reliability scenarios:\n{left}"


@pytest.fixture
def stack_factory(golden: GoldenDatabase, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``stack_factory(**options)`` starts a stack; every stack is closed after the test, its
    processes' logs printed when the test failed."""
    stacks: list[Stack] = []

    def start(**options: Any) -> Stack:
        stack = Stack(golden, **options)
        stacks.append(stack)
        return stack.start()

    yield start
    failed = getattr(request.node, "rep_call", None)
    for stack in stacks:
        if failed is not None and failed.failed:
            print(stack.logs())
        stack.close()


@pytest.fixture
def stack(stack_factory: Any) -> Stack:
    stack: Stack = stack_factory()
    return stack


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]


@pytest.fixture
def summary(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The scenario's row of the summary table: filled by the test, written when it ends
    (pass or fail) to RELIABILITY_SUMMARY as one JSON line."""
    row: dict[str, Any] = {"scenario": request.node.name.removeprefix("test_")}
    yield row
    if SUMMARY_PATH:
        failed = getattr(request.node, "rep_call", None)
        row["result"] = "FAIL" if failed is None or failed.failed else "pass"
        with open(SUMMARY_PATH, "a") as summary_file:
            summary_file.write(json.dumps(row) + "\n")
