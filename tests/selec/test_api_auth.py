"""Who may call the API: tokens (use, expiry, revocation, last use), OTP-verified sessions,
throttling, the JSON answers to errors, and the API's place in the access middleware.

The project's API views live with the apps; here a small DRF view defined in this module is
called directly with DRF's request factory, under the project's REST_FRAMEWORK settings.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.middleware import OTPMiddleware
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from partners.api_auth import api_token_revoke
from partners.models import Officer
from partners.services.officers import officer_update_assignment
from selec.core.access import VerifiedLoginRequiredMiddleware, is_api_view
from selec.core.crypto import DecryptionError
from selec.core.models import ApiToken
from tests.helpers import issued_token, verified_client

pytestmark = pytest.mark.django_db

PATH = "/api/v1/whoami/"


class WhoAmI(APIView):
    """Answers who the caller is, under the project's default authentication and throttle."""

    def get(self, request: Request) -> Response:
        return Response(
            {
                "username": request.user.username,
                # django-otp's middleware (or the token authentication) gives the user
                # is_verified at run time; no stub declares it.
                "verified": request._request.user.is_verified(),  # type: ignore[union-attr]
                "token": request.auth.prefix if isinstance(request.auth, ApiToken) else None,
            }
        )

    def post(self, request: Request) -> Response:
        return Response({"username": request.user.username})


def _with_token(plain: str) -> Response:
    request = APIRequestFactory().get(PATH, HTTP_AUTHORIZATION=f"Token {plain}")
    return WhoAmI.as_view()(request)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


# --- tokens ----------------------------------------------------------------------------------


def test_a_token_authenticates_its_officer_as_verified(lo_ro: Officer) -> None:
    token, plain = issued_token(lo_ro)
    response = _with_token(plain)
    assert response.status_code == 200
    assert response.data == {"username": "lo.ro", "verified": True, "token": token.prefix}


@pytest.mark.parametrize(
    "header",
    ["", "Token", "Token selec_unknown", "Token not-ours", "Bearer selec_x", "Token a b"],
)
def test_a_missing_or_unknown_token_is_401_naming_the_scheme(lo_ro: Officer, header: str) -> None:
    issued_token(lo_ro)
    headers = {"Authorization": header} if header else {}
    response = WhoAmI.as_view()(APIRequestFactory().get(PATH, headers=headers))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.data) == {"detail"}


def test_an_expired_token_is_401(lo_ro: Officer) -> None:
    token, plain = issued_token(lo_ro)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _with_token(plain)
    assert response.status_code == 401
    assert response.data["detail"] == "Token expired: ask for a new one."


def test_a_revoked_token_is_401(lo_ro: Officer) -> None:
    token, plain = issued_token(lo_ro)
    assert _with_token(plain).status_code == 200
    api_token_revoke(actor=None, token=token)
    response = _with_token(plain)
    assert response.status_code == 401
    assert response.data["detail"] == "Token revoked."


def test_the_token_of_an_inactive_officer_is_401(
    directory_admin: Officer, lo_al: Officer, lo_ro: Officer
) -> None:
    _, plain = issued_token(lo_al)
    officer_update_assignment(
        actor=directory_admin,
        officer=lo_al,
        role=lo_al.role,
        agency=lo_al.agency,
        posted_at=lo_al.posted_at,
        is_active=False,
    )
    response = _with_token(plain)
    assert response.status_code == 401
    # Deactivation revoked it; a token whose officer was made inactive by other means (a
    # database edit, say) is refused too.
    assert response.data["detail"] == "Token revoked."
    _, other = issued_token(lo_ro)
    Officer.objects.filter(pk=lo_ro.pk).update(is_active=False)
    response = _with_token(other)
    assert response.status_code == 401
    assert "not active" in response.data["detail"]


def test_last_use_is_recorded_and_not_rewritten_within_a_minute(
    lo_ro: Officer, django_assert_num_queries: Callable[..., Any]
) -> None:
    token, plain = issued_token(lo_ro)
    before = timezone.now()
    _with_token(plain)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    assert first_use >= before
    with django_assert_num_queries(1):  # the look-up only: no write while fresh
        assert _with_token(plain).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first_use


def test_last_use_is_rewritten_after_a_minute(lo_ro: Officer) -> None:
    token, plain = issued_token(lo_ro)
    long_ago = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    _with_token(plain)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > long_ago


# --- sessions --------------------------------------------------------------------------------


def _with_session(client: Client, *, method: str = "get", csrf: bool = False) -> Response:
    """Send the client's session cookie through the session, auth and OTP middleware."""
    factory = APIRequestFactory(enforce_csrf_checks=csrf)
    request = getattr(factory, method)(PATH)
    request.COOKIES[settings.SESSION_COOKIE_NAME] = client.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    # The stubs type a middleware's __call__ for both sync and async modes; built around a sync
    # view, this stack is sync and passes the view's Response through.
    stack = SessionMiddleware(AuthenticationMiddleware(OTPMiddleware(WhoAmI.as_view())))  # type: ignore[arg-type]
    response = stack(request)
    assert isinstance(response, Response)
    return response


def test_an_otp_verified_session_may_call_the_api(client: Client, lo_ro: Officer) -> None:
    response = _with_session(verified_client(client, lo_ro))
    assert response.status_code == 200
    assert response.data == {"username": "lo.ro", "verified": True, "token": None}


def test_a_session_without_the_totp_step_is_refused(client: Client, lo_ro: Officer) -> None:
    client.force_login(lo_ro)  # password accepted, TOTP never given
    response = _with_session(client)
    assert response.status_code == 401
    assert "Two-factor verification required" in response.data["detail"]


def test_a_session_must_send_the_csrf_token_to_write(client: Client, lo_ro: Officer) -> None:
    response = _with_session(verified_client(client, lo_ro), method="post", csrf=True)
    assert response.status_code == 403
    assert "CSRF" in response.data["detail"]


# --- throttling ------------------------------------------------------------------------------


@pytest.fixture
def two_per_minute(settings) -> None:
    # DRF reloads its settings when Django's change (the setting_changed signal).
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "2/minute"},
    }


def test_a_token_over_the_rate_gets_429_with_retry_after(two_per_minute, lo_ro: Officer) -> None:
    _, plain = issued_token(lo_ro)
    _, other = issued_token(lo_ro)
    assert [_with_token(plain).status_code for _ in range(2)] == [200, 200]
    response = _with_token(plain)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.data["detail"]
    # Counted per token: the officer's other token is not held back.
    assert _with_token(other).status_code == 200


def test_a_session_over_the_rate_gets_429(two_per_minute, client: Client, lo_ro: Officer) -> None:
    verified_client(client, lo_ro)
    assert [_with_session(client).status_code for _ in range(3)] == [200, 200, 429]


def test_the_default_rate_is_documented_and_configurable() -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"] == settings.API_THROTTLE_RATE
    assert "API_THROTTLE_RATE" in (settings.BASE_DIR / "README.md").read_text()


# --- error answers ---------------------------------------------------------------------------


class Raising(APIView):
    """Raises what it is given, as a service or selector would."""

    error: Exception | None = None

    def get(self, request: Request) -> Response:
        assert self.error is not None
        raise self.error


class NeedsSubject(serializers.Serializer):
    subject = serializers.CharField(max_length=10)


class Validating(APIView):
    def post(self, request: Request) -> Response:
        NeedsSubject(data=request.data).is_valid(raise_exception=True)
        return Response(status=204)


def _raise(error: Exception, officer: Officer) -> Response:
    request = APIRequestFactory().get(PATH)
    force_authenticate(request, user=officer)
    return Raising.as_view(error=error)(request)


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (
            DjangoValidationError({"recipients": ["An observer receives no personal data."]}),
            400,
            {"errors": {"recipients": ["An observer receives no personal data."]}},
        ),
        (
            DjangoValidationError("H2: forwarding needs the provider's consent."),
            400,
            {"errors": {"non_field_errors": ["H2: forwarding needs the provider's consent."]}},
        ),
        (
            DjangoValidationError({"__all__": ["Nothing to send."], "body": ["Required."]}),
            400,
            {"errors": {"non_field_errors": ["Nothing to send."], "body": ["Required."]}},
        ),
        (
            DjangoPermissionDenied("Only the provider may loosen the restrictions."),
            403,
            {"detail": "Only the provider may loosen the restrictions."},
        ),
        (
            DjangoPermissionDenied(),
            403,
            {"detail": "You do not have permission to perform this action."},
        ),
        (Http404("SELEC-2026-000001 is someone else's"), 404, {"detail": "Not found."}),
    ],
)
def test_service_exceptions_become_json_answers(
    lo_ro: Officer, error: Exception, status: int, body: dict[str, Any]
) -> None:
    response = _raise(error, lo_ro)
    assert response.status_code == status
    assert response.data == body


def test_serializer_errors_have_the_same_shape_as_service_errors(lo_ro: Officer) -> None:
    request = APIRequestFactory().post(PATH, {"subject": "far too long a subject"})
    force_authenticate(request, user=lo_ro)
    response = Validating.as_view()(request)
    assert response.status_code == 400
    assert list(response.data) == ["errors"]
    assert list(response.data["errors"]) == ["subject"]


def test_a_body_that_does_not_parse_is_400_in_the_same_shape(lo_ro: Officer) -> None:
    request = APIRequestFactory().post(PATH, "g<Xqs$", content_type="application/json")
    force_authenticate(request, user=lo_ro)
    response = Validating.as_view()(request)
    assert response.status_code == 400
    assert list(response.data) == ["errors"]
    assert "JSON parse error" in response.data["errors"]["non_field_errors"][0]


def test_undecryptable_content_is_409(lo_ro: Officer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="selec.api"):
        response = _raise(DecryptionError("unknown key id"), lo_ro)
    assert response.status_code == 409
    assert "cannot be decrypted" in response.data["detail"]
    assert "could not be decrypted" in caplog.text


def test_a_bug_is_logged_and_answered_500_json(
    lo_ro: Officer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="selec.api"):
        response = _raise(ZeroDivisionError("a real bug"), lo_ro)
    assert response.status_code == 500
    assert response.data["detail"] == "Internal error: it has been logged."
    assert "request_id" in response.data
    assert "ZeroDivisionError" in caplog.text
    assert "a real bug" not in str(response.data)


def test_drf_own_errors_keep_their_answers(lo_ro: Officer) -> None:
    request = APIRequestFactory().delete(PATH)
    force_authenticate(request, user=lo_ro)
    response = WhoAmI.as_view()(request)
    assert response.status_code == 405
    assert response.data == {"detail": 'Method "DELETE" not allowed.'}


def test_only_json_is_rendered() -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] == [
        "rest_framework.renderers.JSONRenderer"
    ]


# --- the access middleware -------------------------------------------------------------------


@api_view(["GET"])
def function_api_view(request: Request) -> Response:
    return Response({})


def plain_django_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("page")


@pytest.mark.parametrize(
    ("path", "view", "expected"),
    [
        ("/api/v1/whoami/", WhoAmI.as_view(), True),
        ("/api/v1/fn/", function_api_view, True),
        ("/exchanges/whoami/", WhoAmI.as_view(), False),  # DRF outside /api/: behind login
        ("/api/v1/page/", plain_django_view, False),  # not DRF under /api/: behind login
    ],
)
def test_only_drf_views_under_api_answer_for_themselves(
    path: str, view: Callable[..., HttpResponse], expected: bool
) -> None:
    assert is_api_view(RequestFactory().get(path), view) is expected


def test_the_middleware_lets_an_anonymous_api_call_reach_drf_and_redirects_pages() -> None:
    middleware = VerifiedLoginRequiredMiddleware(lambda request: HttpResponse())
    cases: list[tuple[str, Callable[..., HttpResponse], int | None]] = [
        ("/api/v1/whoami/", WhoAmI.as_view(), None),
        ("/api/v1/page/", plain_django_view, 302),
    ]
    for path, view, expected in cases:
        request = RequestFactory().get(path)
        request.user = AnonymousUser()
        request.resolver_match = None
        answer = middleware.process_view(request, view, (), {})
        assert (answer.status_code if answer else None) == expected


# --- through the whole stack -------------------------------------------------------------------

DIRECTORY = "/api/v1/parties/"  # any route of the API: the read-only directory


def test_a_token_opens_the_api_through_the_whole_middleware_stack(
    client: Client, lo_ro: Officer
) -> None:
    token, plain = issued_token(lo_ro)
    response = client.get(DIRECTORY, HTTP_AUTHORIZATION=f"Token {plain}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Request-ID"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_whole_stack_refuses_in_json_without_redirecting(
    client: Client, lo_ro: Officer
) -> None:
    response = client.get(DIRECTORY)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    client.force_login(lo_ro)  # password only
    response = client.get(DIRECTORY)
    assert response.status_code == 401
    assert "Two-factor verification required" in response.json()["detail"]
    verified_client(client, lo_ro)
    assert client.get(DIRECTORY).status_code == 200
