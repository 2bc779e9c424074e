"""Pages in the officer's own language.

Django's LocaleMiddleware (earlier in the chain) chooses a language from the request; once
the officer is known, their own choice (``language`` on the user, one of
``settings.LANGUAGES``) replaces it. LocaleMiddleware's response step then names it in
``Content-Language``. A language the installation no longer offers is ignored, not served.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class OfficerLanguageMiddleware:
    """Placed after AuthenticationMiddleware (it reads the user already loaded)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        language = getattr(user, "language", "") if user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
