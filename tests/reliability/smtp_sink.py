"""An SMTP server for the scenarios: it accepts every message and counts deliveries per
Message-ID and per content, so that a message delivered twice shows however it was sent.

It can hold one message: the Nth DATA it receives is left unanswered (the sender waits, its
batch half done) until the sending connection goes away, and that message is then refused, as
a mail server that never said 250 has not taken it. A kill -9 of the sender lands there.
"""

from __future__ import annotations

import asyncio
import email
import hashlib
import logging
import threading
from collections import Counter
from typing import Any

from aiosmtpd.controller import Controller

from tests.reliability.servers import HOST, free_port

HOLD_LIMIT_SECONDS = 120.0
# aiosmtpd logs every SMTP command at INFO: a scenario's output would be nothing else.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class CountingHandler:
    def __init__(self, hold_at: int | None) -> None:
        self.by_message_id: Counter[str] = Counter()
        self.by_content: Counter[str] = Counter()
        self.received = 0
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received += 1
            number = self.received
        if number == self.hold_at:
            self.holding.set()
            await self._until_the_sender_is_gone(server)
            return "451 4.3.0 Not taken"
        message = email.message_from_bytes(envelope.content)
        content = hashlib.sha256(
            f"{envelope.rcpt_tos}|{message['Subject']}|{message.get_payload()}".encode()
        ).hexdigest()
        with self.lock:
            self.by_message_id[str(message["Message-ID"])] += 1
            self.by_content[content] += 1
        return "250 OK"

    async def _until_the_sender_is_gone(self, server: Any) -> None:
        waited = 0.0
        while waited < HOLD_LIMIT_SECONDS:
            transport = getattr(server, "transport", None)
            if transport is None or transport.is_closing():
                return
            await asyncio.sleep(0.05)
            waited += 0.05


class SmtpSink:
    """The sink on a free loopback port, in a thread of the test process."""

    def __init__(self, *, hold_at: int | None = None) -> None:
        self.port = free_port()
        self.handler = CountingHandler(hold_at)
        self.controller = Controller(self.handler, hostname=HOST, port=self.port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    def delivered(self) -> int:
        with self.handler.lock:
            return sum(self.handler.by_message_id.values())

    def duplicates(self) -> int:
        """Deliveries beyond the first of the same message, by Message-ID or by content
        (a relay that gives a resent message a new Message-ID is still caught)."""
        with self.handler.lock:
            by_id = sum(count - 1 for count in self.handler.by_message_id.values())
            by_content = sum(count - 1 for count in self.handler.by_content.values())
        return max(by_id, by_content)
