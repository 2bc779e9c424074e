"""The parts of the settings that let the web tier run on several processes and nodes: the
shared cache (CACHE_URL) and the read replica (DATABASE_REPLICA_URL). docs/scaling.md."""

from __future__ import annotations

from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
# A cache that does not answer must cost a request a fraction of a second, not the operating
# system's TCP timeouts: the throttles then let the request through (docs/scaling.md).
CACHE_SOCKET_TIMEOUT_SECONDS = 0.25


def cache_config(url: str, *, required: bool) -> dict[str, Any]:
    """``CACHES["default"]`` from ``url`` (django-environ's cache URL syntax): Redis through
    Django's own backend, with short socket timeouts and no retry (redis-py retries three
    times by default, which would quadruple the wait). Without a URL, a cache local to the
    process, unless one is ``required``."""
    if not url:
        if required:
            raise ImproperlyConfigured("CACHE_URL is required in production (redis://host:6379/1).")
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    config: dict[str, Any] = environ.Env.cache_url_config(url)
    if config["BACKEND"] == REDIS_CACHE:
        config.setdefault("OPTIONS", {}).update(
            {
                "socket_connect_timeout": CACHE_SOCKET_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_SOCKET_TIMEOUT_SECONDS,
                "retry": Retry(NoBackoff(), 0),
            }
        )
        # Keys of this application, should the Redis database be shared with something else.
        config.setdefault("KEY_PREFIX", "selec")
    return config


def replica_database(replica: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    """``DATABASES["replica"]``: connected like the default one. The tests create no database
    for it: it mirrors the default one, so that what a test writes, the replica reads."""
    replica.setdefault("CONN_MAX_AGE", default.get("CONN_MAX_AGE", 0))
    replica.setdefault("CONN_HEALTH_CHECKS", True)
    replica.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", default.get("OPTIONS", {}).get("connect_timeout", 5)
    )
    replica["TEST"] = {"MIRROR": "default"}
    return replica
