"""PostgreSQL faults while clients send exchanges: every application connection terminated
(pg_terminate_backend, twice), and the server stopped and started again (pg_ctl, fast mode).

During the outage a request answers 503 with Retry-After, never a bare 500; a send is either
stored whole (its recipients and entity with it) or not at all; the clients' retries with the
same Idempotency-Key succeed once the database is back, each send stored once; the audit
chain stays intact.
"""

from __future__ import annotations

import time

from tests.reliability.harness import Stack
from tests.reliability.load import LoadReport, account, load_with_fault


def checked(stack: Stack, report: LoadReport, summary) -> None:
    accounting = account(report, stack.inspect("facts", report.run))
    refusals = [a for a in report.attempts if a.status is not None and a.status >= 500]
    summary.update(accounting.summary())
    assert accounting.problems == (), "\n".join(accounting.problems[:20])
    wrong = [(a.status, a.retry_after) for a in refusals if a.status != 503 or not a.retry_after]
    assert wrong == [], f"answers during the outage other than 503 with Retry-After: {wrong[:10]}"


def test_terminated_connections_lose_and_double_nothing(stack: Stack, durations, summary) -> None:
    def terminate_twice() -> None:
        stack.postgres.terminate_application_connections()
        time.sleep(1)
        stack.postgres.terminate_application_connections()

    report, _, _ = load_with_fault(stack, durations, terminate_twice)

    checked(stack, report, summary)


def test_a_restarted_server_answers_503_with_retry_after_then_recovers(
    stack: Stack, durations, summary
) -> None:
    def restart_after_an_outage() -> None:
        stack.postgres.stop("fast")
        time.sleep(durations.fault_seconds)
        stack.postgres.start()

    report, _, _ = load_with_fault(stack, durations, restart_after_an_outage)

    checked(stack, report, summary)
    # The clients kept sending through the outage: they were told to come back, not failed.
    assert any(a.status == 503 for a in report.attempts)
