"""Load with accounting: clients sending exchanges through the API to a healthy stack, every
answer set against the database afterwards; and the same load through HAProxy in front of two
web nodes and two workers (the scale-out of docs/reliability.md)."""

from __future__ import annotations

from typing import Any

from tests.reliability.harness import Stack
from tests.reliability.load import LoadReport, account, percentile, run_load


def measured(report: LoadReport) -> dict[str, Any]:
    """Throughput and latency of the sends answered 201, and the rest counted as errors."""
    latencies = report.latencies(201)
    return {
        "requests_per_s": round(len(latencies) / report.seconds, 1) if report.seconds else 0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000),
        "p95_ms": round(percentile(latencies, 0.95) * 1000),
        "errors": sum(1 for attempt in report.attempts if attempt.status != 201),
    }


def loaded_and_accounted(
    stack: Stack, port: int, durations: Any, summary: dict[str, Any]
) -> LoadReport:
    report = run_load(
        port,
        stack.senders,
        clients=durations.clients,
        seconds=durations.load_seconds,
        retry_seconds=durations.retry_seconds,
    )
    accounting = account(report, stack.inspect("facts", report.run))
    summary.update(accounting.summary(), **measured(report))
    assert accounting.problems == (), "\n".join(accounting.problems[:20])
    assert accounting.stored == len(report.outcomes) > 0
    return report


def test_load_with_accounting(stack: Stack, durations, summary) -> None:
    """One gunicorn node of two workers and one Celery worker (half the scale-out below)."""
    port = stack.web(workers=2)
    stack.worker()

    report = loaded_and_accounted(stack, port, durations, summary)

    # A healthy stack answers every send the first time.
    assert summary["server_errors"] == 0
    assert all(outcome.attempts == 1 for outcome in report.outcomes.values())
    # What the sends notified is mailed once each.
    assert stack.wait_for(lambda: stack.inspect("outbox")["unsent"] == 0, timeout=60) is not None
    assert stack.mail.duplicates() == 0


def test_scale_out_two_nodes_behind_one_address(stack: Stack, durations, summary) -> None:
    """Two gunicorn nodes and two workers on one machine behind HAProxy (installed from
    Debian when missing): every send answered and stored once, whichever node took it."""
    nodes = [stack.web(workers=2, name=f"web{number}") for number in (1, 2)]
    stack.worker("worker1")
    stack.worker("worker2")
    port = stack.balancer(nodes)

    loaded_and_accounted(stack, port, durations, summary)

    assert summary["server_errors"] == 0
