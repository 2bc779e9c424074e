"""The API's JSON parsing, with a depth limit.

JSON nested deeper than :data:`MAX_JSON_DEPTH` is 400: no body the API takes is deeper than a
few levels, and a deeper one would exhaust the interpreter's stack (a RecursionError, 500) in
the parser or in the code that walks it.

This module is named in REST_FRAMEWORK's DEFAULT_PARSER_CLASSES, which DRF imports while its
APIView class is being defined: it imports nothing of ours that imports DRF's views.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# The deepest JSON body accepted: the API's own bodies are at most five levels deep (an
# exchange's entities' documents).
MAX_JSON_DEPTH = 32
TOO_DEEP = f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."


def too_deep() -> str:
    """TOO_DEEP in the language of the request."""
    return gettext("The JSON body is nested more than %(depth)d levels deep.") % {
        "depth": MAX_JSON_DEPTH
    }


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` levels, found without recursion."""
    pending = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict):
            children = list(current.values())
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with 400 a body nested deeper than MAX_JSON_DEPTH."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # The C decoder gives up at the interpreter's recursion limit: the stack is
            # unwound by now, and the body is refused like any other that does not parse.
            raise ParseError(too_deep()) from None
        if nested_deeper_than(data, MAX_JSON_DEPTH):
            raise ParseError(too_deep())
        return data


def json_loads(text: str) -> Any:
    """``json.loads`` for JSON carried inside a request (a multipart field), with the body's
    depth limit. Raises ValueError saying what is wrong."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(too_deep()) from None
    if nested_deeper_than(data, MAX_JSON_DEPTH):
        raise ValueError(too_deep())
    return data
