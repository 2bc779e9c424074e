"""The ``Idempotency-Key`` header in the API's schema: an optional parameter of every write.

The header is read by ``selec.core.idempotency``'s middleware, not by the views, so no view's
schema names it; this drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS``) adds it
to each POST, PUT, PATCH and DELETE operation, with the answers it brings: 400 for a malformed
key (where the operation does not list 400 already) and 422 for a key used for another request.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from selec.core.idempotency import HEADER, KEY_PATTERN, MAX_KEY_LENGTH, UNSAFE_METHODS

PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "A key of the caller's choosing (a UUID, say), new for each new write. A retry with "
        "the same key and the same body gets the first answer again, with "
        "`Idempotent-Replayed: true`, and changes nothing; the same key with another body is "
        "422. Only successes are kept, for IDEMPOTENCY_KEY_HOURS (24 by default)."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": KEY_PATTERN,
    },
}
# The answers the header adds (their shapes are the API's own components).
REFUSED_KEY = {
    "description": "The Idempotency-Key is malformed.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
}
REUSED_KEY = {
    "description": "The Idempotency-Key was used for another request.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}},
}


def idempotency_key_parameter(
    result: dict[str, Any], generator: Any, request: Any, public: bool, **kwargs: Any
) -> dict[str, Any]:
    """Add the header, and the answers it may bring, to every write operation of the generated
    schema (``result``). Inline, as drf-spectacular writes the parameters the views declare."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method.upper() not in UNSAFE_METHODS:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("in") == "header" and p.get("name") == HEADER for p in parameters):
                parameters.append(deepcopy(PARAMETER))
            # Copies: a YAML rendering would turn one shared object into anchors and aliases.
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", deepcopy(REFUSED_KEY))
            responses.setdefault("422", deepcopy(REUSED_KEY))
    return result
