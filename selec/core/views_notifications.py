"""The officer's notifications: what happened to the exchanges that concern them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from selec.core.notifications import (
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
)


@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    rows = [
        (notification, notification.link if _is_site_path(notification.link) else "")
        for notification in notifications_for(request.user)  # type: ignore[arg-type]
    ]
    return render(request, "selec/notifications.html", {"rows": rows})


def _is_site_path(link: str) -> bool:
    # A path on this site only ("/exchanges/..."): never another host, even one spelled "//".
    return (
        link.startswith("/")
        and not link.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(link, allowed_hosts=set())
    )


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Mark one notification read and follow its link (404 for another officer's)."""
    notification = notification_mark_read(officer=request.user, notification_id=pk)  # type: ignore[arg-type]
    if _is_site_path(notification.link):
        return redirect(notification.link)
    return redirect(reverse("notifications"))


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponseRedirect:
    count = notifications_mark_all_read(officer=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked read.", "%(count)d notifications marked read.", count
        )
        % {"count": count},
    )
    return redirect(reverse("notifications"))
