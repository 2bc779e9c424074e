"""The confirmation an officer's new assignment waits for before it reaches any content:
opened by the officers' services, decided by the National Focal Point (or a colleague with
access), or by the operator for a party's first officers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from partners import policy
from partners.models import (
    AccessConfirmation,
    AccessConfirmationReason,
    AccessConfirmationStatus,
    ContentAccess,
    Officer,
    PartnerAuditEvent,
    PartnerNotificationKind,
)
from partners.selectors import (
    confirmation_with_facts,
    officer_facts,
    officers_concerned,
    officers_who_decide,
)
from partners.services.groups import sync_groups
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers


def confirmations_supersede(officer: Officer) -> None:
    """Close the officer's undecided confirmation: a new assignment or a deactivation makes it
    moot. Runs in the caller's transaction, as ``confirmation_open`` does."""
    AccessConfirmation.objects.filter(
        officer=officer, status=AccessConfirmationStatus.PENDING
    ).update(status=AccessConfirmationStatus.SUPERSEDED, decided_at=timezone.now())


def confirmation_open(
    officer: Officer, *, reason: AccessConfirmationReason, actor: Officer | None
) -> AccessConfirmation:
    """Open the confirmation the officer's new assignment waits for, replacing an undecided
    one, and tell those concerned: the officers of the agency and the NFP of the party."""
    assert officer.agency is not None
    confirmations_supersede(officer)
    confirmation = AccessConfirmation.objects.create(
        officer=officer,
        agency=officer.agency,
        role=officer.role,
        reason=reason,
        requested_by=actor if getattr(actor, "pk", None) else None,
        requested_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.COLLECTION,
        event=PartnerAuditEvent.ACCESS_CONFIRMATION_REQUESTED,
        target=confirmation,
        reason="access confirmation requested",
        details={
            "officer": officer.username,
            "agency": officer.agency.name,
            "party": officer.agency.party.code,
            "role": str(officer.role),
            "why": str(reason),
            "requested_by": getattr(actor, "username", "") or "system",
        },
    )
    notify_officers(
        # The officer awaits confirmation, so officers_concerned (access confirmed) leaves
        # them out.
        officers=officers_who_decide(confirmation)
        | officers_concerned(agency_ids=[officer.agency.pk]),
        kind=PartnerNotificationKind.ACCESS_CONFIRMATION,
        title=lambda: _awaiting_title(officer),
        link="/account/confirmations/",
        object_type="partners.accessconfirmation",
        object_id=str(confirmation.pk),
        dedupe_key=f"access-confirmation-requested:{confirmation.pk}",
    )
    return confirmation


@transaction.atomic
def officer_access_decide(
    *, actor: Officer, confirmation_id: int, confirm: bool, note: str = ""
) -> AccessConfirmation:
    """The NFP (or, for a party without one, a colleague with access) confirms or refuses an
    officer's new assignment. A confirmation the actor may not decide answers 404, as one that
    does not exist."""
    found = confirmation_with_facts(confirmation_id, lock=True)
    if found is None or not policy.may_confirm(officer_facts(actor), found[1]):
        raise Http404(_("No such access confirmation."))
    confirmation = found[0]
    if confirmation.status != AccessConfirmationStatus.PENDING:
        raise ValidationError(
            {
                "status": [
                    # Translators: status is the request's status, e.g. "confirmed", "refused".
                    _("This request was already %(status)s.")
                    % {"status": confirmation.get_status_display().lower()}
                ]
            }
        )
    return _confirmation_decide(confirmation, actor=actor, confirm=confirm, note=note)


@transaction.atomic
def officer_access_confirm_by_operator(*, officer: Officer, note: str) -> AccessConfirmation:
    """From the command line, for the first officers of a party: confirm where no officer
    could (``policy.may_confirm_as_operator``), audited as the operator's decision."""
    confirmation = (
        AccessConfirmation.objects.select_for_update(of=("self",))
        .select_related("officer", "agency__party", "requested_by")
        .filter(officer=officer, status=AccessConfirmationStatus.PENDING)
        .first()
    )
    if confirmation is None:
        raise ValidationError(
            _("%(username)s has no access awaiting confirmation.") % {"username": officer.username}
        )
    if not policy.may_confirm_as_operator(
        someone_can_decide=officers_who_decide(confirmation).exists()
    ):
        raise PermissionDenied(
            _(
                "%(username)s's access is confirmed by the National Focal Point of %(party)s "
                "or a colleague with access, not by the operator."
            )
            % {"username": officer.username, "party": confirmation.agency.party.code}
        )
    if not note.strip():
        raise ValidationError(_("Say why the operator confirms (e.g. the party's first officer)."))
    return _confirmation_decide(confirmation, actor=None, confirm=True, note=note)


def _confirmation_decide(
    confirmation: AccessConfirmation, *, actor: Officer | None, confirm: bool, note: str
) -> AccessConfirmation:
    officer = (
        Officer.objects.select_for_update(of=("self",))
        .select_related("agency__party")
        .get(pk=confirmation.officer_id)
    )
    confirmation.status = (
        AccessConfirmationStatus.CONFIRMED if confirm else AccessConfirmationStatus.REFUSED
    )
    confirmation.decided_by, confirmation.decided_at = actor, timezone.now()
    confirmation.note = note.strip()[:300]
    confirmation.save(update_fields=["status", "decided_by", "decided_at", "note"])
    officer.content_access = ContentAccess.CONFIRMED if confirm else ContentAccess.REFUSED
    officer.save(update_fields=["content_access"])
    sync_groups(officer)
    audit_record(
        actor=actor,
        action=AuditAction.GRANT if confirm else AuditAction.ALTERATION,
        event=PartnerAuditEvent.ACCESS_CONFIRMED if confirm else PartnerAuditEvent.ACCESS_REFUSED,
        target=confirmation,
        reason="access confirmed" if confirm else "access refused",
        details={
            "officer": officer.username,
            "agency": confirmation.agency.name,
            "role": confirmation.role,
            "why": confirmation.reason,
            "requested_by": (
                confirmation.requested_by.username if confirmation.requested_by else "system"
            ),
            "decided_by": actor.username if actor else "operator",
        },
        justification=note,
    )
    if actor is not None:
        # The operator confirms the first officer of a party before anyone has signed in: there
        # is nobody to tell yet. An officer's decision is told to the subject and the requester.
        def title() -> str:
            args = {"username": officer.username, "agency": confirmation.agency.name}
            if confirm:
                return (_("Access of %(username)s to %(agency)s confirmed") % args)[:200]
            return (_("Access of %(username)s to %(agency)s refused") % args)[:200]

        notify_officers(
            officers=Officer.objects.filter(
                pk__in=[officer.pk, confirmation.requested_by_id or officer.pk]
            ),
            kind=PartnerNotificationKind.ACCESS_CONFIRMATION,
            title=title,
            link="/account/",
            object_type="partners.accessconfirmation",
            object_id=str(confirmation.pk),
            dedupe_key=f"access-confirmation-decided:{confirmation.pk}",
        )
    return confirmation


def _awaiting_title(officer: Officer) -> str:
    """The notice of an officer awaiting confirmation, in the active language."""
    # Translators: role is e.g. "police officer", agency the name of the officer's agency.
    text = _("%(name)s (%(username)s) awaits confirmation of access as %(role)s of %(agency)s")
    return (
        text
        % {
            "name": officer.get_full_name() or officer.username,
            "username": officer.username,
            "role": officer.get_role_display().lower(),
            "agency": officer.agency.name if officer.agency else "",
        }
    )[:200]
