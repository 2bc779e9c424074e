from __future__ import annotations

import os
import threading
from base64 import b32decode
from collections.abc import Callable

from django.db import connections, transaction
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from exchanges.models import Exchange
from exchanges.models_purposes import ConsultationPurpose
from partners.api_auth import api_token_issue
from partners.models import Agency, Officer
from selec.core import session_refresh
from selec.core.audit import audit_record
from selec.core.models import ApiToken, AuditAction, AuditEvent
from selec.demo import current_totp

# The Redis of the tests that need a real one: the environment's broker (CI's), else the one the
# project's runtime puts on the loopback (.ci/run starts it when it is down).
REDIS_URL = (
    os.environ.get("CELERY_BROKER_URL", "")
    if os.environ.get("CELERY_BROKER_URL", "").startswith("redis")
    else "redis://127.0.0.1:6379/0"
)


def verified_client(client: Client, officer: Officer) -> Client:
    """Log ``officer`` in as if they had entered their password and a valid TOTP code."""
    client.force_login(officer)
    device = TOTPDevice.objects.get(user=officer, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    # Saved now, as the login page saves it: the next pages need not extend it.
    session[session_refresh.REFRESHED_KEY] = int(timezone.now().timestamp())
    session.save()
    return client


def agency_of(officer: Officer) -> Agency:
    """The agency of a liaison or NFP officer; the schema requires them to have one (the
    ``agency_officers_have_an_agency`` constraint), so a persona without it is a broken fixture."""
    if officer.agency is None:
        raise AssertionError(f"{officer.username} belongs to no agency")
    return officer.agency


def totp_now(base32_key: str, digits: int = 6) -> str:
    """The current code for the secret the enrolment page shows (base32, as apps take it)."""
    return f"{TOTP(b32decode(base32_key)).token():0{digits}d}"


def login_wizard_password_step(client: Client, username: str, password: str):
    return client.post(
        "/account/login/",
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
    )


def login_wizard_token_step(client: Client, token: str):
    return client.post(
        "/account/login/", {"login_view-current_step": "token", "token-otp_token": token}
    )


def issued_token(officer: Officer, *, days: int = 90) -> tuple[ApiToken, str]:
    """Issue ``officer`` a token the way the account page does: with a current code of their
    authenticator. The device's memory of the last code used is cleared first, so that a test
    may issue several tokens within one 30-second step (the service accepts each code once)."""
    TOTPDevice.objects.filter(user=officer).update(last_t=-1)
    return api_token_issue(officer=officer, totp_code=current_totp(officer), days=days)


def purpose_given(officer: Officer, exchange: Exchange, purpose: str = "Case 12/2026") -> None:
    """Record that ``officer`` said why they open ``exchange``'s thread, as the thread page's
    first visit would: for tests about something else than the purpose itself."""
    thread_id = exchange.thread_root_id or exchange.pk
    ConsultationPurpose.objects.get_or_create(
        officer=officer,
        thread_id=thread_id,
        defaults={"purpose": purpose, "given_at": timezone.now()},
    )


def at_once(*work: Callable[[], object]) -> list[BaseException]:
    """Run the callables at the same moment, each on its own connection; their errors."""
    start = threading.Barrier(len(work))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            start.wait(timeout=30)
            job()
        except BaseException as exc:  # reported to the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def committed_audit_event(object_id: str = "1") -> AuditEvent:
    """An audit event written and committed in a transaction of its own (its sealing is queued
    after the commit, as for any action's)."""
    with transaction.atomic():
        return audit_record(
            actor=None,
            action=AuditAction.CONSULTATION,
            event="test.thing_recorded",
            object_type="test.thing",
            object_id=object_id,
            reason="read",
        )
