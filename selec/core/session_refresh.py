"""The idle timeout without a database write on every request.

A session ends ``SESSION_COOKIE_AGE`` after its last request. Django can keep that by saving
the session on every request (``SESSION_SAVE_EVERY_REQUEST``), which costs every page view an
UPDATE of the session row. Instead the session is saved when its last save is older than
``SESSION_REFRESH_SECONDS``: a session still ends within that margin of the idle timeout
after its last request, and a busy officer's pages write it at most once a minute.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESHED_KEY = "_selec_refreshed_at"


class SessionIdleRefreshMiddleware:
    """Placed after SessionMiddleware: it marks the session for saving before that one saves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(timezone.now().timestamp())
        if (
            session.modified
            or now - int(session.get(REFRESHED_KEY, 0)) >= settings.SESSION_REFRESH_SECONDS
        ):
            # Saved now either way (a change, or the refresh this marks): note when.
            session[REFRESHED_KEY] = now
        return response
