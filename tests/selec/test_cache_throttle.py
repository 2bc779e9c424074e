"""The API throttle and the login slow-down count in the shared cache (CACHE_URL), so that every
process sees one count; a cache that does not answer lets requests through, quickly
(selec/scaling_config.py, selec.core.cache_outage)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from partners.models import Officer
from selec.core import cache_outage, login_throttle
from selec.scaling_config import CACHE_SOCKET_TIMEOUT_SECONDS, cache_config
from tests.helpers import REDIS_URL, issued_token
from tests.selec.servers import frozen_redis
from tests.selec.test_api_auth import PATH, WhoAmI

pytestmark = pytest.mark.django_db

BROKER_REDIS = REDIS_URL


def _shared_config(url: str) -> dict[str, Any]:
    config = cache_config(url, required=True)
    # This test's keys only: the Redis database is shared with the test run's broker.
    config["KEY_PREFIX"] = f"selec-test-{uuid.uuid4().hex}"
    return config


@pytest.fixture
def shared_cache(settings) -> Iterator[dict[str, Any]]:
    """The cache of the settings is a Redis server, as CACHE_URL makes it in production."""
    config = _shared_config(BROKER_REDIS)
    settings.CACHES = {"default": config}
    yield config
    client = redis.Redis.from_url(BROKER_REDIS)
    keys = list(client.scan_iter(match=f"{config['KEY_PREFIX']}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def frozen_cache(settings) -> Iterator[None]:
    """The cache of the settings is a Redis server that accepts connections and never answers."""
    cache_outage.forget_warnings()
    with frozen_redis() as url:
        settings.CACHES = {"default": _shared_config(url)}
        yield
    cache_outage.forget_warnings()


@pytest.fixture
def two_per_minute(settings) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "2/minute"},
    }


def _another_process(config: dict[str, Any]) -> RedisCache:
    """The cache as another web process opens it: its own connections, the same server."""
    params = {key: value for key, value in config.items() if key != "LOCATION"}
    return RedisCache(config["LOCATION"], params)


def _with_token(plain: str) -> Response:
    request = APIRequestFactory().get(PATH, HTTP_AUTHORIZATION=f"Token {plain}")
    return WhoAmI.as_view()(request)


# --- Counted in the shared cache -------------------------------------------------------------


def test_the_api_rate_is_counted_where_every_process_sees_it(
    shared_cache, two_per_minute, lo_ro: Officer
) -> None:
    token, plain = issued_token(lo_ro)
    assert [_with_token(plain).status_code for _ in range(2)] == [200, 200]
    # Another process reads the two requests in the count (DRF's history of times)...
    history = _another_process(shared_cache).get(f"throttle_api_token:{token.pk}")
    assert len(history) == 2
    # ...and the third request is refused, wherever it arrives.
    assert _with_token(plain).status_code == 429


def test_the_login_slow_down_is_counted_where_every_process_sees_it(shared_cache, settings) -> None:
    settings.LOGIN_ADDRESS_FREE_FAILURES = 1
    for _ in range(3):
        login_throttle.login_failure_record("192.0.2.40")
    other = _another_process(shared_cache)
    assert other.get(login_throttle._count_key("192.0.2.40")) == 3
    assert login_throttle.login_wait_seconds("192.0.2.40") == 2


# --- A cache that does not answer ------------------------------------------------------------


def test_a_frozen_cache_lets_api_requests_through_quickly_and_warns(
    frozen_cache, two_per_minute, lo_ro: Officer, caplog: pytest.LogCaptureFixture
) -> None:
    _, plain = issued_token(lo_ro)
    with caplog.at_level(logging.WARNING, logger="selec.cache"):
        started = time.monotonic()
        statuses = [_with_token(plain).status_code for _ in range(3)]
        elapsed = time.monotonic() - started
    assert statuses == [200, 200, 200]
    # One read per request, each cut off by the socket timeout.
    assert elapsed < 3 * (CACHE_SOCKET_TIMEOUT_SECONDS + 0.25)
    warnings = [r for r in caplog.records if r.name == "selec.cache"]
    assert len(warnings) == 1  # once a minute, not once a request
    assert "the API throttle let the request through" in warnings[0].getMessage()


def test_a_frozen_cache_neither_counts_nor_delays_logins(
    frozen_cache, settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.LOGIN_ADDRESS_FREE_FAILURES = 0
    with caplog.at_level(logging.WARNING, logger="selec.cache"):
        login_throttle.login_failure_record("192.0.2.41")
        assert login_throttle.login_wait_seconds("192.0.2.41") == 0
    assert any("the login slow-down" in r.getMessage() for r in caplog.records)


# --- Configuration ---------------------------------------------------------------------------


def test_production_refuses_to_start_without_a_shared_cache() -> None:
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_config("", required=True)


def test_without_a_url_each_process_counts_for_itself() -> None:
    backend = cache_config("", required=False)["BACKEND"]
    assert backend == "django.core.cache.backends.locmem.LocMemCache"


def test_a_redis_url_is_django_s_redis_cache_with_short_timeouts() -> None:
    config = cache_config("redis://redis:6379/1", required=True)
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == "redis://redis:6379/1"
    assert config["OPTIONS"]["socket_connect_timeout"] == CACHE_SOCKET_TIMEOUT_SECONDS
    assert config["OPTIONS"]["socket_timeout"] == CACHE_SOCKET_TIMEOUT_SECONDS
