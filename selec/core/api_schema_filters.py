"""Empty choices in the API's schema: an optional query parameter with a set of values may be
sent empty, and then narrows nothing.

DRF's fields and django-filter's filters read a query string as a form: a value left empty is
a value left out (``?status=&kind=`` lists as ``?``), which is how a page's form sends a select
left at "any". The schema listed only the choices, so a client that sent the empty value was
answered 200 where the schema said 400. This drf-spectacular postprocessing hook
(``SPECTACULAR_SETTINGS``) adds the empty value to each such parameter, as the date filters say
"empty: no bound" (``exchanges.filters.DayFilter``).
"""

from __future__ import annotations

from typing import Any

EMPTY = {"type": "string", "enum": [""]}
SAID = "Empty: as when left out."


def _takes_empty_as_left_out(parameter: dict[str, Any]) -> bool:
    """An optional query parameter of choices (``enum``, or a named enum's ``$ref``) not
    declared to refuse the empty value: a ``minLength``, as drf-spectacular writes
    ``OpenApiParameter(..., allow_blank=False)`` for a view that refuses it."""
    schema = parameter.get("schema", {})
    return (
        parameter.get("in") == "query"
        and not parameter.get("required")
        and ("enum" in schema or "$ref" in schema)
        and not schema.get("minLength")
    )


def empty_choice_parameters(
    result: dict[str, Any], generator: Any, request: Any, public: bool, **kwargs: Any
) -> dict[str, Any]:
    """Let every such parameter be empty too, and say so in its description."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if not _takes_empty_as_left_out(parameter):
                    continue
                schema = parameter["schema"]
                if "" not in schema.get("enum", ()):
                    parameter["schema"] = {"anyOf": [schema, dict(EMPTY, enum=[""])]}
                described = parameter.get("description", "")
                parameter["description"] = f"{described}\n\n{SAID}" if described else SAID
    return result
