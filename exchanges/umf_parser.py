"""The API's parser of ``application/vnd.selec.umf+json``: a send's or a reply's body whose
``entities`` are UMF entities (``exchanges.umf``). The rest of the body is the same JSON as
``application/json``; the entities are turned into ours here, so that the serializers and the
services read one shape whatever the caller spoke.

An entity that cannot be turned into ours (an unknown entity type or attribute, a value the
entity rules refuse) is answered 400, keyed by its position and its UMF path:
``{"errors": {"entities": {"0": {"document[0].issuingCountry": ["..."]}}}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from exchanges.umf import MEDIA_TYPE, entities_from_umf
from selec.core.api_parsers import JSONParser

ENTITIES = "entities"


class UmfJSONParser(JSONParser):
    """JSON whose ``entities`` are UMF entities, with the JSON parser's depth limit."""

    media_type = MEDIA_TYPE

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict) or ENTITIES not in data:
            return data  # the serializer says what is wrong with a body that is no object
        entities, errors = entities_from_umf(data[ENTITIES])
        if isinstance(errors, list):
            raise serializers.ValidationError({ENTITIES: errors})
        if errors:
            # Keyed by position as DRF keys a list's items.
            raise serializers.ValidationError(
                {ENTITIES: {str(position): found for position, found in errors.items()}}
            )
        return {**data, ENTITIES: entities}
