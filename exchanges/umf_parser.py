"""The API's side of ``application/vnd.selec.umf+json``: a send's or a reply's body that is a
UMF message (``exchanges.umf_messages``), read into SELEC's own JSON so that the serializers
and the services read one shape, with one set of rules, whatever the caller spoke.

``UmfJSONParser`` reads the message: what it does not know is 400, each error keyed by the
JSON pointer of the member concerned
(``{"errors": {"/entities/0/document/0/issuingCountry": ["..."]}}``), before anything is
stored. ``UmfMessageBody``, a base of the views that take such a body, says which message they
take (a send's or a reply's) and answers the serializers' and services' errors about a UMF
body under the same pointers, so the caller reads every error in the terms it sent.
``UmfSend``, ``UmfReply`` and ``UmfMessage`` describe the bodies in the API's schema
as the JSON Schema at GET /api/v1/umf/schema/ does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from exchanges.umf import MEDIA_TYPE
from exchanges.umf_messages import REPLY, SEND, Form, errors_in_umf, message_from_umf
from exchanges.umf_schema import OUT, openapi_message_schema
from selec.core.api_parsers import JSONParser


class UmfJSONParser(JSONParser):
    """A UMF message, with the JSON parser's depth limit, read into SELEC's JSON body: a
    send's, or a reply's when the view takes replies (``UmfMessageBody.umf_form``)."""

    media_type = MEDIA_TYPE

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        data = super().parse(stream, media_type, parser_context)
        view = (parser_context or {}).get("view")
        form: Form = getattr(view, "umf_form", SEND)
        body, errors = message_from_umf(data, form=form)
        if errors:
            raise serializers.ValidationError(errors)
        return body


def _is_umf(request: Request) -> bool:
    media_type, _sep, _parameters = (request.content_type or "").partition(";")
    return media_type.strip().lower() == MEDIA_TYPE


def _django_errors(exc: DjangoValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}


# A base of the views that take a UMF message. No docstring: the schema would show it as the
# description of the operations that have none of their own.
class UmfMessageBody(APIView):
    # The message the view takes: a send's, or a reply's (none of the parent's members).
    umf_form: Form = SEND

    def handle_exception(self, exc: Exception) -> Response:
        # A serializer's or a service's errors about a UMF body name SELEC's members
        # ("crime_area", "restrictions"): answered under the message's pointers instead.
        if _is_umf(self.request):
            if isinstance(exc, DjangoValidationError):
                exc = serializers.ValidationError(errors_in_umf(_django_errors(exc)))
            elif isinstance(exc, serializers.ValidationError):
                exc = serializers.ValidationError(errors_in_umf(exc.detail))
        return super().handle_exception(exc)


class UmfReply(serializers.Serializer):
    """A reply as a UMF message (application/vnd.selec.umf+json): see GET umf/schema/,
    #/$defs/Reply. The members its parent decides (the kind, the recipients...) are refused
    by name; its restrictions are added on top of those it inherits."""


class UmfSend(serializers.Serializer):
    """A send as a UMF message (application/vnd.selec.umf+json): see GET umf/schema/. Members
    marked read-only are set by SELEC and ignored, so that a message exported can be sent
    again as it is; members not described are refused by name, each error keyed by its JSON
    pointer."""


class UmfMessage(serializers.Serializer):
    """An exchange as a UMF message: its header, its content and its entities."""


class _UmfSendDescription(OpenApiSerializerExtension):
    target_class = "exchanges.umf_parser.UmfSend"

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return openapi_message_schema(SEND)


class _UmfReplyDescription(OpenApiSerializerExtension):
    target_class = "exchanges.umf_parser.UmfReply"

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return openapi_message_schema(REPLY)


class _UmfMessageDescription(OpenApiSerializerExtension):
    target_class = "exchanges.umf_parser.UmfMessage"

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return openapi_message_schema(OUT)
