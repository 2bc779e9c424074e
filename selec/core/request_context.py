"""Who is asking, from where, under which request id: read by the audit log.

A context variable (not a thread local) so that it also holds under ASGI and in Celery tasks,
where it is simply empty.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.ipv6 import clean_ipv6_address

_REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    # What the caller sent as X-Request-ID (well-formed only): recorded, never used as ours.
    client_request_id: str = ""


# RequestContext is frozen, so sharing one default instance is safe.
_current: ContextVar[RequestContext] = ContextVar("selec_request_context", default=RequestContext())  # noqa: B039


def current_request_context() -> RequestContext:
    return _current.get()


class RequestContextMiddleware:
    """Give every request an id of this server's making and remember the client address; the
    id is echoed back and both are recorded in audit events. A caller's own ``X-Request-ID``
    (when well-formed) is recorded beside ours: a client chooses it, so it proves nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = uuid.uuid4().hex
        token = _current.set(
            RequestContext(
                request_id=request_id,
                ip_address=client_address(request),
                client_request_id=incoming if _REQUEST_ID_SHAPE.match(incoming) else "",
            )
        )
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response


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
