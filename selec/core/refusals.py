"""Refused attempts to reach an object are audited: who, which route, which object.

An officer who asks for an exchange, a case, an attachment or any other object by its address
and is answered 404 (it does not exist, or it is not theirs to see: the answer is the same) or
403 (they may see it but not do this) has tried something the log must show. A sweep through
thousands of addresses must not flood the log, though: per officer and window, the first
``REFUSALS_RECORDED_PER_WINDOW`` refusals are recorded one by one, the next one records that
further refusals are only counted, and the first refusal of the following window carries the
count of the one before.

The counter lives in Django's cache (shared when the cache is; per process otherwise, which
still bounds what each process writes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from selec.core.audit import audit_record
from selec.core.audit_events import CoreAuditEvent
from selec.core.cache_outage import CACHE_ERRORS, cache_unavailable
from selec.core.models import AuditAction

logger = logging.getLogger(__name__)

REFUSED_STATUSES = frozenset({403, 404})
REFUSALS_RECORDED_PER_WINDOW = 10
WINDOW_SECONDS = 60


def _counter_key(officer_id: int, window: int) -> str:
    return f"selec:refusals:{officer_id}:{window}"


def _count_refusal(officer_id: int) -> tuple[int, int]:
    """This refusal's number in the officer's current window, and the previous window's
    total (0 once reported, or when there was none)."""
    window = int(timezone.now().timestamp()) // WINDOW_SECONDS
    key = _counter_key(officer_id, window)
    try:
        cache.add(key, 0, timeout=WINDOW_SECONDS * 3)
        number = cache.incr(key)
        previous = cache.get(_counter_key(officer_id, window - 1), 0) if number == 1 else 0
    except CACHE_ERRORS as error:
        # Without the count every refusal is audited: the limit only spares the log a flood.
        cache_unavailable("the refusal flood limit", error)
        return 1, 0
    return number, previous


def refusal_record(*, request: HttpRequest, status: int) -> None:
    """Audit one refused attempt (within the flood limit), in a transaction of its own."""
    officer = request.user
    if isinstance(officer, AnonymousUser):
        return  # the middleware records signed-in officers' refusals only
    match = request.resolver_match
    assert match is not None
    number, previous = _count_refusal(officer.pk)
    if number > REFUSALS_RECORDED_PER_WINDOW + 1:
        return
    sweep = number == REFUSALS_RECORDED_PER_WINDOW + 1
    arguments = {name: _printable(value, 64) for name, value in match.kwargs.items()}
    details: dict[str, object] = {
        "route": match.view_name,
        "path": _printable(request.path, 300),
        "method": request.method,
        "status": status,
        "arguments": arguments,
    }
    if previous > REFUSALS_RECORDED_PER_WINDOW:
        details["refusals_in_previous_window"] = previous
    if sweep:
        details["sweep"] = (
            f"more than {REFUSALS_RECORDED_PER_WINDOW} refusals within {WINDOW_SECONDS} s: "
            "further ones in this window are counted, not recorded"
        )
    with transaction.atomic():
        audit_record(
            actor=officer,
            action=AuditAction.REFUSAL,
            event=CoreAuditEvent.REQUEST_REFUSED,
            object_type=match.view_name[:64],
            object_id=",".join(arguments.values())[:64],
            reason="access refused: sweep suspected" if sweep else "access refused",
            details=details,
        )


class RefusedAccessAuditMiddleware:
    """Records 404 and 403 answers on object routes (a URL with arguments) to a signed-in
    officer, pages and API alike (DRF puts the caller it authenticated on the request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REFUSED_STATUSES and _is_object_route(request):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                try:
                    refusal_record(request=request, status=response.status_code)
                except DatabaseError:
                    # The answer is a refusal already; a log that cannot be written must not
                    # turn it into an error page, but it must not go unnoticed either.
                    logger.exception("Refused access not audited: %s", request.path)
        return response


def _printable(value: object, limit: int) -> str:
    """What the caller put in the address, as text the log can hold: a probe may carry NUL or
    control characters, which PostgreSQL text refuses and a reader must not be shown raw."""
    text = str(value)
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)[:limit]


def _is_object_route(request: HttpRequest) -> bool:
    match = request.resolver_match
    return bool(match is not None and match.kwargs and match.view_name)
