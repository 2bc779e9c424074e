"""Invitations: the one-time link with which a new officer sets a password and enrols TOTP.

The link's secret is e-mailed once through the outbox and kept nowhere else: the database holds
its SHA-256 digest, the administrator is told only that it was sent. The account cannot be used
before the officer follows the link (it is created with no usable password, which the login
refuses) and the link sets the password and the authenticator together, or neither.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners import policy_onboarding
from partners.models import Agency, Invitation, Officer, PartnerAuditEvent, Party, Posting, Role
from partners.services.officers import officer_create
from selec.core.audit import audit_record
from selec.core.models import AuditAction, OutboxMessage
from selec.core.notifications import in_language_of
from selec.core.tasks import relay_outbox


class InvitationUnusable(Exception):
    """The link is unknown, expired, used or replaced; the page says no more than that."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def officer_invite_new(
    *,
    actor: Officer,
    party: Party,
    agency: Agency,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: Role | str,
    posted_at: Posting | str,
) -> Officer:
    """Create an officer of one of ``party``'s agencies, with no usable password, and send the
    invitation; the officer's access to content waits for the NFP's confirmation
    (``officer_create`` opens it)."""
    if agency.party_id != party.pk or agency.closed_at is not None:
        raise ValidationError(
            {"agency": _("Choose one of the open agencies of %(party)s.") % {"party": party.code}}
        )
    if not email:
        raise ValidationError({"email": _("The invitation is sent to this address: give one.")})
    officer = officer_create(
        actor=actor,
        username=username,
        password=None,
        role=role,
        agency=agency,
        posted_at=posted_at,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    invitation_send(actor=actor, officer=officer)
    return officer


@transaction.atomic
def invitation_send(*, actor: Officer, officer: Officer) -> Invitation:
    """Send ``officer`` a new link, revoking the open one: only the newest link works."""
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    if not policy_onboarding.may_invite(
        is_active=officer.is_active, has_usable_password=officer.has_usable_password()
    ):
        raise ValidationError(
            _("This account was already opened (or is inactive): it gets no invitation.")
        )
    if not officer.email:
        raise ValidationError({"email": _("The officer has no e-mail address to invite.")})
    now = timezone.now()
    revoked = Invitation.objects.filter(
        officer=officer, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        officer=officer,
        token_digest=token_digest(token),
        created_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(hours=settings.INVITATION_HOURS),
    )
    with in_language_of(officer):  # the new officer's, not the administrator's
        subject, body = _invitation_email(officer, token, invitation.expires_at)
    OutboxMessage.objects.create(
        to=officer.email,
        subject=subject,
        body=body,
        dedupe_key=f"invitation:{invitation.pk}",
        created_at=now,
    )
    relay_outbox.delay_once_on_commit()
    audit_record(
        actor=actor,
        action=AuditAction.COLLECTION,
        event=PartnerAuditEvent.OFFICER_INVITED,
        target=officer,
        reason="invitation sent" if not revoked else "invitation sent again",
        details={"invitation": invitation.pk, "expires_at": invitation.expires_at.isoformat()},
    )
    return invitation


def invitation_find(token: str) -> Invitation:
    """The invitation a link names, if it can still be used; else ``InvitationUnusable``."""
    invitation = (
        Invitation.objects.select_related("officer")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if invitation is None or not _usable(invitation):
        raise InvitationUnusable
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, totp_key: str, totp_code: str) -> Officer:
    """Spend the invitation: set the officer's password and enrol their authenticator (the
    hex ``totp_key`` the page showed, proven by a current ``totp_code``). Either both or, on a
    ``ValidationError`` (keyed ``password`` or ``totp_code``), nothing."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("officer")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if invitation is None or not _usable(invitation):
        raise InvitationUnusable
    officer = invitation.officer
    try:
        validate_password(password, officer)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    # Whatever device an earlier, abandoned enrolment left is replaced by the one proven now.
    TOTPDevice.objects.filter(user=officer).delete()
    device = TOTPDevice.objects.create(user=officer, name="default", key=totp_key, confirmed=True)
    # django-otp's own check (tolerance of one step, no code used twice): a failure raises,
    # and the transaction takes the device back.
    if not (totp_code.isdigit() and device.verify_token(totp_code)):
        raise ValidationError(
            {"totp_code": _("This code does not match: enter the code your app shows now.")}
        )
    officer.set_password(password)
    officer.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.INVITATION_ACCEPTED,
        target=officer,
        reason="invitation accepted: password set and authenticator enrolled",
        details={"invitation": invitation.pk},
    )
    return officer


def _usable(invitation: Invitation) -> bool:
    officer = invitation.officer
    return policy_onboarding.invitation_usable(
        used_at=invitation.used_at,
        revoked_at=invitation.revoked_at,
        expires_at=invitation.expires_at,
        now=timezone.now(),
        officer_active=officer.is_active,
        officer_has_password=officer.has_usable_password(),
    )


def _invitation_email(officer: Officer, token: str, expires_at: dt.datetime) -> tuple[str, str]:
    url = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token])
    # Translators: e-mail body; expires is a date and time such as "2026-05-04 13:20".
    body = _(
        "An account on SELEC Exchange was opened for you (username: %(username)s).\n\n"
        "Open this link before %(expires)s UTC to choose your password and link "
        "the authenticator app of your phone; the link works once:\n\n"
        "%(link)s\n\n"
        "If you did not expect this message, ignore it and tell your administrator.\n"
    ) % {"username": officer.username, "expires": f"{expires_at:%Y-%m-%d %H:%M}", "link": url}
    # "SELEC Exchange", the product's name, is not translated.
    return f"[SELEC Exchange] {_('Your invitation')}", body
