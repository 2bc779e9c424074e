"""What an officer is shown is never kept by a cache: the browser's disk cache, a shared proxy
at HQ, a national gateway in front of the API. Pages shown to a logged-in officer and every API
answer say ``Cache-Control: private, no-store``, unless the view set ``no-store`` itself (file
downloads, the login page's ``never_cache``), whose header is left as it is.

Static files stay cacheable: WhiteNoise answers them before this middleware is reached, which
is why it comes after WhiteNoise in ``MIDDLEWARE``. Anonymous pages other than the API (the
login page, the health check) carry no content and set their own headers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control

from selec.core.access import API_PATH_PREFIX


def carries_content(request: HttpRequest) -> bool:
    # Every API answer: its caller authenticates inside the view (a token), after the
    # middleware has looked at the session, and a refusal names what was asked for.
    if request.path_info.startswith(API_PATH_PREFIX):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if carries_content(request) and "no-store" not in response.get("Cache-Control", ""):
            # Patched, not replaced: "private" drops a "public" a view may have set, and
            # "no-store" overrides any max-age it kept.
            patch_cache_control(response, private=True, no_store=True)
        return response
