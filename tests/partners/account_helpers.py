"""What the account tests share: a fresh authenticator code, a second browser of one officer,
the events and e-mails the services wrote."""

from __future__ import annotations

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Officer
from selec.core.models import AuditEvent, OutboxMessage
from selec.demo import current_totp
from tests.helpers import verified_client

NEW_PASSWORD = "Danube-delta-liaison-2026"


def fresh_code(officer: Officer) -> str:
    """The current code, usable again: django-otp accepts each code once, and a test may need
    several within one 30-second step."""
    TOTPDevice.objects.filter(user=officer).update(last_t=-1)
    return current_totp(officer)


def wrong_code(officer: Officer) -> str:
    return f"{(int(current_totp(officer)) + 1) % 1_000_000:06d}"


def second_browser(officer: Officer) -> Client:
    """Another verified session of the same officer (a second device)."""
    return verified_client(Client(), officer)


def events(officer: Officer, event: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=event, details__officer=officer.username))


def mails_to(officer: Officer) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(to=officer.email).order_by("id"))


def signed_out(client: Client) -> bool:
    response = client.get("/account/")
    return response.status_code == 302 and response["Location"].startswith("/account/login/")
