"""The broker (Redis) hung and stopped while clients send exchanges.

A hung Redis (SIGSTOP: its connections stay open, nothing answers) is the harder fault: a
publish with no timeout waits as long as it lasts. Neither fault may make a request in flight
during it more than 1 s slower than the slowest answer outside it, nor lose or double a send:
the work a request could not queue is done later by the periodic sweeps
(docs/background-work.md).
"""

from __future__ import annotations

from tests.reliability.conftest import LONG
from tests.reliability.harness import Stack
from tests.reliability.load import LoadReport, account, load_with_fault

MAX_BROKER_WAIT_SECONDS = 1.0
CATCH_UP_SECONDS = 150.0


def broker_wait(report: LoadReport, start: float, end: float) -> float:
    """How much longer than the slowest answer outside the fault the slowest request in flight
    during it took: the time it waited on the broker. In flight, not started: a request that
    reached its publish just after the fault began started before it, and with a publish that
    waits, every client is soon stuck in one and none starts during the fault. The slowest
    answer, not a percentile: on a machine shared with other tests an answer waits a second for
    a core now and then, fault or no fault; a publish with no timeout waits the whole fault."""
    during = report.during(start, end)
    outside = [a.seconds for a in report.attempts if a not in during]
    slowest = max((a.seconds for a in during), default=0.0)
    return max(0.0, slowest - max(outside, default=0.0))


def checked(stack: Stack, report: LoadReport, start: float, end: float, summary) -> None:
    accounting = account(report, stack.inspect("facts", report.run))
    wait = broker_wait(report, start, end)
    summary.update(accounting.summary(), max_broker_wait_s=round(wait, 2))
    assert accounting.problems == (), "\n".join(accounting.problems[:20])
    assert accounting.server_errors == 0, "a broker fault must not fail a send"
    assert wait <= MAX_BROKER_WAIT_SECONDS, f"a request waited {wait:.2f} s on the broker"


def test_a_hung_broker_holds_no_request_more_than_a_second(
    stack: Stack, durations, summary
) -> None:
    report, start, end = load_with_fault(stack, durations, stack.redis.freeze, stack.redis.thaw)

    checked(stack, report, start, end, summary)


def test_a_stopped_broker_fails_no_send_and_the_outbox_catches_up(
    stack: Stack, durations, summary
) -> None:
    report, start, end = load_with_fault(stack, durations, stack.redis.stop, stack.redis.start)

    checked(stack, report, start, end, summary)
    if LONG:
        # The notices whose relay could not be queued go out with the periodic relay.
        stack.beat()
        caught_up = stack.wait_for(
            lambda: stack.inspect("outbox")["unsent"] == 0, timeout=CATCH_UP_SECONDS, every=5
        )
        assert caught_up is not None, f"outbox not caught up: {stack.inspect('outbox')}"
        assert stack.mail.duplicates() == 0
