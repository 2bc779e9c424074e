"""Offboarding: an officer, a whole agency or a whole party leaves SELEC Exchange.

The accounts are deactivated (through ``officer_update_assignment``, the one path that
deactivates: it revokes the API tokens for good and drops pending access confirmations, and a
later reactivation waits for the NFP's confirmation again), their sessions end at once, and the
apps above partners remove their task-force and case memberships (``partners.offboarding``).
What they sent stays, owned by their agency. A closed agency keeps its exchanges and receipts:
the NFP of its party still sees them, open requests included.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners import policy_lifecycle
from partners.models import Agency, Officer, PartnerAuditEvent, PartnerNotificationKind, Party
from partners.models_lifecycle import OfficerSession
from partners.offboarding import memberships_remove
from partners.selectors_lifecycle import active_officers_of, is_directory_admin, nfp_officers_of
from partners.services.officers import officer_update_assignment
from partners.sessions import sessions_end
from selec.core.audit import audit_record
from selec.core.models import ApiToken, AuditAction
from selec.core.notifications import notify_officers


def officer_sessions_end(officer_ids: list[int]) -> int:
    """End the officers' open sessions now (``partners.sessions``): the cookie then opens
    nothing. An inactive officer's session is refused on every request anyway
    (``partners.auth``); this removes it rather than waiting for the request."""
    return sessions_end(
        OfficerSession.objects.filter(officer_id__in=officer_ids), when=timezone.now()
    )


def _require_admin(actor: Officer, officer_id: int | None = None) -> None:
    if not policy_lifecycle.may_offboard(
        actor_id=actor.pk, admin=is_directory_admin(actor), officer_id=officer_id
    ):
        raise PermissionDenied(_("Only another directory administrator offboards an officer."))


def _reason_required(reason: str) -> str:
    if not reason.strip():
        raise ValidationError(
            {"reason": [_("Say why (e.g. the officer left the post on 1 June).")]}
        )
    return reason.strip()


def _offboard(*, actor: Officer, officer: Officer, reason: str) -> dict[str, int]:
    """Deactivate one officer and remove what they held; write officer.offboarded."""
    tokens_before = ApiToken.objects.filter(officer=officer, revoked_at__isnull=True).count()
    officer_update_assignment(
        actor=actor,
        officer=officer,
        role=officer.role,
        agency=officer.agency,
        posted_at=officer.posted_at,
        is_active=False,
    )
    removed = {
        "sessions_ended": officer_sessions_end([officer.pk]),
        "api_tokens_revoked": tokens_before,
        **memberships_remove([officer.pk]),
    }
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.OFFICER_OFFBOARDED,
        target=officer,
        reason="officer offboarded",
        details={"username": officer.username, **removed},
        justification=reason,
    )
    return removed


def _tell_nfp(
    *, party_id: int | None, title: Callable[[], str], object_type: str, object_id: int
) -> None:
    if party_id is None:
        return
    notify_officers(
        officers=nfp_officers_of(party_id),
        kind=PartnerNotificationKind.ACCOUNT_CLOSED,
        title=lambda: title()[:200],
        link="/",
        object_type=object_type,
        object_id=str(object_id),
        dedupe_key=f"account-closed:{object_type}:{object_id}",
    )


@transaction.atomic
def officer_offboard(*, actor: Officer, officer: Officer, reason: str) -> dict[str, int]:
    """Offboard one officer; the NFP officers of their party are told."""
    _require_admin(actor, officer.pk)
    reason = _reason_required(reason)
    officer = (
        Officer.objects.select_for_update(of=("self",))
        .select_related("agency__party")
        .get(pk=officer.pk)
    )
    if not officer.is_active:
        raise ValidationError(_("This account is already inactive."))
    removed = _offboard(actor=actor, officer=officer, reason=reason)
    _tell_nfp(
        party_id=officer.agency.party_id if officer.agency else None,
        title=lambda: _("Account of %(username)s closed") % {"username": officer.username},
        object_type="partners.officer",
        object_id=officer.pk,
    )
    return removed


def _close(*, actor: Officer, agency: Agency, reason: str) -> int:
    """Close one agency and offboard its active officers; write agency.closed."""
    agency.closed_at = timezone.now()
    agency.save(update_fields=["closed_at"])
    officers = list(active_officers_of(agency_ids=[agency.pk]).select_for_update(of=("self",)))
    for officer in officers:
        _offboard(actor=actor, officer=officer, reason=reason)
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.AGENCY_CLOSED,
        target=agency,
        reason="agency closed",
        details={"agency": agency.name, "party": agency.party.code, "officers": len(officers)},
        justification=reason,
    )
    return len(officers)


@transaction.atomic
def agency_close(*, actor: Officer, agency: Agency, reason: str) -> int:
    """Close an agency (not its party's National Focal Point, which closes with the party);
    return how many officers were offboarded. The NFP officers of the party are told: the
    agency's open requests are now theirs to see to."""
    _require_admin(actor)
    reason = _reason_required(reason)
    agency = (
        Agency.objects.select_for_update(of=("self",)).select_related("party").get(pk=agency.pk)
    )
    if agency.closed_at is not None:
        raise ValidationError(_("This agency is already closed."))
    if not policy_lifecycle.may_close_agency(
        is_national_focal_point=agency.is_national_focal_point, whole_party=False
    ):
        raise ValidationError(
            _("The National Focal Point closes only with its whole party: offboard the party.")
        )
    count = _close(actor=actor, agency=agency, reason=reason)
    _tell_nfp(
        party_id=agency.party_id,
        title=lambda: (
            _("%(agency)s closed: its open requests are shown to you") % {"agency": agency.name}
        ),
        object_type="partners.agency",
        object_id=agency.pk,
    )
    return count


@transaction.atomic
def party_offboard(*, actor: Officer, party: Party, reason: str) -> int:
    """Close every open agency of a party, its NFP included; return how many officers were
    offboarded. Its status (member, former...) is changed apart, with its own preview."""
    _require_admin(actor)
    reason = _reason_required(reason)
    party = Party.objects.select_for_update(of=("self",)).get(pk=party.pk)
    agencies = list(
        party.agencies.filter(closed_at__isnull=True).select_related("party").order_by("pk")
    )
    if not agencies:
        raise ValidationError(_("Every agency of this party is already closed."))
    count = sum(_close(actor=actor, agency=agency, reason=reason) for agency in agencies)
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.PARTY_OFFBOARDED,
        target=party,
        reason="party offboarded",
        details={"party": party.code, "agencies": len(agencies), "officers": count},
        justification=reason,
    )
    return count
