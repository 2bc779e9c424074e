"""The LOGGING setting (selec/settings.py imports it): JSON lines, or text for a console.

Every line goes through two filters on every handler: ``hide_url_secrets`` (invitation and
password reset links never reach a log) and ``request_context`` (the request id, officer,
route, status and duration of the request that wrote it, or the Celery task's name and id).
``json`` writes one JSON object per line, with ``timestamp``, ``level``, ``logger`` and
``message`` and those fields, for a log collector; ``text`` writes the same as readable lines.
docs/logging.md describes the fields.
"""

from __future__ import annotations

from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS

FORMATS = ("json", "text")

# The text format is for a developer's console: the request id suffices there to follow a
# request; the other fields are in the JSON lines.
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def json_formatter() -> dict[str, Any]:
    """One JSON object a line, for the application and gunicorn alike (docker/gunicorn.conf.py).
    A new dict each time: ``dictConfig`` consumes the ``"()"`` key of the dict it is given."""
    return {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "{levelname}{name}{message}",
        "style": "{",
        "rename_fields": {"levelname": "level", "name": "logger"},
        # "timestamp": ISO 8601 in UTC to the microsecond, whatever TIME_ZONE says, so that
        # lines from several nodes sort and join.
        "timestamp": True,
        # Django's request loggers attach the request, whose text names its path (an
        # invitation's secret with it) beyond the reach of the secret-hiding filter. The
        # fields above say what the request was.
        "reserved_attrs": [*RESERVED_ATTRS, "request"],
    }


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The ``LOGGING`` dict for ``log_format`` ("json" or "text") at root ``level``."""
    if log_format not in FORMATS:
        raise ValueError(f'LOG_FORMAT is "json" or "text", not "{log_format}".')
    filters = ["hide_url_secrets", "request_context"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            # Secrets in URLs (invitation and password reset links) never reach a log line.
            "hide_url_secrets": {"()": "selec.core.log_filters.HideUrlSecrets"},
            "request_context": {"()": "selec.core.log_context.RequestContextFilter"},
        },
        "formatters": {
            "json": json_formatter(),
            "text": {"format": _TEXT_FORMAT},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": filters,
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "pgserver": {"level": "WARNING"},
            # runserver's own request lines duplicate our access line (selec.access).
            "django.server": {"level": "WARNING"},
        },
    }
