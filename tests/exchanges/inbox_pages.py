"""What the tests of the inbox page share: its address, and sending and reading a page of it."""

from __future__ import annotations

import re

from django.test import Client

from exchanges.models import Exchange
from partners.models import Officer
from tests.exchanges.scenario import send

INBOX = "/exchanges/"


def _send(officer: Officer, *recipients: str, **kwargs: object) -> Exchange:
    return send(officer, *recipients, attachments=(), **kwargs)  # type: ignore[arg-type]


def _refs(content: str) -> list[str]:
    """The references of the table's rows, in order (each row links its reference once)."""
    return re.findall(r'<a href="/exchanges/(SELEC-\d{4}-\d{6})/">', content)


def _get(client: Client, query: str = "") -> str:
    response = client.get(f"{INBOX}{query}")
    assert response.status_code == 200
    return response.content.decode()
