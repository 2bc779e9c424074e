"""The project's routes plus pages that refuse, for tests/selec/test_error_pages.py: an officer
who may not do something (403, with and without a reason) and a request that cannot be read
(400), outside and under /api/. Public, so that the refusal is theirs, not the login's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from selec import urls
from selec.core.access import public

handler400 = urls.handler400
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500

REASON = "Only the provider changes the restrictions of this exchange."


@public
def refusing_page(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(REASON)


@public
def refusing_page_without_reason(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


@public
def unreadable_page(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


urlpatterns = [
    path("test/refused/", refusing_page),
    path("test/refused-silently/", refusing_page_without_reason),
    path("test/unreadable/", unreadable_page),
    path("api/test/refused/", refusing_page),
    path("api/test/unreadable/", unreadable_page),
    *urls.urlpatterns,
]
