"""Scoped reads of what the core app holds for an officer: their API tokens."""

from __future__ import annotations

from django.http import Http404

from partners.models import Officer
from selec.models import ApiToken


def api_tokens_of(officer: Officer, *, limit: int) -> list[ApiToken]:
    """The officer's own tokens, newest first (an officer has a handful)."""
    return list(ApiToken.objects.filter(officer=officer).order_by("-created_at", "-id")[:limit])


def api_token_of(officer: Officer, pk: int) -> ApiToken:
    """One of the officer's own tokens; 404 for anyone else's, as for one that does not exist."""
    token = ApiToken.objects.filter(pk=pk, officer=officer).first()
    if token is None:
        raise Http404("No such token.")
    return token
