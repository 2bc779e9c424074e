"""How often the REST API may be called: a rate per token, or per officer for a session.

Counted in the shared cache (CACHE_URL), so that the rate holds across every process and node;
when the cache does not answer, requests go through (selec.core.cache_outage).
"""

from __future__ import annotations

from typing import Any, cast

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from selec.core.cache_outage import CACHE_ERRORS, cache_unavailable
from selec.core.models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    """Requests per token (per officer for browser sessions), at the ``api`` rate of the
    settings (``API_THROTTLE_RATE``). Over the rate, DRF answers 429 with Retry-After."""

    scope = "api"

    def get_rate(self) -> str | None:
        # Read at each request, not at import, so that a change of settings takes effect.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        # A rate is a text ("120/minute", see parse_rate); DRF's stubs type the rates as numbers.
        return cast("str | None", rate)

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            cache_unavailable("the API throttle", error)
            return True

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"officer:{request.user.pk}"
        else:
            return None  # refused before throttling anyway: authentication comes first
        return self.cache_format % {"scope": self.scope, "ident": ident}
