"""What the API tests of exchanges share: the API's root and an exchange's address (their clean
throttle count is the ``no_throttle_carry_over`` fixture of ``tests/exchanges/conftest.py``)."""

from __future__ import annotations

from exchanges.models import Exchange

API = "/api/v1/"


def _url(exchange: Exchange, suffix: str = "") -> str:
    return f"{API}exchanges/{exchange.reference}/{suffix}"
