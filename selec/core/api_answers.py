"""The answers every operation of the API documents besides its success: the shapes of
``selec.core.api_errors`` in the schema, so that a caller (and a conformance fuzzer) finds
every status the operation may give described there.

Every operation may answer 401 (no or a bad token), 403 (an account awaiting confirmation;
what the caller may see but not do) and 429 (over the rate). ``validates``: 400 with the
fields' errors, for an operation that takes a body or query parameters (a list's ``cursor``
and ``limit`` among them). ``finds``: 404, for an operation on something named in its path.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class ErrorsSerializer(serializers.Serializer):
    # The answer's key. A declared field leaves the class for its _declared_fields, so the
    # Serializer.errors property stays: the stubs see a clash where there is none.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(), help_text="Messages by field, each naming its rule."
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


def api_answers(
    ok: dict[Any, Any],
    *,
    validates: bool = True,
    finds: bool = True,
    media_type: str | None = None,
) -> dict[Any, Any]:
    """The operation's success answers (``ok``) and the errors it may give, each a JSON body
    (under ``media_type`` for an operation whose success answers several)."""
    errors: dict[int, type[serializers.Serializer]] = {
        401: DetailSerializer,
        403: DetailSerializer,
        429: DetailSerializer,
    }
    if validates:
        errors[400] = ErrorsSerializer
    if finds:
        errors[404] = DetailSerializer
    if media_type is None:
        return {**ok, **errors}
    return {**ok, **{(code, media_type): shape for code, shape in errors.items()}}
