"""A Celery worker killed with SIGKILL (its whole process group, as a crashed machine or an
out-of-memory kill loses it) in the middle of a statistics recomputation, and in the middle of
a batch of e-mails. Another worker takes over, as the orchestrator restarts the container.

- Statistics: equal to a clean recomputation within 2 minutes of the worker's death, every
  year's run done (none left "running" by the dead worker). Under ``RELIABILITY_LONG=1`` the
  periodic sweep runs from Celery beat on its real schedule; in CI the scenario runs the same
  sweep itself every few seconds, so that it waits for the sweep's grace period only, not for
  the schedule's minute.
- Mail: every message in the outbox delivered exactly once at the mail server. The relay's
  claims last ten times EMAIL_TIMEOUT, set short here so the held message's claim runs out
  within the scenario.
"""

from __future__ import annotations

import time

from analytics.services import _YEAR_LOCK_NAMESPACE
from tests.reliability.conftest import LONG
from tests.reliability.harness import Stack

# A year of the imported historical log: the worker is caught computing it.
CAUGHT_YEAR = 2010
STATISTICS_DEADLINE_SECONDS = 120.0
MAIL_MESSAGES = 30
# The message the mail server leaves unanswered, so that the kill lands mid-batch.
HELD_MESSAGE = 10
MAIL_DEADLINE_SECONDS = 120.0
# The mail server's answer is awaited this long: the kill lands well within it, and the claim
# of the message held then runs out after ten times as long.
EMAIL_TIMEOUT_SECONDS = 2


def run_state(stack: Stack, year: int) -> str | None:
    rows = stack.postgres.execute(
        "SELECT state FROM analytics_statisticsrun WHERE year = %s", (year,)
    )
    return str(rows[0][0]) if rows else None


def test_statistics_are_right_within_two_minutes_of_a_worker_killed_mid_recompute(
    stack: Stack, summary
) -> None:
    worker = stack.worker("worker1")
    if LONG:
        stack.beat()
    # The year's lock, held here: the worker's computation of that year waits on it, inside
    # its transaction, its run marked running. That is where it dies.
    holder = stack.postgres.connect()
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", (_YEAR_LOCK_NAMESPACE, CAUGHT_YEAR))
    stack.inspect("queue-statistics")
    caught = stack.wait_for(
        lambda: run_state(stack, CAUGHT_YEAR) == "running", timeout=60, every=0.2
    )
    assert caught is not None, f"the worker never started {CAUGHT_YEAR}: {worker.log_tail()}"

    worker.kill_9()
    died = time.monotonic()
    holder.close()
    stack.worker("worker2")

    def correct() -> bool:
        if not LONG:
            stack.inspect("sweep-statistics")
        statistics = stack.inspect("statistics")
        return bool(statistics["equal"]) and set(statistics["runs"].values()) == {"done"}

    took = stack.wait_for(correct, timeout=STATISTICS_DEADLINE_SECONDS, every=3)
    summary["time_to_correct_statistics_s"] = (
        round(time.monotonic() - died, 1) if took is not None else "never"
    )
    final = stack.inspect("statistics")
    assert took is not None, (
        f"statistics still wrong {STATISTICS_DEADLINE_SECONDS} s after: {final}"
    )


def test_no_email_is_sent_twice_when_a_worker_is_killed_mid_batch(stack_factory, summary) -> None:
    stack: Stack = stack_factory(hold_mail_at=HELD_MESSAGE, email_timeout=EMAIL_TIMEOUT_SECONDS)
    outbox = stack.inspect("mail", str(MAIL_MESSAGES))
    worker = stack.worker("worker1")
    assert stack.mail.handler.holding.wait(timeout=60), (
        f"no batch reached the mail server: {worker.log_tail()}"
    )

    worker.kill_9()
    stack.worker("worker2")

    def relayed() -> bool:
        # What the periodic relay does (beat would run it every minute): run here, sooner.
        stack.manage("relay_outbox")
        return bool(stack.inspect("outbox")["unsent"] == 0)

    took = stack.wait_for(relayed, timeout=MAIL_DEADLINE_SECONDS, every=2)
    summary.update(
        requests=outbox["total"], stored=stack.mail.delivered(), duplicates=stack.mail.duplicates()
    )
    assert stack.mail.duplicates() == 0
    assert took is not None, f"outbox not emptied: {stack.inspect('outbox')}"
    assert stack.mail.delivered() == outbox["total"]
