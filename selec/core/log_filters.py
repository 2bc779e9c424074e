"""Secrets that travel in a URL never reach the logs.

An invitation's link and a password reset's carry their secret in the path; Django logs the
path of every 4xx and 5xx answer (``django.request``), the development server and gunicorn's access log every request
(``django.server``, ``gunicorn.access``: docker/gunicorn.conf.py). A wrong code or a weak password on the invitation's page is a 400, logged
with a link that still works. This filter, on the handler, replaces those secrets before any
record is written.
"""

from __future__ import annotations

import logging
import re

# The routes whose path carries a secret: /account/invitation/<token>/ and Django's
# /account/password-reset/<uidb64>/<token>/.
_SECRET_IN_PATH = re.compile(
    r"(/account/invitation/|/account/password-reset/[^/\s]+/)(?!set-password/)[^/\s\"?]+"
)
HIDDEN = "[hidden]"


def hide_secrets(text: str) -> str:
    return _SECRET_IN_PATH.sub(lambda m: m.group(1) + HIDDEN, text)


class HideUrlSecrets(logging.Filter):
    """Rewrites the message and its arguments; keeps every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = hide_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_hidden(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            # gunicorn's access log formats its line from a mapping of the request's parts.
            record.args = {key: _hidden(value) for key, value in record.args.items()}
        return True


def _hidden(value: object) -> object:
    return hide_secrets(value) if isinstance(value, str) else value
