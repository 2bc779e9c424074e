"""Login lockout by username, slow-down (never lockout) by address (the unlock page is tested in
tests/partners/test_unlock.py), and the client address read behind the documented reverse proxies."""

from __future__ import annotations

import threading
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest
from django.test import Client, RequestFactory

from partners.models import Officer
from selec.core import login_throttle
from selec.core.models import AuditEvent
from selec.core.request_context import client_address
from selec.demo import demo_password
from tests.helpers import login_wizard_password_step

pytestmark = pytest.mark.django_db

HQ_PROXY = "10.20.0.1"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _attempt(client: Client, username: str, password: str):
    return login_wizard_password_step(client, username, password)


def test_wrong_passwords_for_one_username_lock_that_username_only(client: Client) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "lo.ro", "not-the-password")
    locked = _attempt(client, "lo.ro", demo_password())
    assert locked.status_code == 429
    assert b"Account temporarily locked" in locked.content
    # A colleague behind the same address is not locked out: the password step passes.
    colleague = _attempt(Client(), "lo.bg", demo_password())
    assert colleague.status_code == 200
    assert b"token-otp_token" in colleague.content


def test_many_failures_from_one_address_slow_it_down_without_locking_it_out(
    client: Client, settings
) -> None:
    settings.LOGIN_ADDRESS_FREE_FAILURES = 3
    for username in ("lo.ro", "lo.bg", "lo.tr", "lo.gr"):  # spread: no username is locked
        _attempt(client, username, "not-the-password")
    response = _attempt(client, "lo.al", demo_password())
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert b"Your account is not locked" in response.content
    # Once the wait is over, the right password goes through.
    failures, last = cache.get(login_throttle._key("127.0.0.1"))
    cache.set(login_throttle._key("127.0.0.1"), (failures, last - 2))
    response = _attempt(client, "lo.al", demo_password())
    assert response.status_code == 200
    assert b"token-otp_token" in response.content


def test_the_wait_doubles_with_each_failure_and_is_capped(settings) -> None:
    settings.LOGIN_ADDRESS_FREE_FAILURES = 2
    settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS = 60
    waits = []
    for _ in range(10):
        login_throttle.login_failure_record("192.0.2.7")
        _, last = cache.get(login_throttle._key("192.0.2.7"))
        waits.append(login_throttle.login_wait_seconds("192.0.2.7", now=last))
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert login_throttle.login_wait_seconds("192.0.2.8") == 0


def _request(remote: str, forwarded: str | None = None) -> HttpRequest:
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
    return RequestFactory().get("/", headers=headers, REMOTE_ADDR=remote)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("198.51.100.4", "6.6.6.6")) == "198.51.100.4"


def test_behind_one_proxy_the_client_is_what_the_proxy_saw_not_what_the_client_claims(
    settings,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the address it saw.
    assert client_address(_request(HQ_PROXY, "6.6.6.6, 198.51.100.4")) == "198.51.100.4"
    assert client_address(_request(HQ_PROXY, "198.51.100.4")) == "198.51.100.4"
    assert client_address(_request(HQ_PROXY)) == HQ_PROXY
    assert client_address(_request(HQ_PROXY, "not-an-address")) == HQ_PROXY


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = "6.6.6.6, 198.51.100.4, 10.0.0.2"
    assert client_address(_request(HQ_PROXY, forwarded)) == "198.51.100.4"


def test_lockout_records_and_the_audit_log_see_the_real_client_behind_the_proxy(
    client: Client, login, settings, directory_admin: Officer
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    forwarded = {"X-Forwarded-For": "6.6.6.6, 198.51.100.4"}
    client.post(
        "/account/login/",
        {"login_view-current_step": "auth", "auth-username": "lo.ro", "auth-password": "x"},
        headers=forwarded,
        REMOTE_ADDR=HQ_PROXY,
    )
    assert AccessAttempt.objects.get(username="lo.ro").ip_address == "198.51.100.4"
    assert cache.get(login_throttle._key("198.51.100.4"))[0] == 1
    admin = login(directory_admin)
    admin.get("/exchanges/SELEC-2026-999999/", headers=forwarded, REMOTE_ADDR=HQ_PROXY)
    assert AuditEvent.objects.latest("id").ip_address == "198.51.100.4"


def test_failures_arriving_together_each_count(monkeypatch, settings) -> None:
    settings.LOGIN_ADDRESS_FREE_FAILURES = 3
    # Whatever cache the settings name: its reads are slowed down.
    backend = type(caches["default"])
    read = backend.get

    def slow_read(self, *args, **kwargs):
        value = read(self, *args, **kwargs)
        time.sleep(0.05)  # a round trip to a shared cache, while other failures arrive
        return value

    monkeypatch.setattr(backend, "get", slow_read)
    start = threading.Barrier(8)

    def fail() -> None:
        start.wait()
        login_throttle.login_failure_record("192.0.2.9")

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    assert cache.get(login_throttle._count_key("192.0.2.9")) == 8
    _, last = cache.get(login_throttle._key("192.0.2.9"))
    assert login_throttle.login_wait_seconds("192.0.2.9", now=last) == 16
