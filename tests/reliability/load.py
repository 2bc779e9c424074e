"""The load generator and its accounting.

N clients (threads, each with its own connections) send exchanges through the API for a given
time, each send with an Idempotency-Key of its own. A send answered 5xx, or not answered at all
(connection refused or cut, timeout), is sent again with the same key and body until it is
answered with a 2xx or the retry time runs out, as a national system's client should. Every
attempt is recorded (when it started, how long it took, what it was answered), so that a
scenario can tell what happened during its fault, and every key's final answer is kept for the
accounting against the database (``account``).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.reliability.servers import HOST

SEND_PATH = "/api/v1/exchanges/"
REQUEST_TIMEOUT_SECONDS = 35.0  # beyond gunicorn's 30 s: its own timeout shows as a 502/cut
RETRY_PAUSE_SECONDS = 0.25
RETRY_PAUSE_LIMIT_SECONDS = 2.0


@dataclass(frozen=True)
class Attempt:
    key: str
    started: float  # time.monotonic()
    seconds: float
    status: int | None  # None: no answer (refused, cut, timed out)
    replayed: bool = False
    retry_after: str | None = None


@dataclass
class Outcome:
    """The final word on one key: its last answer, and the reference a 201 named."""

    status: int | None = None
    reference: str | None = None
    attempts: int = 0


@dataclass
class LoadReport:
    run: str
    attempts: list[Attempt] = field(default_factory=list)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    seconds: float = 0.0

    def during(self, start: float, end: float) -> list[Attempt]:
        """The attempts that were in flight at some moment between ``start`` and ``end``."""
        return [a for a in self.attempts if a.started <= end and a.started + a.seconds >= start]

    def latencies(self, status: int = 201) -> list[float]:
        return sorted(a.seconds for a in self.attempts if a.status == status)


def send_body(run: str, key: str, recipients: list[int]) -> bytes:
    """A request with personal data about one person to the sender's recipients; the subject
    carries the run and the key, so the database tells which key each exchange came from."""
    return json.dumps(
        {
            "kind": "request",
            "recipients": recipients,
            "crime_area": "drugs",
            "priority": "routine",
            "subject": f"{run} {key}",
            "body": "A lorry is expected at the border crossing on Friday.",
            "restrictions": {"dissemination": True},
            "personal_data": True,
            "evaluation": {"source_reliability": "B", "information_accuracy": "2"},
            "entities": [{"kind": "person", "attributes": {"names": f"Reliability {key[:8]}"}}],
        }
    ).encode()


class LoadClient(threading.Thread):
    def __init__(
        self,
        port: int,
        sender: dict[str, Any],
        report: LoadReport,
        *,
        until: float,
        retry_until: float,
    ) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.sender = sender
        self.report = report
        self.until = until
        self.retry_until = retry_until
        self.lock = threading.Lock()

    def run(self) -> None:
        while time.monotonic() < self.until:
            key = str(uuid.uuid4())
            body = send_body(self.report.run, key, self.sender["recipients"])
            self.send_until_answered(key, body)

    def send_until_answered(self, key: str, body: bytes) -> None:
        outcome = Outcome()
        self.report.outcomes[key] = outcome
        pause = RETRY_PAUSE_SECONDS
        while True:
            attempt, reference = self.attempt(key, body)
            self.report.attempts.append(attempt)
            outcome.status, outcome.attempts = attempt.status, outcome.attempts + 1
            outcome.reference = reference or outcome.reference
            answered = attempt.status is not None and attempt.status < 500
            if answered or time.monotonic() > self.retry_until:
                return
            time.sleep(pause)
            pause = min(pause * 2, RETRY_PAUSE_LIMIT_SECONDS)

    def attempt(self, key: str, body: bytes) -> tuple[Attempt, str | None]:
        headers = {
            "Host": HOST,
            "Authorization": f"Token {self.sender['token']}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_SECONDS)
        started = time.monotonic()
        try:
            connection.request("POST", SEND_PATH, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            return Attempt(key, started, time.monotonic() - started, None), None
        finally:
            connection.close()
        seconds = time.monotonic() - started
        reference = None
        if response.status == 201:
            reference = str(json.loads(payload)["reference"])
        attempt = Attempt(
            key,
            started,
            seconds,
            response.status,
            replayed=response.getheader("Idempotent-Replayed") == "true",
            retry_after=response.getheader("Retry-After"),
        )
        return attempt, reference


def run_load(
    port: int, senders: list[dict[str, Any]], *, clients: int, seconds: float, retry_seconds: float
) -> LoadReport:
    """``clients`` clients sending for ``seconds``; a send still failing is retried for up to
    ``retry_seconds`` more. Blocks until every client is done."""
    report = LoadReport(run=f"R{uuid.uuid4().hex[:10]}")
    started = time.monotonic()
    workers = [
        LoadClient(
            port,
            senders[number % len(senders)],
            report,
            until=started + seconds,
            retry_until=started + seconds + retry_seconds,
        )
        for number in range(clients)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + retry_seconds + REQUEST_TIMEOUT_SECONDS + 30)
    report.seconds = time.monotonic() - started
    return report


class BackgroundLoad:
    """``run_load`` in a thread, for a scenario that injects its faults meanwhile."""

    def __init__(self, port: int, senders: list[dict[str, Any]], **options: Any) -> None:
        self.result: LoadReport | None = None
        self.thread = threading.Thread(
            target=self._run, args=(port, senders), kwargs=options, daemon=True
        )

    def _run(self, port: int, senders: list[dict[str, Any]], **options: Any) -> None:
        self.result = run_load(port, senders, **options)

    def __enter__(self) -> BackgroundLoad:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join()

    @property
    def report(self) -> LoadReport:
        assert self.result is not None, "the load has not finished"
        return self.result


@dataclass(frozen=True)
class Accounting:
    """The load's answers set against what the database holds."""

    requests: int
    ok: int  # attempts answered 2xx
    server_errors: int  # attempts answered 5xx
    unanswered: int  # attempts with no answer at all
    retried: int  # keys sent more than once
    replayed: int  # answers marked Idempotent-Replayed
    stored: int  # exchanges of the run in the database
    problems: tuple[str, ...]

    @property
    def duplicates(self) -> int:
        return sum(1 for problem in self.problems if problem.startswith("duplicate"))

    def summary(self) -> dict[str, int]:
        """The columns of the summary table that every load scenario fills."""
        return {
            "requests": self.requests,
            "ok": self.ok,
            "server_errors": self.server_errors,
            "retried": self.retried,
            "stored": self.stored,
            "duplicates": self.duplicates,
        }


def load_with_fault(
    stack: Any,
    durations: Any,
    fault: Callable[[], None],
    recovery: Callable[[], None] | None = None,
) -> tuple[LoadReport, float, float]:
    """The load against ``stack``'s web node and worker, with ``fault`` applied a quarter of the
    way through and, when given, ``recovery`` after the fault's duration; the load's report and
    the fault's window (monotonic seconds)."""
    port = stack.web(workers=3)
    stack.worker()
    with BackgroundLoad(
        port,
        stack.senders,
        clients=durations.clients,
        seconds=durations.load_seconds,
        retry_seconds=durations.retry_seconds,
    ) as load:
        time.sleep(durations.load_seconds / 4)
        start = time.monotonic()
        fault()
        if recovery is not None:
            time.sleep(durations.fault_seconds)
            recovery()
        end = time.monotonic()
    return load.report, start, end


def account(report: LoadReport, facts: dict[str, Any]) -> Accounting:
    """Every key answered 201 stored exactly once under the reference it was answered; no key
    stored twice; no key left without a final 201 (every send is valid, so a 4xx is a problem
    too); nothing stored for a key never sent; no exchange saved without its recipients or its
    entity; the audit chain intact."""
    stored: dict[str, list[str]] = facts["stored"]
    problems: list[str] = []
    for key, references in stored.items():
        if len(references) > 1:
            problems.append(f"duplicate: key {key} stored {len(references)} times {references}")
        if key not in report.outcomes:
            problems.append(f"stored for a key never sent: {key}")
    for key, outcome in report.outcomes.items():
        references = stored.get(key, [])
        if outcome.status == 201:
            if references != [outcome.reference]:
                problems.append(f"key {key} answered 201 {outcome.reference}, stored {references}")
        elif outcome.status is None or outcome.status >= 500:
            problems.append(f"key {key} never answered 2xx (last: {outcome.status})")
        else:
            # A valid send refused (a 4xx): the load itself is wrong, or the server is.
            problems.append(f"key {key} answered {outcome.status}, stored {references}")
    problems += [f"half-saved exchange {reference}" for reference in facts["half_saved"]]
    if not facts["audit_intact"]:
        problems.append(facts["audit"])
    attempts = report.attempts
    return Accounting(
        requests=len(attempts),
        ok=sum(1 for a in attempts if a.status is not None and 200 <= a.status < 300),
        server_errors=sum(1 for a in attempts if a.status is not None and a.status >= 500),
        unanswered=sum(1 for a in attempts if a.status is None),
        retried=sum(1 for o in report.outcomes.values() if o.attempts > 1),
        replayed=sum(1 for a in attempts if a.replayed),
        stored=sum(len(references) for references in stored.values()),
        problems=tuple(problems),
    )


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
