"""The load generator of the HTTP benchmark, run as a process of its own.

``python -m bench.load_client`` reads one scenario as JSON on stdin (see ``bench.http_load``,
which writes it) and prints what it measured as JSON on stdout. It imports nothing of Django:
it is a browser-like client of the running server and nothing more, and keeping it out of
the server's processes means its own CPU time is never counted as the application's.

Each client is a thread with one keep-alive connection (``http.client``), as a browser keeps
one to the site: threads are enough here because a client spends its time waiting for the
server, and http.client needs no new dependency. A client either reads the inbox, alternating
between the two officers whose sessions it holds, or sends exchanges through the compose form.
Requests made during the warm-up (worker processes compiling templates, filling caches and
opening their first connections) are not counted.
"""

from __future__ import annotations

import functools
import http.client
import json
import math
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CONNECT_TIMEOUT_S = 30.0
# After a refused or broken connection, a short pause: a server that is down must not turn
# every client into a busy loop counting errors.
RECONNECT_PAUSE_S = 0.05
INBOX_PATH = "/exchanges/"
COMPOSE_PATH = "/exchanges/new/"
# Where a successful send redirects: the new exchange's thread (a form shown again with errors
# is answered 200, a lost session redirects to the login page: both are failures).
SENT_LOCATION = re.compile(r"^/exchanges/[A-Z0-9-]+/$")
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
ATTACHMENT_BYTES = 100 * 1024


class RequestFailed(Exception):
    """An answer other than the expected one, or no answer."""


@dataclass
class Sample:
    kind: str  # "inbox" or "send"
    milliseconds: float
    ok: bool


def padded_pdf(size: int) -> bytes:
    """A PDF of exactly ``size`` bytes: an empty page, padded with comment lines (which readers
    skip) up to the size of a typical scanned report. It starts with ``%PDF``, which is what
    the upload check's content sniffing recognises."""
    head = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    )
    tail = b"trailer<</Root 1 0 R>>\n%%EOF\n"
    missing = max(0, size - len(head) - len(tail))
    line = b"%" + b"x" * 78 + b"\n"
    whole_lines, rest = divmod(missing, len(line))
    # The last line is a shorter comment, or a bare line break when one byte is left.
    last = b"%" + b"x" * (rest - 2) + b"\n" if rest >= 2 else b"\n" * rest
    return head + line * whole_lines + last + tail


def multipart_body(
    fields: list[tuple[str, str]], file_field: str, filename: str, content: bytes
) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser posts it, and its Content-Type."""
    boundary = "----benchboundary" + secrets.token_hex(12)
    parts: list[bytes] = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


class Browser:
    """One connection to the server, kept alive between requests when the server allows it."""

    def __init__(self, port: int, host_header: str) -> None:
        self.port = port
        self.host_header = host_header
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        path: str,
        *,
        cookies: dict[str, str],
        body: bytes | None = None,
        content_type: str = "",
    ) -> http.client.HTTPResponse:
        """Send one request and read the whole answer (so the connection can be reused);
        the response keeps the body in ``data``."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=CONNECT_TIMEOUT_S
            )
        headers = {"Host": self.host_header, "Cookie": cookie_header(cookies)}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            response.data = response.read()  # type: ignore[attr-defined]
        except (OSError, http.client.HTTPException) as error:
            self.close()
            time.sleep(RECONNECT_PAUSE_S)
            raise RequestFailed(f"{method} {path}: {error!r}") from error
        if response.will_close:
            self.close()
        return response

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def expect_inbox(response: http.client.HTTPResponse) -> None:
    if response.status != 200:
        raise RequestFailed(f"inbox answered {response.status}")


def expect_sent(response: http.client.HTTPResponse) -> None:
    location = response.getheader("Location", "")
    if response.status != 302 or not SENT_LOCATION.match(location):
        raise RequestFailed(f"send answered {response.status} {location}".strip())


def csrf_token_of_compose_page(
    browser: Browser, cookies: dict[str, str], csrf_cookie_name: str
) -> str:
    """Open the compose page once, as the officer does before the first send: the answer sets
    the CSRF cookie (kept in ``cookies``) and carries the form's token."""
    response = browser.request("GET", COMPOSE_PATH, cookies=cookies)
    if response.status != 200:
        raise RequestFailed(f"compose page answered {response.status}")
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith(f"{csrf_cookie_name}="):
            cookies[csrf_cookie_name] = value.split(";", 1)[0].split("=", 1)[1]
    match = CSRF_FIELD.search(response.data)  # type: ignore[attr-defined]
    if match is None:
        raise RequestFailed("compose page without a CSRF token")
    return match.group(1).decode()


def send_fields(template: list[list[str]], token: str, unique: str) -> list[tuple[str, str]]:
    """The compose form's fields, each value with ``{n}`` made unique: a subject of its own, and
    entities nobody sent before (repeated ones would each match every earlier send)."""
    fields = [("csrfmiddlewaretoken", token)]
    fields += [(name, value.replace("{n}", unique)) for name, value in template]
    return fields


class Client(threading.Thread):
    """One officer's browser: reads the inbox or sends, until the scenario's end."""

    def __init__(self, number: int, scenario: dict[str, Any], role: str) -> None:
        super().__init__(name=f"client-{number}", daemon=True)
        self.number = number
        self.scenario = scenario
        self.role = role
        self.samples: list[Sample] = []
        self.browser = Browser(scenario["port"], scenario["host"])
        self.session = scenario["sessions"][number % len(scenario["sessions"])]

    def run(self) -> None:
        try:
            if self.role == "send":
                self.run_sends()
            else:
                self.run_inbox_reads()
        finally:
            self.browser.close()

    def measuring(self) -> bool:
        return self.scenario["measure_from"] <= time.monotonic() < self.scenario["stop_at"]

    def finished(self) -> bool:
        return time.monotonic() >= self.scenario["stop_at"]

    def timed(self, kind: str, call: Callable[[], None]) -> None:
        """Make one request and keep its latency, if it started and ended while measuring."""
        counted = self.measuring()
        started = time.perf_counter()
        try:
            call()
            ok = True
        except RequestFailed as failure:
            ok = False
            if counted:
                print(f"{self.name}: {failure}", file=sys.stderr)
        milliseconds = (time.perf_counter() - started) * 1000
        if counted and self.measuring():
            self.samples.append(Sample(kind, milliseconds, ok))

    def run_inbox_reads(self) -> None:
        # The agency's officer and the National Focal Point in turn: two inboxes of different
        # shapes (an agency's exchanges, a whole country's).
        readers = [self.session["agency_cookies"], self.session["nfp_cookies"]]
        turn = 0
        while not self.finished():
            cookies = readers[turn % len(readers)]
            turn += 1
            self.timed("inbox", functools.partial(self.read_inbox, cookies))

    def read_inbox(self, cookies: dict[str, str]) -> None:
        expect_inbox(self.browser.request("GET", INBOX_PATH, cookies=cookies))

    def run_sends(self) -> None:
        cookies = dict(self.session["sender_cookies"])
        token = self.compose_token(cookies)
        attachment = padded_pdf(ATTACHMENT_BYTES)
        sequence = 0
        while token is not None and not self.finished():
            sequence += 1
            unique = f"{self.scenario['run']}-{self.number}-{sequence}"
            body, content_type = multipart_body(
                send_fields(self.session["send_form"], token, unique),
                "attachments",
                f"report-{unique}.pdf",
                attachment,
            )
            self.timed("send", functools.partial(self.send, cookies, body, content_type))

    def send(self, cookies: dict[str, str], body: bytes, content_type: str) -> None:
        expect_sent(
            self.browser.request(
                "POST", COMPOSE_PATH, cookies=cookies, body=body, content_type=content_type
            )
        )

    def compose_token(self, cookies: dict[str, str]) -> str | None:
        """The CSRF token, tried until the scenario ends; each failure counts as a failed send."""
        while not self.finished():
            try:
                return csrf_token_of_compose_page(
                    self.browser, cookies, self.scenario["csrf_cookie_name"]
                )
            except RequestFailed as failure:
                print(f"{self.name}: {failure}", file=sys.stderr)
                self.samples.append(Sample("send", 0.0, ok=False))
        return None


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (0 when there is nothing to rank)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = math.ceil(fraction * len(ordered))
    return ordered[min(max(rank, 1), len(ordered)) - 1]


def summary(samples: list[Sample], seconds: float) -> dict[str, float]:
    """Requests answered as expected per second and their latencies; every other answer or
    broken connection counts as an error (and in ``requests``, not in the rate)."""
    good = [s.milliseconds for s in samples if s.ok]
    return {
        "requests_per_s": len(good) / seconds,
        "p50_ms": percentile(good, 0.50),
        "p95_ms": percentile(good, 0.95),
        "errors": float(len(samples) - len(good)),
        "requests": float(len(samples)),
    }


def roles(clients: int, senders: int) -> list[str]:
    """What each client does: the first ``senders`` send, the others read the inbox."""
    return ["send" if number < senders else "inbox" for number in range(clients)]


def run(scenario: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Run the clients for the warm-up and the measured seconds; the figures of every request,
    and of the sends and the inbox reads apart."""
    scenario["measure_from"] = time.monotonic() + scenario["warmup_seconds"]
    scenario["stop_at"] = scenario["measure_from"] + scenario["seconds"]
    clients = [
        Client(number, scenario, role)
        for number, role in enumerate(roles(scenario["clients"], scenario["senders"]))
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    samples = [sample for client in clients for sample in client.samples]
    seconds = scenario["seconds"]
    return {
        "all": summary(samples, seconds),
        "send": summary([s for s in samples if s.kind == "send"], seconds),
        "inbox": summary([s for s in samples if s.kind == "inbox"], seconds),
    }


def main() -> None:
    scenario = json.load(sys.stdin)
    json.dump(run(scenario), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
