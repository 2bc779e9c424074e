"""A lost authenticator: the officer asks (with their password, from the login page), the
officer's own side confirms the person's identity (``partners.policy_lifecycle``), a directory
administrator resets: the officer's devices go, their sessions end, and the next login asks
them to enrol a new authenticator before any page (``selec.core.access``). Each step is audited
and told to the officer by e-mail."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device

from partners import policy_lifecycle
from partners.models import Officer, PartnerAuditEvent, PartnerNotificationKind
from partners.models_lifecycle import AuthenticatorReset, AuthenticatorResetStatus
from partners.selectors import officer_facts
from partners.selectors_lifecycle import (
    identity_confirmers,
    is_directory_admin,
    reset_with_facts,
    resetting_admins,
)
from partners.services.offboarding import officer_sessions_end
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers

CONFIRMATIONS_LINK = "/account/authenticator-resets/"
ADMIN_LINK = "/directory/manage/authenticator-resets/"
LOGIN_LINK = "/account/login/"


def _tell_officer(reset: AuthenticatorReset, *, step: str, title: Callable[[], str]) -> None:
    notify_officers(
        officers=[reset.officer],
        kind=PartnerNotificationKind.AUTHENTICATOR_RESET,
        title=lambda: title()[:200],
        link=LOGIN_LINK,
        object_type="partners.authenticatorreset",
        object_id=str(reset.pk),
        dedupe_key=f"authenticator-reset:{reset.pk}:{step}",
    )


@transaction.atomic
def authenticator_reset_request(*, officer: Officer) -> AuthenticatorReset:
    """Record the officer's request, or return the one already open. The caller has checked
    the officer's password (the request page authenticates them)."""
    officer = (
        Officer.objects.select_for_update(of=("self",))
        .select_related("agency__party")
        .get(pk=officer.pk)
    )
    if not policy_lifecycle.may_request_reset(
        active=officer.is_active, has_authenticator=user_has_device(officer, confirmed=True)
    ):
        raise ValidationError(
            _("You have no authenticator to replace: sign in, and you will be asked to enrol one.")
        )
    open_reset = AuthenticatorReset.objects.filter(
        officer=officer,
        status__in=[AuthenticatorResetStatus.REQUESTED, AuthenticatorResetStatus.CONFIRMED],
    ).first()
    if open_reset is not None:
        return open_reset
    reset = AuthenticatorReset.objects.create(officer=officer, requested_at=timezone.now())
    audit_record(
        actor=officer,
        action=AuditAction.COLLECTION,
        event=PartnerAuditEvent.AUTHENTICATOR_RESET_REQUESTED,
        target=reset,
        reason="authenticator reset requested",
        details={"officer": officer.username},
    )
    _tell_officer(
        reset,
        step="requested",
        title=lambda: _(
            "You asked for a new authenticator: your identity will be confirmed, then it is reset"
        ),
    )
    found = reset_with_facts(reset.pk)
    assert found is not None
    notify_officers(
        officers=identity_confirmers(found[1]),
        kind=PartnerNotificationKind.AUTHENTICATOR_RESET,
        title=lambda: (
            _("%(username)s asks for a new authenticator: confirm it is them")
            % {"username": officer.username}
        ),
        link=CONFIRMATIONS_LINK,
        object_type="partners.authenticatorreset",
        object_id=str(reset.pk),
        dedupe_key=f"authenticator-reset:{reset.pk}:to-confirm",
    )
    return reset


@transaction.atomic
def authenticator_reset_decide(
    *, actor: Officer, reset_id: int, confirm: bool, note: str = ""
) -> AuthenticatorReset:
    """The officer's own side confirms (or refuses) that the person asking is the officer. A
    request the actor may not decide answers 404, as one that does not exist."""
    found = reset_with_facts(reset_id, lock=True)
    if found is None or not policy_lifecycle.may_confirm_identity(
        officer_facts(actor), admin=is_directory_admin(actor), reset=found[1]
    ):
        raise Http404(_("No such request."))
    reset = found[0]
    reset.status = (
        AuthenticatorResetStatus.CONFIRMED if confirm else AuthenticatorResetStatus.REFUSED
    )
    reset.confirmed_by, reset.confirmed_at = actor, timezone.now()
    reset.note = note.strip()[:300]
    reset.save(update_fields=["status", "confirmed_by", "confirmed_at", "note"])
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        event=(
            PartnerAuditEvent.AUTHENTICATOR_RESET_CONFIRMED
            if confirm
            else PartnerAuditEvent.AUTHENTICATOR_RESET_REFUSED
        ),
        target=reset,
        reason="identity confirmed" if confirm else "identity not confirmed",
        details={"officer": reset.officer.username, "decided_by": actor.username},
        justification=note,
    )
    if confirm:
        _tell_officer(
            reset,
            step="confirmed",
            title=lambda: _(
                "Your identity was confirmed: an administrator will reset your authenticator"
            ),
        )
        notify_officers(
            officers=resetting_admins(exclude=[actor.pk, reset.officer_id]),
            kind=PartnerNotificationKind.AUTHENTICATOR_RESET,
            title=lambda: (
                _("Authenticator of %(username)s to reset (identity confirmed)")
                % {"username": reset.officer.username}
            ),
            link=ADMIN_LINK,
            object_type="partners.authenticatorreset",
            object_id=str(reset.pk),
            dedupe_key=f"authenticator-reset:{reset.pk}:to-reset",
        )
    else:
        _tell_officer(
            reset,
            step="refused",
            title=lambda: _(
                "Your request for a new authenticator was refused: contact your focal point"
            ),
        )
    return reset


@transaction.atomic
def authenticator_reset_carry_out(*, actor: Officer, reset_id: int) -> AuthenticatorReset:
    """Remove the officer's authenticators and backup codes and end their sessions: the next
    login enrols a new authenticator. Only a confirmed request, by an administrator who neither
    is the officer nor confirmed it."""
    found = reset_with_facts(reset_id, lock=True)
    if found is None:
        raise Http404(_("No such request."))
    reset, facts = found
    if not policy_lifecycle.may_reset(
        actor_id=actor.pk, admin=is_directory_admin(actor), reset=facts
    ):
        if facts.status == AuthenticatorResetStatus.REQUESTED:
            raise ValidationError(_("The officer's identity has not been confirmed yet."))
        if facts.status != AuthenticatorResetStatus.CONFIRMED:
            raise ValidationError(
                # Translators: status is the request's status, e.g. "refused", "done".
                _("This request was already %(status)s.") % {"status": reset.get_status_display()}
            )
        raise ValidationError(
            _(
                "You confirmed this officer's identity (or are the officer): another "
                "administrator resets."
            )
        )
    devices = list(devices_for_user(reset.officer, confirmed=None))
    for device in devices:
        device.delete()
    ended = officer_sessions_end([reset.officer_id])
    reset.status, reset.reset_by, reset.reset_at = (
        AuthenticatorResetStatus.DONE,
        actor,
        timezone.now(),
    )
    reset.save(update_fields=["status", "reset_by", "reset_at"])
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.AUTHENTICATOR_RESET,
        target=reset,
        reason="authenticator reset",
        details={
            "officer": reset.officer.username,
            "devices_removed": len(devices),
            "sessions_ended": ended,
        },
    )
    _tell_officer(
        reset,
        step="done",
        title=lambda: _("Your authenticator was reset: sign in to enrol a new one"),
    )
    return reset
