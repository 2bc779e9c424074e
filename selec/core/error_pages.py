"""The pages of a refused request: 400 (a request Django could not accept), 403 (an officer
who may not do this) and 404 (``selec.core.not_found``). Like the 500 page
(``selec.core.errors``) each names the request id, which the request's log lines carry too
(docs/logging.md): an officer who quotes it leads the operators to what happened.

Under /api/ each answers JSON, as every API error does: a national system calling the API
reads ``detail``, never a page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from selec.core.access import API_PATH_PREFIX
from selec.core.request_context import current_request_context

BAD_REQUEST = gettext_noop("Bad request.")
PERMISSION_DENIED = gettext_noop("You do not have permission to perform this action.")


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PATH_PREFIX)


def _api_answer(detail: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"detail": detail, "request_id": current_request_context().request_id}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's ``handler400``. The page is rendered without the request: a 400 often comes
    from the request itself (a host not allowed, a malformed header), which the menu's context
    processors would read again and fail on."""
    if _is_api(request):
        return _api_answer(_(BAD_REQUEST), 400)
    page = render_to_string("400.html", {"request_id": current_request_context().request_id})
    return HttpResponse(page, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's ``handler403``: the refusal's own reason when it gives one (the policy's words),
    with the request id."""
    reason = str(exception) if exception is not None else ""
    if _is_api(request):
        return _api_answer(reason or _(PERMISSION_DENIED), 403)
    return render(
        request,
        "403.html",
        {"exception": reason, "request_id": current_request_context().request_id},
        status=403,
    )
