"""How the REST API answers errors: the same rules as the pages, as JSON.

- a validation error, from a serializer or from a service (``django.core.exceptions``), or a
  body that does not parse (JSON nested too deep included), is 400
  ``{"errors": {field: [messages]}}``; errors that belong to no field are under
  ``non_field_errors``; so is a body with too many fields or files (``selec.core.request_limits``);
- a body over the upload limit is 413 ``{"detail": reason}``, naming the limit;
- ``PermissionDenied`` is 403 ``{"detail": reason}``, ``Http404`` is 404 ``{"detail": "Not
  found."}``, and the rest of DRF's own exceptions (401, 405, 415, 429 with Retry-After...)
  keep DRF's answer;
- stored content that cannot be decrypted is 409: the request was fine, the row is not;
- a database that cannot be reached is 503 with Retry-After and the request id
  (``selec.core.errors``): not a defect, and worth retrying;
- anything else is a bug: logged with its traceback, answered 500 JSON with the request id.
  Inputs are validated before they reach code that could fail, so a 500 means a real defect.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from selec.core.crypto import DecryptionError
from selec.core.errors import (
    RETRY_AFTER_SECONDS,
    database_unavailable_json,
    internal_error_json,
    is_database_outage,
)
from selec.core.request_limits import BODY_REFUSALS, refusal_of

logger = logging.getLogger("selec.api")


def _field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    non_field_key = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(exc, "error_dict"):
        return {
            (non_field_key if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {non_field_key: exc.messages}


def _as_errors(data: Any) -> dict[str, Any]:
    """A DRF error's detail (a serializer's fields, or one message) in the shape of a
    service's errors."""
    if isinstance(data, dict):
        return data
    return {api_settings.NON_FIELD_ERRORS_KEY: data if isinstance(data, list) else [data]}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response({"errors": _field_errors(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.APIException) and exc.status_code == 400:
        # Serializer errors, and a body that does not parse: every 400 has the one shape.
        set_rollback()
        return Response({"errors": _as_errors(exc.detail)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, BODY_REFUSALS):
        # Raised by Django while DRF reads the body: the caller sent more than is accepted.
        status_code, message = refusal_of(exc)
        set_rollback()
        if status_code == status.HTTP_400_BAD_REQUEST:
            return Response({"errors": _as_errors(message)}, status=status_code)
        return Response({"detail": message}, status=status_code)
    if isinstance(exc, DjangoPermissionDenied):
        reason = str(exc) or exceptions.PermissionDenied.default_detail
        set_rollback()
        return Response({"detail": reason}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        set_rollback()
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DecryptionError):
        # Not the caller's fault, and not to be retried: a key is missing or the row altered.
        logger.error("Stored content could not be decrypted", exc_info=exc)
        set_rollback()
        return Response(
            {"detail": _("This content cannot be decrypted at present; the operators are told.")},
            status=status.HTTP_409_CONFLICT,
        )
    if is_database_outage(exc):
        logger.error("Database unreachable", exc_info=exc)
        # No set_rollback(): the connection that failed has no transaction left to mark.
        return Response(
            database_unavailable_json(),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    view = context.get("view")
    logger.error(
        "Unexpected error in API view %s",
        type(view).__name__ if view is not None else "?",
        exc_info=exc,
    )
    set_rollback()
    return Response(internal_error_json(), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
