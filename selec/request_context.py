"""Who is asking, from where, under which request id: read by the audit log.

A context variable (not a thread local) so that it also holds under ASGI and in Celery tasks,
where it is simply empty.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

_REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


# RequestContext is frozen, so sharing one default instance is safe.
_current: ContextVar[RequestContext] = ContextVar("selec_request_context", default=RequestContext())  # noqa: B039


def current_request_context() -> RequestContext:
    return _current.get()


class RequestContextMiddleware:
    """Give every request an id (a well-formed ``X-Request-ID`` from the proxy, else a new one)
    and remember the client address; both are echoed back and recorded in audit events."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_SHAPE.match(incoming) else uuid.uuid4().hex
        token = _current.set(RequestContext(request_id=request_id, ip_address=_client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response


def _client_ip(request: HttpRequest) -> str | None:
    from axes.helpers import get_client_ip_address

    # The same address django-axes locks out, honouring TRUSTED_PROXY_COUNT.
    return get_client_ip_address(request) or None
