"""The broker (Redis) hung and stopped while clients send exchanges.

A hung Redis (SIGSTOP: its connections stay open, nothing answers) is the harder fault: a
publish with no timeout waits as long as it lasts. Under neither fault may a request wait on the
broker more than 1 s (the web node's access lines say how long each waited), nor a send be lost
or doubled:
the work a request could not queue is done later by the periodic sweeps
(docs/background-work.md).
"""

from __future__ import annotations

from tests.reliability.conftest import LONG
from tests.reliability.harness import Stack
from tests.reliability.load import LoadReport, account, load_with_fault

MAX_BROKER_WAIT_SECONDS = 1.0
PUBLISH_TIMEOUT_SECONDS = 0.5  # BROKER_PUBLISH_TIMEOUT's default, which the scenarios keep
CATCH_UP_SECONDS = 150.0


def slower_in_the_fault(report: LoadReport, start: float, end: float) -> float:
    """How much longer than the slowest answer outside the fault the slowest request in flight
    during it took, as the clients saw it: reported beside the server's own measure, not held
    to the bound, since on a machine shared with other work an answer also waits for a core."""
    during = report.during(start, end)
    outside = [a.seconds for a in report.attempts if a not in during]
    slowest = max((a.seconds for a in during), default=0.0)
    return max(0.0, slowest - max(outside, default=0.0))


def broker_waits(stack: Stack) -> list[float]:
    """The seconds each request of the web node spent waiting on the broker, as its access
    line says (``broker_ms``: the time in its after-commit publishes)."""
    return [line["broker_ms"] / 1000 for line in stack.access_lines() if "broker_ms" in line]


def checked(stack: Stack, report: LoadReport, start: float, end: float, summary) -> list[float]:
    accounting = account(report, stack.inspect("facts", report.run))
    waits = broker_waits(stack)
    longest = max(waits, default=0.0)
    summary.update(
        accounting.summary(),
        max_broker_wait_s=round(longest, 2),
        slower_in_fault_s=round(slower_in_the_fault(report, start, end), 2),
    )
    assert accounting.problems == (), "\n".join(accounting.problems[:20])
    assert accounting.server_errors == 0, "a broker fault must not fail a send"
    assert waits, "no request published: the scenario measured nothing"
    assert longest <= MAX_BROKER_WAIT_SECONDS, f"a request waited {longest:.2f} s on the broker"
    return waits


def test_a_hung_broker_holds_no_request_more_than_a_second(
    stack: Stack, durations, summary
) -> None:
    report, start, end = load_with_fault(stack, durations, stack.redis.freeze, stack.redis.thaw)

    waits = checked(stack, report, start, end, summary)
    # The fault was met: a publish waited out its timeout on the hung broker (the breaker then
    # spared the requests after it).
    assert max(waits) >= 0.9 * PUBLISH_TIMEOUT_SECONDS


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
