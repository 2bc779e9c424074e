from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The unread notification count shown in the header of every page (one query, lazily)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_verified()):
        return {}
    from selec.core.notifications import unread_notifications_count

    return {"unread_notifications": lambda: unread_notifications_count(user)}
