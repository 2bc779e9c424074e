"""What a request that failed on the server is answered (``handler500`` in selec/urls.py).

A database that cannot be reached is not a defect of the request: it is answered 503 with
``Retry-After``, so that a client (a national system calling the API, a proxy in front of us)
knows to come back rather than to report a bug. Everything else is 500. Both name the request
id, which the log lines of the request carry too (docs/logging.md), so that an officer quoting
it leads the operators to the traceback.

The pages are rendered without the request: context processors (the menu, the officer's
notifications) query the database, which may be what failed.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from selec.core.access import API_PATH_PREFIX
from selec.core.request_context import current_request_context

RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE = gettext_noop(
    "The service is temporarily unavailable; please try again shortly."
)
INTERNAL_ERROR = gettext_noop("Internal error: it has been logged.")


def is_database_outage(error: BaseException | None) -> bool:
    """Whether ``error``, or an error it was raised from, is the database being unreachable
    (connection refused or lost, server shutting down): Django's ``OperationalError`` and
    ``InterfaceError`` wrap the driver's."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def database_unavailable_json() -> dict[str, str]:
    return {"detail": _(DATABASE_UNAVAILABLE), "request_id": current_request_context().request_id}


def internal_error_json() -> dict[str, str]:
    return {"detail": _(INTERNAL_ERROR), "request_id": current_request_context().request_id}


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: called while the failing request's exception is in flight."""
    is_api = request.path_info.startswith(API_PATH_PREFIX)
    if is_database_outage(sys.exc_info()[1]):
        response: HttpResponse
        if is_api:
            response = JsonResponse(database_unavailable_json(), status=503)
        else:
            response = HttpResponse(_page("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if is_api:
        return JsonResponse(internal_error_json(), status=500)
    return HttpResponse(_page("500.html"), status=500)


def _page(template: str) -> str:
    # No request: no context processor runs, so nothing here reads the database.
    return render_to_string(template, {"request_id": current_request_context().request_id})
