"""Failed logins from one address slow that address down; they never lock it out.

The officers at headquarters reach the application through one proxy, so a lockout by address
would let anyone lock every one of them out with a few wrong passwords. Usernames are locked
out by django-axes (AXES_LOCKOUT_PARAMETERS); an address that keeps failing is only made to
wait: beyond ``LOGIN_ADDRESS_FREE_FAILURES`` failures within ``LOGIN_ADDRESS_WINDOW``, the next
attempt from it is answered 429 until 1, 2, 4... seconds (at most
``LOGIN_ADDRESS_MAX_DELAY_SECONDS``) have passed since its last failure. Guessing across many
usernames becomes slow, and a colleague's typing costs at most a minute's wait.

The address is the one ``selec.core.request_context.client_address`` reads (TRUSTED_PROXY_COUNT).
Counts live in the shared cache (CACHE_URL), so that every process and node sees the same
count. When the cache does not answer, failures go uncounted and no one is made to wait
(selec.core.cache_outage): the usernames' lockout, counted in the database by django-axes,
still holds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from selec.core.cache_outage import CACHE_ERRORS, cache_unavailable
from selec.core.request_context import client_address


def _key(address: str) -> str:
    """The address's last failure: ``(its number, when)``."""
    return f"selec:login-failures:{address}"


def _count_key(address: str) -> str:
    """The address's failures, counted by the cache itself (``incr``), so that failures
    arriving together each count: none overwrites another's."""
    return f"selec:login-failure-count:{address}"


def login_failure_record(address: str | None) -> None:
    """Count one failed login from ``address`` (called for every failed password check). The
    count lasts ``LOGIN_ADDRESS_WINDOW`` after the last failure."""
    if not address:
        return
    try:
        _record(address)
    except CACHE_ERRORS as error:
        cache_unavailable("the login slow-down", error)


def _record(address: str) -> None:
    window = int(settings.LOGIN_ADDRESS_WINDOW.total_seconds())
    key = _count_key(address)
    cache.add(key, 0, timeout=window)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr: this failure starts a new count
        cache.add(key, 0, timeout=window)
        failures = cache.incr(key)
    cache.touch(key, timeout=window)
    cache.set(_key(address), (failures, time.time()), timeout=window)


def login_wait_seconds(address: str | None, *, now: float | None = None) -> int:
    """How long ``address`` must still wait before its next attempt (0: it may try now)."""
    if not address:
        return 0
    try:
        _number, last = cache.get(_key(address), (0, 0.0))
        failures = cache.get(_count_key(address), 0)
    except CACHE_ERRORS as error:
        cache_unavailable("the login slow-down", error)
        return 0
    excess = failures - settings.LOGIN_ADDRESS_FREE_FAILURES
    if excess <= 0:
        return 0
    delay = min(2 ** min(excess - 1, 30), settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS)
    remaining = last + delay - (time.time() if now is None else now)
    return max(0, math.ceil(remaining))


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any
) -> None:
    """Receiver of Django's ``user_login_failed``: the only place every failed password check
    is announced (the same one django-axes listens to)."""
    if isinstance(request, HttpRequest):
        login_failure_record(client_address(request))


class LoginAddressSlowDownMiddleware:
    """Answers a login attempt that comes too soon after its address's last failure with 429
    and Retry-After, before the password is checked (so the wait cannot be skipped)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.login_path = ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.login_path:
            self.login_path = reverse(settings.LOGIN_URL)
        if request.method == "POST" and request.path_info == self.login_path:
            wait = login_wait_seconds(client_address(request))
            if wait:
                response = TemplateResponse(
                    request, "selec/login_slowed.html", {"wait_seconds": wait}, status=429
                )
                response["Retry-After"] = str(wait)
                return response.render()
        return self.get_response(request)
