"""Who confirms an officer's access to content: the one place this is decided.

Separation of duties: directory administrators create accounts, move officers and change
roles, but never decide that an account reaches exchange content. That decision belongs to the
officer's own side: the National Focal Point of the officer's party; for a party whose NFP has
no officer with access yet, an officer of the same agency who already has access. Nobody
decides on their own account or on a change they asked for. Only when neither exists (the first
officers of a new party) may the operator confirm from the command line, audited as such.

Pure functions over plain facts, like ``exchanges.policy``; services and tests ask the same
questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from partners.models import ROLES_OF_AN_AGENCY, AccessConfirmationReason, ContentAccess, Role


@dataclass(frozen=True)
class OfficerFacts:
    """An officer as a confirmer: where they stand and whether they have access themselves."""

    id: int
    role: str
    agency_id: int | None
    party_id: int | None
    active: bool
    content_confirmed: bool

    @property
    def has_access(self) -> bool:
        return self.active and self.agency_id is not None and self.content_confirmed


@dataclass(frozen=True)
class ConfirmationFacts:
    officer_id: int
    requested_by_id: int | None
    agency_id: int
    party_id: int
    # Whether the NFP of the party has an officer with access who may decide this one (not the
    # subject, not the requester): then the NFP, and only the NFP, decides.
    nfp_can_decide: bool


def needs_confirmation(role: str) -> bool:
    """Officers of an agency reach content through it; secretariat roles reach none by role
    (an analyst sees a case's content only when its participants name them)."""
    return role in ROLES_OF_AN_AGENCY


def initial_content_access(role: str) -> ContentAccess:
    """Where a new (or changed) assignment starts: pending when the role needs confirmation,
    else confirmed."""
    return ContentAccess.PENDING if needs_confirmation(role) else ContentAccess.CONFIRMED


def awaits_confirmation(role: str, content_access: str) -> bool:
    """An officer of an agency whose assignment is not (yet) confirmed: no content."""
    return needs_confirmation(role) and content_access != ContentAccess.CONFIRMED


def administers_directory(*, role: str, is_superuser: bool) -> bool:
    """A directory administrator (or a superuser) keeps the directory: parties, agencies,
    officers and their API tokens; the one told when background work runs in the web
    process."""
    return role == Role.DIRECTORY_ADMIN or is_superuser


def sees_country_traffic(role: str) -> bool:
    """A National Focal Point officer follows every exchange entering or leaving the country,
    and each receipt by the agency that holds it."""
    return role == Role.NFP_OFFICER


def offers_access_confirmations(*, has_agency: bool, awaits_confirmation: bool) -> bool:
    """The access confirmations page is for officers of an agency who have access themselves
    (whom they may confirm, ``may_confirm`` decides for each)."""
    return has_agency and not awaits_confirmation


def confirmation_reason(
    *,
    was_active: bool,
    is_active: bool,
    old_agency_id: int | None,
    new_agency_id: int | None,
    old_role: str,
    new_role: str,
) -> AccessConfirmationReason | None:
    """Which change (if any) sends an officer's access back for confirmation."""
    if not is_active:
        return None
    if not was_active:
        return AccessConfirmationReason.REACTIVATED
    if old_agency_id != new_agency_id:
        return AccessConfirmationReason.MOVED
    if old_role != new_role:
        return AccessConfirmationReason.ROLE_CHANGED
    return None


def may_confirm(confirmer: OfficerFacts, confirmation: ConfirmationFacts) -> bool:
    """Whether ``confirmer`` decides ``confirmation``: the NFP of the party when it can, else
    an officer of the same agency who has access; never the subject or the requester."""
    if not confirmer.has_access:
        return False
    if confirmer.id in (confirmation.officer_id, confirmation.requested_by_id):
        return False
    if confirmation.nfp_can_decide:
        return confirmer.role == Role.NFP_OFFICER and confirmer.party_id == confirmation.party_id
    return confirmer.agency_id == confirmation.agency_id


def may_confirm_as_operator(*, someone_can_decide: bool) -> bool:
    """The operator's command confirms only where no officer could: the first of a party."""
    return not someone_can_decide


def may_change_assignment(*, actor_id: int | None, officer_id: int) -> bool:
    """Nobody changes their own role, agency, activity or permissions."""
    return actor_id is None or actor_id != officer_id


def may_set_password(*, actor_id: int | None, officer_id: int) -> bool:
    """Only one's own password: an administrator who set someone else's could sign in as them."""
    return actor_id is not None and actor_id == officer_id


# Who is told at once that the audit log failed its verification: the data protection
# officers, who answer for the log (active accounts only, as every notice).
ROLES_TOLD_OF_A_BROKEN_AUDIT_LOG = (Role.DPO,)
