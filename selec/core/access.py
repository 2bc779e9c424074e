"""Deny by default: every view needs a verified (password + TOTP) login unless declared public.

Public views are the explicit exceptions: our own carry the :func:`public` decorator, and the
third-party ones are named in ``PUBLIC_URL_NAMES``. An officer who has logged in with the
password but has no authenticator yet may only reach the enrolment pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django_otp import user_has_device
from rest_framework.views import APIView

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

# Third-party views that must answer before login.
PUBLIC_URL_NAMES = frozenset({"two_factor:login"})
# The TOTP enrolment wizard, reachable after the password step by an officer with no device.
ENROLMENT_URL_NAMES = frozenset(
    {"two_factor:setup", "two_factor:qr", "two_factor:setup_complete", "logout"}
)


# What an officer whose access awaits confirmation may still reach: their account (with its
# state and their tokens), their notifications, and the way out. Everything else leads to the
# account page, which says what the officer waits for.
AWAITING_CONFIRMATION_URL_NAMES = frozenset(
    {
        "account",
        "api_token_issue",
        "api_token_revoke",
        "notifications",
        "notification_read",
        "notifications_read_all",
        "logout",
        # Their own security: password, sessions, language and time zone, backup codes.
        "account_password",
        "account_sessions",
        "account_session_end",
        "account_preferences",
        "account_backup_codes",
    }
)


# --- REST API: views under /api/ built on DRF authenticate the caller themselves (a token, or
# an OTP-verified session: partners.api_auth) and refuse with 401/403 JSON, not a redirect to the
# login page. Everything else under /api/ stays behind this middleware.
API_PATH_PREFIX = "/api/"


def is_api_view(request: HttpRequest, view_func: Callable[..., Any]) -> bool:
    # DRF's as_view() (APIView, @api_view, viewsets) keeps the class on ``cls``.
    view_class = getattr(view_func, "cls", None)
    return (
        request.path_info.startswith(API_PATH_PREFIX)
        and isinstance(view_class, type)
        and issubclass(view_class, APIView)
    )


def public(view: View) -> View:
    """Mark a view as reachable without logging in (login, health check)."""
    view.selec_public = True  # type: ignore[attr-defined]
    return view


def is_public(view_func: Callable[..., Any], url_name: str | None) -> bool:
    # Class-based views keep attributes on ``view_class``; function views on themselves.
    target = getattr(view_func, "view_class", view_func)
    return bool(
        getattr(target, "selec_public", False) or getattr(view_func, "selec_public", False)
    ) or (url_name in PUBLIC_URL_NAMES)


class VerifiedLoginRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        url_name = request.resolver_match.view_name if request.resolver_match else None
        if is_public(view_func, url_name) or is_api_view(request, view_func):
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        # django_otp's OTPMiddleware (before this one) gives the user is_verified().
        if user.is_verified():  # type: ignore[attr-defined]
            if getattr(user, "awaits_confirmation", False) and (
                url_name not in AWAITING_CONFIRMATION_URL_NAMES
            ):
                return redirect("account")
            return None
        if not user_has_device(user, confirmed=True):
            # First login: the password was right and no authenticator exists yet.
            if url_name in ENROLMENT_URL_NAMES:
                return None
            return redirect("two_factor:setup")
        # A session that knows the password but skipped the token: start again.
        logout(request)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The username django-axes locks out: the login wizard prefixes its fields with ``auth-``."""
    if credentials and credentials.get("username"):
        return str(credentials["username"])
    return request.POST.get("auth-username") or request.POST.get("username")
