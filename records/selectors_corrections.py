"""The exchange a provider corrects: found through the officer's permissions, "not found" for
anybody but the provider (a recipient sees the exchange, but it is not theirs to correct, and
the answer must not tell them apart from an exchange that does not exist)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy

from exchanges.models import Exchange
from exchanges.selectors import exchange_get_for_officer, officer_perms
from partners.models import Officer
from records.policy_corrections import may_correct

NO_EXCHANGE = gettext_lazy("No exchange matches the given query.")


def require_provider(officer: Officer, exchange: Exchange) -> None:
    """404 unless the officer acts as the exchange's provider (MANAGE)."""
    if not may_correct(officer_perms(officer, exchange)):
        raise Http404(NO_EXCHANGE)


def provided_exchange(officer: Officer, *, reference: str) -> Exchange:
    """The exchange the reference names if the officer is its provider; 404 otherwise. Two
    queries: the exchange among those the officer sees, and the officer's permissions on it."""
    exchange = exchange_get_for_officer(officer, reference=reference)
    require_provider(officer, exchange)
    return exchange
