"""Who calls the REST API: personal API tokens and OTP-verified browser sessions.

A token is ``selec_`` followed by 43 random URL-safe characters. Only its SHA-256 is stored
(unique, so a token is found by the hash of what the caller sends, and nothing secret is
compared); ``prefix`` keeps its first characters so people can tell tokens apart. Nobody
obtains a credential for someone else: an officer issues their own tokens, from their account
page, after entering a fresh code from their authenticator; a directory admin may only revoke.
A token expires after 90 days by default; deactivating its officer revokes it. A token counts
as its own second factor: requests it authenticates are OTP-verified
(``request.user.is_verified()`` is True), as a browser session is after the TOTP step. An
officer whose access awaits confirmation (``partners.policy``) is refused by the API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.request import Request

from partners.models import Officer, PartnerAuditEvent
from selec.core.audit import audit_record
from selec.core.models import ApiToken, AuditAction

TOKEN_PREFIX = "selec_"  # noqa: S105 (the marker every token starts with, not a secret)
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365
# How many characters of the token are kept in clear: "selec_" and 6 random ones.
DISPLAY_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
# last_used_at is written at most this often per token, so a busy token costs no extra writes.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def totp_code_accepted(officer: Officer, code: str) -> bool:
    """Whether ``code`` is a current code of one of the officer's confirmed authenticators. A
    code is accepted once (django-otp remembers the last step used), so it must be fresh."""
    code = code.strip()
    if not (code.isdigit() and len(code) in (6, 8)):
        return False
    return any(
        device.verify_token(code)
        for device in TOTPDevice.objects.devices_for_user(officer, confirmed=True)
    )


def api_token_issue(
    *, officer: Officer, totp_code: str, days: int = DEFAULT_TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """Issue a token to ``officer`` themselves, after a fresh code from their authenticator;
    the plain token is returned here and never again.

    The code is checked before, and outside, the transaction that creates the token: django-otp
    records a wrong code on the device (its throttle against guessing), and that record must
    stay when the refusal is raised, not be rolled back with it. Call it outside any transaction
    that a ValidationError would roll back: the account page runs in the request's
    transaction, which only a 5xx answer rolls back (selec.core.idempotency)."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(
            {"days": _("A token lasts from 1 to %(max)d days.") % {"max": MAX_TOKEN_DAYS}}
        )
    if not officer.is_active:
        raise ValidationError({"officer": _("Tokens are issued to active officers only.")})
    if not totp_code_accepted(officer, totp_code):
        raise ValidationError(
            {"totp_code": _("Enter a new code from your authenticator app (each code works once).")}
        )
    return _api_token_create(officer=officer, days=days)


@transaction.atomic
def _api_token_create(*, officer: Officer, days: int) -> tuple[ApiToken, str]:
    """The token and its audit event, together or not at all."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        officer=officer,
        key_hash=hash_token(plain),
        prefix=plain[:DISPLAY_PREFIX_LENGTH],
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=officer,
        action=AuditAction.GRANT,
        event=PartnerAuditEvent.API_TOKEN_ISSUED,
        target=token,
        reason="API token issued",
        details={
            "officer": officer.username,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, plain


@transaction.atomic
def api_token_revoke(
    *, actor: Officer | None, token: ApiToken, reason: str = "API token revoked"
) -> ApiToken:
    """Revoke a token at once; revoking a revoked token changes nothing and records nothing."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        audit_record(
            actor=actor,
            action=AuditAction.ALTERATION,
            event=PartnerAuditEvent.API_TOKEN_REVOKED,
            target=token,
            reason=reason,
            details={"officer_id": token.officer_id, "prefix": token.prefix},
        )
    return token


def api_tokens_revoke_all(*, actor: Officer | None, officer: Officer, reason: str) -> int:
    """Revoke every live token of ``officer`` (deactivation): one audit event per token.
    Runs inside the caller's transaction."""
    revoked = 0
    for token in ApiToken.objects.filter(officer=officer, revoked_at__isnull=True):
        api_token_revoke(actor=actor, token=token, reason=reason)
        revoked += 1
    return revoked


AWAITING_CONFIRMATION = gettext_lazy(
    "Your access to exchange content awaits confirmation by the National Focal Point of your "
    "party (see your account page)."
)


def _refuse_unconfirmed(officer: Officer) -> None:
    """Every API operation answers an officer whose access awaits confirmation (or was refused)
    with 403, whatever the token or session: the rule the pages follow too. Checked here, in
    authentication, so that no view's own permission classes can leave it out."""
    if officer.awaits_confirmation:
        raise exceptions.PermissionDenied(AWAITING_CONFIRMATION)


def _verified_by_token(officer: Officer) -> Officer:
    """Mark the officer OTP-verified the way django-otp's middleware does for a session: the
    token was issued after a password + TOTP login, so it stands for both factors."""
    officer.otp_device = None  # type: ignore[attr-defined]
    officer.is_verified = lambda: True  # type: ignore[attr-defined]
    return officer


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token selec_...``. Answers 401 with the reason when the token is
    unknown, expired or revoked, or its officer is inactive."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Officer, ApiToken]:
        token = (
            ApiToken.objects.select_related("officer__agency__party")
            .filter(key_hash=hash_token(key))
            .first()
            if key.startswith(TOKEN_PREFIX)
            else None
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Token revoked."))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("Token expired: ask for a new one."))
        if not token.officer.is_active:
            raise exceptions.AuthenticationFailed(_("The officer of this token is not active."))
        _refuse_unconfirmed(token.officer)
        stale = now - LAST_USED_RESOLUTION
        if token.last_used_at is None or token.last_used_at < stale:
            # Conditional, so concurrent requests write once and a fresh token not at all.
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
            ).update(last_used_at=now)
            token.last_used_at = now
        return _verified_by_token(token.officer), token


class VerifiedSessionAuthentication(SessionAuthentication):
    """A browser session may call the API only after the TOTP step (CSRF still enforced)."""

    def authenticate(self, request: Request) -> tuple[Officer, None] | None:
        user = getattr(request._request, "user", None)
        if not user or not user.is_active:
            return None
        is_verified = getattr(user, "is_verified", None)
        if not (callable(is_verified) and is_verified()):
            raise exceptions.AuthenticationFailed(
                _(
                    "Two-factor verification required: log in with your authenticator code, "
                    "or use an API token."
                )
            )
        self.enforce_csrf(request)
        _refuse_unconfirmed(user)
        return (user, None)
