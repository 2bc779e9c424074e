"""The records of an account's life beyond the directory: the invitation that opens it, the
sessions it holds, and the reset of a lost authenticator.

An invitation keeps a digest of its link's secret, never the secret: the link is e-mailed once
(through the outbox) and shown to nobody, the administrator included.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Invitation(models.Model):
    """A one-time link that lets a new officer set a password and enrol TOTP."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    # SHA-256 of the link's secret (a random token of 32 bytes): found by it, unique.
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # Set when the officer set a password with it (the link is then spent) or when a newer
    # invitation replaced it.
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["officer"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_officer",
            )
        ]

    def __str__(self) -> str:
        return f"invitation of officer {self.officer_id}"


class OfficerSession(models.Model):
    """A signed-in session of an officer, so that they (and offboarding) can see and end it:
    Django's sessions do not say whose they are."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # What the officer's browser says it is and the address it came from (as the audit log
    # records it), for them to tell their sessions apart.
    user_agent = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["officer", "-last_seen_at"],
                condition=Q(ended_at__isnull=True),
                name="officer_open_sessions",
            )
        ]

    def __str__(self) -> str:
        return f"session of officer {self.officer_id}"


class AuthenticatorResetStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested by the officer")
    CONFIRMED = "confirmed", _("Identity confirmed by the NFP")
    REFUSED = "refused", _("Refused by the NFP")
    DONE = "done", _("Reset by an administrator")


class AuthenticatorReset(models.Model):
    """A lost authenticator: the officer asks, the NFP of its party confirms the person's
    identity, an administrator resets; the officer enrols again at the next login."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authenticator_resets"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=12,
        choices=AuthenticatorResetStatus.choices,
        default=AuthenticatorResetStatus.REQUESTED,
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["officer"],
                condition=Q(status__in=["requested", "confirmed"]),
                name="one_open_authenticator_reset_per_officer",
            )
        ]

    def __str__(self) -> str:
        return f"authenticator reset of officer {self.officer_id} ({self.status})"
