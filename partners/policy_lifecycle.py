"""The rules of an account's end and of its second factor's replacement: who confirms that the
person asking for a new authenticator is the officer, who resets it, who offboards and unlocks.

Separation of duties, as for access to content (``partners.policy``): the administrator who
resets an authenticator never decides alone that the person asking is the officer. The officer's
own side vouches for them: the National Focal Point of their party; for a party whose NFP has
nobody else with access, a colleague of the same agency who has access; for secretariat staff
(no agency, no NFP), or a party with nobody who could, a directory administrator. Whoever
confirmed never resets the same request: two people, always.

Pure functions over plain facts; services and tests ask the same questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from partners.models import Role
from partners.models_lifecycle import AuthenticatorResetStatus
from partners.policy import OfficerFacts


class IdentityConfirmer(StrEnum):
    """Who vouches for the person asking for a new authenticator."""

    NFP = "nfp"
    COLLEAGUE = "colleague"
    ADMIN = "admin"


@dataclass(frozen=True)
class ResetFacts:
    officer_id: int
    agency_id: int | None
    party_id: int | None
    status: str
    confirmed_by_id: int | None
    # Whether the NFP of the officer's party has an officer with access other than the
    # subject; whether the officer's agency has one.
    nfp_can_confirm: bool
    colleague_can_confirm: bool


def identity_confirmer(reset: ResetFacts) -> IdentityConfirmer:
    if reset.agency_id is None:
        return IdentityConfirmer.ADMIN
    if reset.nfp_can_confirm:
        return IdentityConfirmer.NFP
    if reset.colleague_can_confirm:
        return IdentityConfirmer.COLLEAGUE
    return IdentityConfirmer.ADMIN


def may_request_reset(*, active: bool, has_authenticator: bool) -> bool:
    """An active officer who had an authenticator: one who never enrolled simply signs in and
    is asked to enrol; an inactive account gets nothing."""
    return active and has_authenticator


def may_confirm_identity(confirmer: OfficerFacts, *, admin: bool, reset: ResetFacts) -> bool:
    """Whether ``confirmer`` confirms (or refuses) that the person asking is the officer."""
    if reset.status != AuthenticatorResetStatus.REQUESTED or confirmer.id == reset.officer_id:
        return False
    if not confirmer.active:
        return False
    who = identity_confirmer(reset)
    if who is IdentityConfirmer.ADMIN:
        return admin
    if not confirmer.has_access:
        return False
    if who is IdentityConfirmer.NFP:
        return confirmer.role == Role.NFP_OFFICER and confirmer.party_id == reset.party_id
    return confirmer.agency_id == reset.agency_id


def may_reset(*, actor_id: int, admin: bool, reset: ResetFacts) -> bool:
    """A directory administrator resets a confirmed request: never their own, never one they
    confirmed themselves."""
    return (
        admin
        and reset.status == AuthenticatorResetStatus.CONFIRMED
        and actor_id not in (reset.officer_id, reset.confirmed_by_id)
    )


def may_offboard(*, actor_id: int, admin: bool, officer_id: int | None = None) -> bool:
    """Directory administrators offboard officers, agencies and parties; nobody offboards
    themselves (they could not be reactivated by anyone who checked)."""
    return admin and actor_id != officer_id


def may_close_agency(*, is_national_focal_point: bool, whole_party: bool) -> bool:
    """A National Focal Point closes only with its whole party: while any other agency of the
    party is open, the NFP is where its closed agencies' open requests are seen."""
    return whole_party or not is_national_focal_point


def may_unlock(*, admin: bool) -> bool:
    return admin
