"""Who is asking, from where, under which request id: read by the audit log and the logs.

A context variable (not a thread local) so that it also holds under ASGI and in Celery tasks,
where it is empty, or holds the id of the request that queued the task (selec.core.task_context).

The middleware also writes the request's access line (logger ``selec.access``): one per
request, with its route, officer, status and duration (docs/logging.md).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty
from django.utils.ipv6 import clean_ipv6_address

_REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_logger = logging.getLogger("selec.access")


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    # What the caller sent as X-Request-ID (well-formed only): recorded, never used as ours.
    client_request_id: str = ""
    # The request itself, read when a line is logged: its route and its officer are known
    # only once it has gone through URL resolution and authentication. None in a task.
    request: HttpRequest | None = field(default=None, compare=False, repr=False)
    started: float = 0.0  # time.monotonic() at the request's start
    # Seconds the request spent waiting on a service outside the database, by name ("broker"):
    # the access line reports each, so a slow dependency shows in the log as itself.
    waits: dict[str, float] = field(default_factory=dict, compare=False, repr=False)


# RequestContext is frozen, so sharing one default instance is safe.
_current: ContextVar[RequestContext] = ContextVar("selec_request_context", default=RequestContext())  # noqa: B039


def current_request_context() -> RequestContext:
    return _current.get()


def record_wait(name: str, seconds: float) -> None:
    """Add ``seconds`` to the current request's wait on ``name``; outside a request, nothing."""
    context = _current.get()
    if context.request is not None:
        context.waits[name] = context.waits.get(name, 0.0) + seconds


def enter_request_context(context: RequestContext) -> Token[RequestContext]:
    """Make ``context`` the current one (a Celery task run for a request); undo with
    :func:`leave_request_context`."""
    return _current.set(context)


def leave_request_context(token: Token[RequestContext]) -> None:
    _current.reset(token)


class RequestContextMiddleware:
    """Give every request an id of this server's making and remember the client address; the
    id is echoed back and both are recorded in audit events. A caller's own ``X-Request-ID``
    (when well-formed) is recorded beside ours: a client chooses it, so it proves nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = uuid.uuid4().hex
        context = RequestContext(
            request_id=request_id,
            ip_address=client_address(request),
            client_request_id=incoming if _REQUEST_ID_SHAPE.match(incoming) else "",
            request=request,
            started=time.monotonic(),
        )
        # Django logs a 4xx or 5xx answer once the middleware has returned, with the request
        # but outside its context: the log filter finds the context here.
        request.selec_request_context = context  # type: ignore[attr-defined]
        token = _current.set(context)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            log_access(context, response.status_code)
        finally:
            _current.reset(token)
        return response


def log_access(context: RequestContext, status: int) -> None:
    """The request's access line. Written here rather than by gunicorn, whose access log
    knows neither the request id, nor the officer, nor the route."""
    request = context.request
    if request is None:
        return
    fields = request_log_fields(context)
    fields["status"] = status
    for name, seconds in context.waits.items():
        fields[f"{name}_ms"] = round(seconds * 1000, 1)
    level = logging.ERROR if status >= 500 else logging.INFO
    # The path without its query string: a search puts the names it looks for there. It goes
    # in as an argument, so that the secret-hiding filter rewrites it.
    access_logger.log(level, "%s %s %s", request.method, request.path, status, extra=fields)


def request_log_fields(context: RequestContext) -> dict[str, Any]:
    """What every log line written during a request says of it (docs/logging.md). Reading it
    never queries: an officer not yet loaded by the request is left out, not loaded here."""
    request = context.request
    if request is None:
        return {"request_id": context.request_id or None}
    match = request.resolver_match
    return {
        "request_id": context.request_id,
        "officer_id": _officer_id(request),
        "route": match.route if match is not None else None,
        "status": None,
        "duration_ms": round((time.monotonic() - context.started) * 1000, 1),
    }


def _officer_id(request: HttpRequest) -> int | None:
    user = request.__dict__.get("user")  # set by AuthenticationMiddleware, then by DRF
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):  # type: ignore[attr-defined]
        return None
    return user.pk if user.is_authenticated else None


def client_address(request: HttpRequest) -> str | None:
    """The address of the client, as the reverse proxies in front of us saw it.

    Behind ``TRUSTED_PROXY_COUNT`` proxies, each appends the address it received the request
    from to ``X-Forwarded-For``; the nearest is REMOTE_ADDR. The client is therefore the
    ``TRUSTED_PROXY_COUNT``-th entry from the right: entries further left were written by the
    client itself and prove nothing. With no trusted proxy, REMOTE_ADDR is the client. The
    login lockout and slow-down, the throttles and the audit log all read this one answer.

    The address is given in the form the database stores (``_stored_form``), so that an audit
    event's digest, computed before the row is written, covers what the row holds.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if remote is not None:
        remote = _stored_form(remote) or remote
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if not forwarded:
        return remote  # reached us without passing a proxy
    # Fewer entries than proxies: the request entered behind the outer ones; the leftmost entry
    # is then the address the first proxy on its way saw.
    candidate = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _stored_form(candidate) or remote


def _stored_form(address: str) -> str | None:
    """``address`` as a GenericIPAddressField stores it, None when it is no IP address. IPv6
    goes through Django's own ``clean_ipv6_address``: it writes an IPv4-mapped address
    ``::ffff:10.0.0.1`` where Python's ``ipaddress`` writes ``::ffff:a00:1``."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if parsed.version == 4:
        return str(parsed)
    try:
        return clean_ipv6_address(address)
    except ValidationError:
        return None
