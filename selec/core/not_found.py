"""The answer to an address that names nothing: JSON under /api/, the page elsewhere.

An API view's own 404 goes through ``selec.core.api_errors``. An address that matches no route
at all (``/api/v1/crime-areas/a%20b/``, an attachment id that is not a number) never reaches
a view: Django answers it with this handler, and a national system calling the API must get
the same ``{"detail": "Not found."}`` there as everywhere else under /api/, not a page. The
page names the request id, as every error page does (``selec.core.error_pages``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from selec.core.request_context import current_request_context

API_PREFIX = "/api/"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    # Not the exception's message: it would tell "missing" from "off-limits" apart.
    return render(
        request, "404.html", {"request_id": current_request_context().request_id}, status=404
    )
