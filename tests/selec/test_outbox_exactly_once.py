"""Each outbox e-mail reaches the mail server once, through a relay killed mid-batch and
through relays running side by side: the real ``relay_outbox`` command in subprocesses, a real
SMTP server (aiosmtpd) counting what it accepted per Message-ID."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import os
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from selec.core.models import OutboxMessage
from selec.core.notifications import outbox_claim_lease, outbox_message_id, outbox_relay

MESSAGES = 30
HELD = 10  # the 10th message's DATA is held until the relay sending it is killed
MANAGE = Path(settings.BASE_DIR) / "manage.py"


class Sink:
    """An SMTP handler that accepts every message but one it may hold, counting acceptances per
    Message-ID. ``delay`` slows each acceptance, so that concurrent relays interleave."""

    def __init__(self) -> None:
        self.accepted: Counter[str] = Counter()
        self.hold: str | None = None
        self.holding = threading.Event()
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it by this name
        message_id = email.message_from_bytes(envelope.original_content)["Message-ID"]
        if message_id == self.hold:
            self.holding.set()
            await asyncio.sleep(3600)  # cancelled when the server stops; never accepted
            return "451 Held"
        await asyncio.sleep(self.delay)
        with self._lock:
            self.accepted[message_id] += 1
        return "250 Accepted"


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _outbox(count: int) -> list[OutboxMessage]:
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            to=f"officer{number}@demo.selec.invalid",
            subject=f"[SELEC Exchange] event {number}",
            body="Sign in to read it.",
            dedupe_key=f"event:{number}",
        )
        for number in range(count)
    )
    return list(OutboxMessage.objects.order_by("id"))


def _relay(port: int) -> subprocess.Popen[str]:
    """``manage.py relay_outbox`` in a process of its own, on the test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "SELEC_ENV": "test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "EMAIL_TIMEOUT": "5",
    }
    env.pop("EMAIL_URL_FILE", None)
    return subprocess.Popen(
        [sys.executable, str(MANAGE), "relay_outbox", "--batch-size", "100"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finished(relay: subprocess.Popen[str]) -> str:
    out, err = relay.communicate(timeout=120)
    assert relay.returncode == 0, err
    return out.strip()


@pytest.mark.django_db(transaction=True)
def test_a_relay_killed_mid_batch_leaves_every_message_delivered_exactly_once(sink) -> None:
    handler, port = sink
    messages = _outbox(MESSAGES)
    held = messages[HELD - 1]
    handler.hold = outbox_message_id(held)

    relay = _relay(port)
    assert handler.holding.wait(timeout=60), "the relay never reached the held message"
    relay.kill()  # SIGKILL: no clean-up of any kind
    relay.wait(timeout=30)

    # What went before the held message was sent, and marked sent, one by one.
    assert sum(handler.accepted.values()) == HELD - 1
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == HELD - 1
    held.refresh_from_db()
    assert (held.sent_at, held.claim_token is not None) == (None, True)

    # The next run sends the rest; the held message waits for its claim's lease to run out.
    handler.hold = None
    assert _finished(_relay(port)) == f"Outbox relayed: {MESSAGES - HELD} sent, 1 left unsent."
    assert outbox_message_id(held) not in handler.accepted

    # Once it has (the claim made that long ago), a run sends it too.
    OutboxMessage.objects.filter(pk=held.pk).update(
        claimed_at=timezone.now() - outbox_claim_lease() - dt.timedelta(seconds=1)
    )
    assert _finished(_relay(port)) == "Outbox relayed: 1 sent, 0 left unsent."

    assert handler.accepted == Counter({outbox_message_id(m): 1 for m in messages})
    held.refresh_from_db()
    assert (held.attempts, held.claim_token, held.claimed_at) == (1, None, None)


@pytest.mark.django_db(transaction=True)
def test_relays_running_side_by_side_never_send_a_message_twice(sink) -> None:
    handler, port = sink
    handler.delay = 0.02
    messages = _outbox(MESSAGES)

    relays = [_relay(port), _relay(port)]
    reports = [_finished(relay) for relay in relays]

    sent = [int(report.split()[2]) for report in reports]  # "Outbox relayed: N sent, ..."
    assert sum(sent) == MESSAGES
    assert handler.accepted == Counter({outbox_message_id(m): 1 for m in messages})
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_each_message_keeps_one_message_id_unique_to_it(settings, mailoutbox) -> None:
    first, second = _outbox(2)
    settings.SITE_URL = "https://selec.example.org"
    assert outbox_relay() == 2
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [
        outbox_message_id(first),
        outbox_message_id(second),
    ]
    assert outbox_message_id(first) == outbox_message_id(first)
    assert outbox_message_id(first) != outbox_message_id(second)
    assert outbox_message_id(first).startswith(f"<outbox.{first.pk}.")
    assert outbox_message_id(first).endswith("@selec.example.org>")
