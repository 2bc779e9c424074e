"""Officers' accounts: creating them, their assignment (agency, role, activity), their
profile, and unlocking their login."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partners import policy
from partners.api_auth import api_tokens_revoke_all
from partners.models import (
    AccessConfirmationReason,
    Agency,
    Officer,
    PartnerAuditEvent,
    Posting,
    Role,
)
from partners.services.access_confirmations import confirmation_open, confirmations_supersede
from partners.services.groups import sync_groups
from selec.core.audit import audit_record
from selec.core.models import AuditAction


@transaction.atomic
def officer_create(
    *,
    actor: Officer | None,
    username: str,
    password: str | None,
    role: Role | str,
    agency: Agency | None = None,
    posted_at: Posting | str = Posting.HQ,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str | None = None,
) -> Officer:
    """Create an officer. An officer posted at home starts with their party's language and
    time zone (``language`` given: that one instead); one posted at SELEC's headquarters with
    SELEC's working language and Bucharest's time. Each may choose on their account page."""
    officer = Officer(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        agency=agency,
        role=role,
        posted_at=posted_at,
        is_staff=role == Role.DIRECTORY_ADMIN,
    )
    if agency is not None and posted_at == Posting.HOME:
        officer.language, officer.time_zone = agency.party.language, agency.party.time_zone
    if language is not None:
        officer.language = language
    if password:
        officer.set_password(password)
    else:
        officer.set_unusable_password()
    _validate_assignment(officer)
    officer.content_access = policy.initial_content_access(officer.role)
    officer.full_clean()
    officer.save()
    sync_groups(officer)
    audit_record(
        actor=actor,
        action=AuditAction.COLLECTION,
        event=PartnerAuditEvent.OFFICER_CREATED,
        target=officer,
        reason="officer account created",
        details=_assignment_details(officer),
    )
    if officer.awaits_confirmation:
        confirmation_open(officer, reason=AccessConfirmationReason.CREATED, actor=actor)
    return officer


@transaction.atomic
def officer_update_assignment(
    *,
    actor: Officer | None,
    officer: Officer,
    role: Role | str,
    agency: Agency | None,
    posted_at: Posting | str,
    is_active: bool = True,
) -> Officer:
    """Move an officer to another agency or role, deactivate or reactivate the account.

    Groups follow. A move, a new role or a reactivation of an officer of an agency reaches
    content only once confirmed (``officer_access_decide``); until then the officer has none.
    Deactivation revokes the officer's API tokens, so a reactivation revives none of them.
    Nobody changes their own assignment.
    """
    if not policy.may_change_assignment(actor_id=getattr(actor, "pk", None), officer_id=officer.pk):
        raise PermissionDenied(
            _("Nobody changes their own role, agency or activity: another administrator must.")
        )
    before = Officer.objects.select_for_update().get(pk=officer.pk)
    reason = policy.confirmation_reason(
        was_active=before.is_active,
        is_active=is_active,
        old_agency_id=before.agency_id,
        new_agency_id=agency.pk if agency else None,
        old_role=before.role,
        new_role=str(role),
    )
    officer.agency, officer.role, officer.posted_at, officer.is_active = (
        agency,
        role,
        posted_at,
        is_active,
    )
    officer.is_staff = role == Role.DIRECTORY_ADMIN
    _validate_assignment(officer)
    if reason is not None:
        officer.content_access = policy.initial_content_access(role)
    officer.full_clean(exclude=["password"])
    officer.save(
        update_fields=["agency", "role", "posted_at", "is_active", "is_staff", "content_access"]
    )
    sync_groups(officer)
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.OFFICER_ASSIGNMENT_CHANGED,
        target=officer,
        reason="officer assignment changed",
        details=_assignment_details(officer),
    )
    if before.is_active and not is_active:
        # Once, when the account goes inactive: an inactive account gets no token and no
        # confirmation request, so saving it again has nothing to undo.
        confirmations_supersede(officer)
        api_tokens_revoke_all(actor=actor, officer=officer, reason="officer deactivated")
    elif reason is not None and officer.awaits_confirmation:
        confirmation_open(officer, reason=reason, actor=actor)
    elif reason is not None:
        confirmations_supersede(officer)
    return officer


@transaction.atomic
def officer_update_profile(
    *, actor: Officer | None, officer: Officer, first_name: str, last_name: str, email: str
) -> Officer:
    officer.first_name, officer.last_name, officer.email = first_name, last_name, email
    officer.full_clean(exclude=["password"])
    officer.save(update_fields=["first_name", "last_name", "email"])
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.OFFICER_PROFILE_UPDATED,
        target=officer,
        reason="officer profile updated",
    )
    return officer


@transaction.atomic
def officer_login_unlock(*, actor: Officer | None, officer: Officer, reason: str) -> bool:
    """Clear the failed logins that lock the officer's username out (django-axes); return
    whether there were any. Audited with the administrator's reason (why they trust that the
    failures were the officer's own), since it lets someone try passwords again."""
    from axes.utils import reset

    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the login is unlocked now.")]})
    cleared = reset(username=officer.username)
    if cleared:
        audit_record(
            actor=actor,
            action=AuditAction.ALTERATION,
            event=PartnerAuditEvent.OFFICER_LOGIN_UNLOCKED,
            target=officer,
            reason="login unlocked",
            details={"username": officer.username, "failed_attempt_records": cleared},
            justification=reason,
        )
    return bool(cleared)


def _validate_assignment(officer: Officer) -> None:
    if officer.role == Role.NFP_OFFICER and not (
        officer.agency and officer.agency.is_national_focal_point
    ):
        raise ValidationError(
            {"agency": _("An NFP officer belongs to the National Focal Point of a party.")}
        )
    if officer.role == Role.NFP_OFFICER and officer.posted_at != Posting.HOME:
        raise ValidationError(
            {"posted_at": _('An NFP officer works in their home country: choose "Home country".')}
        )
    if officer.role not in (Role.LIAISON_OFFICER, Role.NFP_OFFICER) and officer.agency_id:
        raise ValidationError(
            {"agency": _("Secretariat staff (analyst, DPO, directory admin) have no agency.")}
        )


def _assignment_details(officer: Officer) -> dict[str, Any]:
    return {
        "username": officer.username,
        "role": str(officer.role),
        "agency": officer.agency.name if officer.agency else None,
        "posted_at": str(officer.posted_at),
        "active": officer.is_active,
        "content_access": str(officer.content_access),
    }
