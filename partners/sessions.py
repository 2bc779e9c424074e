"""Officers' signed-in sessions: recorded at login, kept fresh while used, ended at logout or
from the account page.

Django's sessions do not say whose they are, so each login writes an ``OfficerSession`` row
(``user_logged_in``); the idle refresh of the session (``selec.core.session_refresh``) moves its
``last_seen_at`` at most once a minute; logging out marks it ended. Ending a session deletes
Django's session by its key, so that its next request is anonymous, and marks the row ended.
The receivers only record: the rules (who may end what) are in ``partners.services.account``.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from partners.models import Officer
from partners.models_lifecycle import OfficerSession
from selec.core import session_refresh
from selec.core.request_context import client_address
from selec.core.service_helpers import max_length_of

_USER_AGENT_MAX_LENGTH = max_length_of(OfficerSession, "user_agent")


def session_started(sender: Any, request: HttpRequest | None, user: Officer, **kwargs: Any) -> None:
    """``user_logged_in``: record the new session (Django gave it a fresh key at login)."""
    session = getattr(request, "session", None)
    if request is None or session is None or not session.session_key:
        return
    now = timezone.now()
    OfficerSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "officer": user,
            "started_at": now,
            "last_seen_at": now,
            "user_agent": request.headers.get("User-Agent", "")[:_USER_AGENT_MAX_LENGTH],
            "address": client_address(request),
            "ended_at": None,
        },
    )
    # Seen now: the refresh need not write the row again within the minute.
    session_refresh.mark_seen(session)


def session_logged_out(
    sender: Any, request: HttpRequest | None, user: Officer | None, **kwargs: Any
) -> None:
    """``user_logged_out``: the session Django is about to flush is over."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        OfficerSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )


def session_seen(session_key: str, when: dt.datetime) -> None:
    """Called by the idle refresh, at most once a minute per session."""
    OfficerSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        last_seen_at=when
    )


def session_rekeyed(old_key: str | None, new_key: str | None) -> None:
    """Django gave the session a new key (``update_session_auth_hash`` after a password
    change): the record follows it, so that the list still knows this session."""
    if old_key and new_key and old_key != new_key:
        OfficerSession.objects.filter(session_key=old_key).update(session_key=new_key)


def connect() -> None:
    """Connect the receivers (``partners.apps``)."""
    user_logged_in.connect(session_started, dispatch_uid="partners.sessions.started")
    user_logged_out.connect(session_logged_out, dispatch_uid="partners.sessions.logged_out")
    session_refresh.register_seen_listener(session_seen)


def open_sessions_of(officer: Officer, *, limit: int) -> QuerySet[OfficerSession]:
    """The officer's sessions that may still be alive, most recently used first, on the index
    ``officer_open_sessions``. A session idle past the timeout has expired even if nobody ended
    it: it is left out (the refresh margin added, since ``last_seen_at`` lags by up to it)."""
    idle_limit = timezone.now() - dt.timedelta(
        seconds=settings.SESSION_COOKIE_AGE + settings.SESSION_REFRESH_SECONDS
    )
    return OfficerSession.objects.filter(
        officer=officer, ended_at__isnull=True, last_seen_at__gte=idle_limit
    ).order_by("-last_seen_at", "-id")[:limit]


def django_session_delete(session_key: str) -> None:
    """Delete Django's session by its key, whatever the session engine: its next request
    arrives with no session and is sent to the login page."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    store().delete(session_key)


def sessions_end(sessions: QuerySet[OfficerSession], *, when: dt.datetime) -> int:
    """End every open session of ``sessions`` (Django's sessions deleted, rows marked); return
    how many. Runs inside the caller's transaction."""
    keys = list(
        sessions.filter(ended_at__isnull=True)
        .select_for_update()
        .values_list("session_key", flat=True)
    )
    for key in keys:
        django_session_delete(key)
    return OfficerSession.objects.filter(session_key__in=keys).update(ended_at=when)
