"""What the counters kept in the shared cache do when it does not answer: let requests through.

The API throttle and the login slow-down protect against abuse; they are not what the
application is for. A Redis that is down or stopped must not turn every request into a 500, nor
keep each one waiting: the cache's short socket timeouts (selec/scaling_config.py) bound the
wait, and the counters then fail open. Logins stay protected by django-axes, whose counts are
in the database. The warning is written at most once a minute per process, not once a request.
"""

from __future__ import annotations

import logging
import threading
import time

from redis.exceptions import RedisError

logger = logging.getLogger("selec.cache")

# What Django's Redis cache raises when Redis is unreachable, slow or refuses (redis-py's own
# errors; OSError for a socket that fails outside them).
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)
WARNING_INTERVAL_SECONDS = 60.0

_lock = threading.Lock()
_last_warning: dict[str, float] = {}


def cache_unavailable(what: str, error: Exception) -> None:
    """Log that ``what`` went without the cache (once a minute per ``what`` and process)."""
    now = time.monotonic()
    with _lock:
        last = _last_warning.get(what)
        if last is not None and now - last < WARNING_INTERVAL_SECONDS:
            return
        _last_warning[what] = now
    logger.warning("Cache unreachable: %s let the request through (%r).", what, error)


def forget_warnings() -> None:
    """The next failure is logged again (tests)."""
    with _lock:
        _last_warning.clear()
