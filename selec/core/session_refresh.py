"""The idle timeout without a database write on every request.

A session ends ``SESSION_COOKIE_AGE`` after its last request. Django can keep that by saving
the session on every request (``SESSION_SAVE_EVERY_REQUEST``), which costs every page view an
UPDATE of the session row. Instead the session is saved when its last save is older than
``SESSION_REFRESH_SECONDS``: a session still ends within that margin of the idle timeout
after its last request, and a busy officer's pages write it at most once a minute.

The same margin keeps an app's record of a signed-in session fresh (the officers' list of
their sessions, ``partners.sessions``): the listeners registered here are told that a
session was seen at most once per ``SESSION_REFRESH_SECONDS``, whether or not the session was
saved for another reason meanwhile. The core names no app: an app registers its listener.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESHED_KEY = "_selec_refreshed_at"
# When the listeners were last told of this session (a timestamp, like REFRESHED_KEY).
SEEN_KEY = "_selec_seen_at"

SeenListener = Callable[[str, dt.datetime], None]
_seen_listeners: list[SeenListener] = []


def register_seen_listener(listener: SeenListener) -> None:
    """``listener(session_key, when)`` is called after a signed-in request, at most once per
    ``SESSION_REFRESH_SECONDS`` per session."""
    if listener not in _seen_listeners:
        _seen_listeners.append(listener)


def mark_seen(session: SessionBase) -> None:
    """Note that the listeners know of the session as of now (at login, say)."""
    session[SEEN_KEY] = int(timezone.now().timestamp())


class SessionIdleRefreshMiddleware:
    """Placed after SessionMiddleware: it marks the session for saving before that one saves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = timezone.now()
        stamp = int(now.timestamp())
        refresh = settings.SESSION_REFRESH_SECONDS
        key = session.session_key
        # Signed in (an anonymous session has nothing to record) and not told within the margin.
        if key and SESSION_KEY in session and stamp - int(session.get(SEEN_KEY, 0)) >= refresh:
            session[SEEN_KEY] = stamp
            for listener in _seen_listeners:
                listener(key, now)
        if session.modified or stamp - int(session.get(REFRESHED_KEY, 0)) >= refresh:
            # Saved now either way (a change, or the refresh this marks): note when.
            session[REFRESHED_KEY] = stamp
        return response
