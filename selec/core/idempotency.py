"""Writes that never file twice, and answers that say what was committed.

Every write (POST, PUT, PATCH, DELETE) of an identified caller runs in one transaction, from
the first query to the answer. An answer of 500 or more rolls it back: a server error means
that nothing was stored, and the side effects queued with ``transaction.on_commit`` (mail,
tasks, the audit seal) run only once the answer is decided. An error raised after the commit
(by such a side effect) is logged, and the caller gets the committed answer, not a 500.

A write may carry a key: the ``Idempotency-Key`` header (API and pages), or a page form's hidden
``idempotency_key`` field (the ``{% idempotency_key %}`` tag). Under the same key, from the same
caller:

- the same request (method, address and content) is answered with the first answer, replayed
  from :class:`~selec.core.models.IdempotentRequest` with ``Idempotent-Replayed: true``; a
  duplicate sent while the first is still running waits for it (a transaction-scoped advisory
  lock on the caller and key), then gets its answer;
- another request is refused with 422, and nothing is done.

Only successes (2xx and 3xx) are kept: after a refusal (4xx) the caller corrects the request and
sends it again under the same key. Keys are kept ``IDEMPOTENCY_KEY_HOURS`` (purged by
:func:`idempotent_requests_purge`). A streaming answer is not kept: a write answering with a
stream (there is none today) would run again when retried.

The caller is the officer of the session (``officer:<id>``), or on the API the token of the
``Authorization: Token`` header (``token:<SHA-256 of the token>``): DRF authenticates the token
later, inside the view, so the scope is the credential's digest. Before a stored answer is
given to an API caller the credential is authenticated as the view would, so that a revoked
token replays nothing. Anonymous requests (login, password reset) are left alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.defaults import server_error
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.views import APIView

from selec.core.access import API_PATH_PREFIX, is_api_view
from selec.core.api_errors import api_exception_handler
from selec.core.models import IdempotentRequest
from selec.core.request_limits import BODY_REFUSALS, UploadRefused

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
REPLAYED_HEADER = "Idempotent-Replayed"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY_LENGTH = 255
# The headers that belong to an answer's content and are replayed with it. Never Set-Cookie
# (a session is not replayed), nor the headers every answer gets from the middleware around
# this one (request id, cache control, security headers): those are set afresh on the replay.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Disposition",
    "Location",
    "HX-Redirect",
    "HX-Location",
)
# The first key of pg_advisory_xact_lock(int, int): the second is a hash of caller and key.
_LOCK_NAMESPACE = 0x5E1EC1D
# The form fields that are not the content: the CSRF token is a credential, the key the key.
_NOT_CONTENT = frozenset({"csrfmiddlewaretoken", FORM_FIELD})
_SCOPE_ATTRIBUTE = "selec_idempotency_scope"
_CLAIM_ATTRIBUTE = "selec_idempotency_claim"

# The same rule, for the schema: HTTP drops the spaces around a header's value.
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"


def _key_refused() -> str:
    # Translators: %(header)s is the HTTP header's name, Idempotency-Key.
    return gettext(
        "An %(header)s is 1 to %(max_length)d printable ASCII characters, neither starting nor "
        "ending with a space (a UUID, for instance)."
    ) % {"header": HEADER, "max_length": MAX_KEY_LENGTH}


def _api_key_reused() -> str:
    # Translators: %(header)s is the HTTP header's name, Idempotency-Key.
    return gettext(
        "This %(header)s was used for another request: send a new key with a new request."
    ) % {"header": HEADER}


def _page_key_reused() -> str:
    return gettext(
        "This form was already sent with other content. Open the form again to send something new."
    )


@dataclass(frozen=True)
class _Claim:
    """A keyed write that found no answer under its key: its answer is recorded if it succeeds."""

    scope: str
    key: str
    fingerprint: str


# --- Who, which key, what content -----------------------------------------------------------


def caller_scope(request: HttpRequest) -> str | None:
    """Whose keys a request's key is among, or None for an anonymous request."""
    if request.path_info.startswith(API_PATH_PREFIX):
        # As DRF's TokenAuthentication reads the header: "Token <credential>", any case.
        keyword, _, credential = request.headers.get("Authorization", "").partition(" ")
        if keyword.lower() == "token" and credential.strip():
            return "token:" + hashlib.sha256(credential.strip().encode()).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"officer:{user.pk}"
    return None


def _key_of(request: HttpRequest, *, api: bool) -> str | None:
    key = request.headers.get(HEADER)
    if key is None and not api and request.method == "POST":
        # A page form's body is parsed already (RequestLimitsMiddleware, then the CSRF check).
        key = request.POST.get(FORM_FIELD)
    return key


def key_problem(key: str) -> str | None:
    """Why ``key`` is no idempotency key, or None."""
    if len(key) > MAX_KEY_LENGTH or re.fullmatch(KEY_PATTERN, key) is None:
        return _key_refused()
    return None


def _is_form(request: HttpRequest) -> bool:
    return request.method == "POST" and request.content_type in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    )


def _file_digest(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)  # the view reads it again
    return digest.hexdigest()


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of the method, the address and the content. A form is taken as parsed, fields and
    files (name, size, SHA-256), since a client retrying a multipart body draws a new boundary,
    and a parsed body can no longer be read raw; any other body is taken as sent."""
    content: dict[str, Any]
    if _is_form(request):
        content = {
            "fields": sorted(
                [name, request.POST.getlist(name)]
                for name in request.POST
                if name not in _NOT_CONTENT
            ),
            "files": sorted(
                [name, [[f.name, f.size, _file_digest(f)] for f in request.FILES.getlist(name)]]
                for name in request.FILES
            ),
        }
    else:
        content = {"body": hashlib.sha256(request.body).hexdigest()}
    described = json.dumps(
        [request.method, request.get_full_path(), content], sort_keys=True, ensure_ascii=True
    )
    return hashlib.sha256(described.encode()).hexdigest()


# --- The record -----------------------------------------------------------------------------


def _lock(scope: str, key: str) -> None:
    """Wait for any other request under this caller and key to finish (commit or roll back)."""
    digest = hashlib.sha256(f"{scope}\n{key}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [_LOCK_NAMESPACE, int.from_bytes(digest[:4], "big", signed=True)],
        )


def _expiry() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def _stored(scope: str, key: str) -> IdempotentRequest | None:
    """The live record of the key; an expired one not purged yet is deleted, as the purge
    would have, so the key can be recorded again."""
    row = IdempotentRequest.objects.filter(scope=scope, key=key).first()
    if row is not None and row.created_at < timezone.now() - _expiry():
        row.delete()
        return None
    return row


def _record(claim: _Claim, response: HttpResponse) -> None:
    headers = [[name, response[name]] for name in KEPT_HEADERS if response.has_header(name)]
    IdempotentRequest.objects.create(
        scope=claim.scope,
        key=claim.key,
        fingerprint=claim.fingerprint,
        status_code=response.status_code,
        # An EncryptedJSONField: the stubs see the text column under it.
        response={
            "headers": headers,
            "body": base64.b64encode(response.content).decode(),
        },
    )


def _replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(base64.b64decode(row.response["body"]), status=row.status_code)
    del response["Content-Type"]  # the stored one, or none if the first answer had none
    for name, value in row.response["headers"]:
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent_requests_purge() -> int:
    """Delete the keys older than ``IDEMPOTENCY_KEY_HOURS``; how many were deleted."""
    deleted, _ = IdempotentRequest.objects.filter(
        created_at__lt=timezone.now() - _expiry()
    ).delete()
    return deleted


# --- Answers of the middleware itself ---------------------------------------------------------


def _refusal(request: HttpRequest, status: int, *, api: bool, message: str) -> HttpResponse:
    if api:
        return JsonResponse({"detail": message}, status=status)
    if status == 422:
        # Not the generic refusal, which says to correct the form and send it again: under
        # its old key the corrected form would be refused again.
        return render(request, "selec/key_reused.html", {"reason": message}, status=status)
    return render(request, "request_refused.html", {"reasons": [message]}, status=status)


def _api_body_refusal(exc: Exception) -> HttpResponse:
    """A multipart body the fingerprint could not read, answered as the API's views answer it
    (``selec.core.api_errors``): once Django has failed to parse a body, it reads as empty."""
    answer = api_exception_handler(exc, {})
    assert answer is not None  # the handler answers every body refusal
    return JsonResponse(answer.data, status=answer.status_code)


def _still_authenticated(request: HttpRequest) -> bool:
    """Whether the API's authentication, as configured for its views, accepts the caller: a
    revoked token, or a session without its CSRF token, gets no stored answer."""
    django_user = request.__dict__.get("user")
    # A bare APIView's authenticators are the configured ones, which every API view uses.
    api_request = Request(request, authenticators=APIView().get_authenticators())
    try:
        return bool(api_request.user is not None and api_request.user.is_authenticated)
    except APIException:
        return False
    finally:
        # DRF sets the user it found on the Django request: the view authenticates afresh.
        request.user = django_user  # type: ignore[assignment]


def _server_error(request: HttpRequest) -> HttpResponse:
    if request.path_info.startswith(API_PATH_PREFIX):
        return JsonResponse({"detail": gettext("Internal error: it has been logged.")}, status=500)
    return server_error(request)


# --- The middleware ---------------------------------------------------------------------------


class IdempotencyMiddleware:
    """One transaction per write of an identified caller; keyed writes answered once.

    The transaction is opened here, around the rest of the chain; the key is looked up in
    ``process_view``, once the body is parsed and the CSRF and login checks have passed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scope = caller_scope(request) if request.method in UNSAFE_METHODS else None
        if scope is None:
            return self.get_response(request)
        setattr(request, _SCOPE_ATTRIBUTE, scope)
        return self._in_one_transaction(request)

    def _in_one_transaction(self, request: HttpRequest) -> HttpResponse:
        committed: list[bool] = []
        try:
            with transaction.atomic():
                # Registered first, so it runs first after the commit: a callback failing after
                # it cannot make the committed write look failed.
                transaction.on_commit(lambda: committed.append(True))
                response = self.get_response(request)
                response = self._decided(request, response)
        except Exception:
            if not committed:
                raise
            logger.exception(
                "After the commit of %s %s, a side effect failed; the committed answer is given",
                request.method,
                request.path,
            )
        return response

    def _decided(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """The answer, and whether the transaction commits: inside it, before its end."""
        if response.status_code >= 500:
            transaction.set_rollback(True)
            return response
        if response.status_code < 400 and transaction.get_rollback():
            # Something marked the transaction for rollback and the view answered success
            # anyway: nothing will be stored, so success would be a lie.
            logger.error(
                "%s %s answered %s after its transaction was marked for rollback",
                request.method,
                request.path,
                response.status_code,
            )
            return _server_error(request)
        claim: _Claim | None = getattr(request, _CLAIM_ATTRIBUTE, None)
        if claim is not None and response.status_code < 400:
            if isinstance(response, HttpResponse):
                _record(claim, response)
            else:
                logger.info("A streaming answer to %s %s is not kept", request.method, request.path)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        scope: str | None = getattr(request, _SCOPE_ATTRIBUTE, None)
        if scope is None:
            return None
        api = is_api_view(request, view_func)
        key = _key_of(request, api=api)
        if key is None:
            return None
        if (problem := key_problem(key)) is not None:
            if api:  # in the shape of every 400 of the API: messages by field
                return JsonResponse({"errors": {HEADER: [problem]}}, status=400)
            return _refusal(request, 400, api=api, message=problem)
        try:
            fingerprint = request_fingerprint(request)
        except (*BODY_REFUSALS, UploadRefused) as exc:
            if not api:
                raise  # a page's body was parsed, and refused, before this point
            return _api_body_refusal(exc)
        _lock(scope, key)
        row = _stored(scope, key)
        if row is None:
            setattr(request, _CLAIM_ATTRIBUTE, _Claim(scope, key, fingerprint))
            return None
        if api and not _still_authenticated(request):
            return None  # the view refuses the caller, as without a key
        if row.fingerprint != fingerprint:
            return _refusal(
                request, 422, api=api, message=_api_key_reused() if api else _page_key_reused()
            )
        return _replay(row)
