"""The pure rules of an authenticator's reset and of offboarding (``partners.policy_lifecycle``)."""

from __future__ import annotations

import dataclasses

import pytest

from partners.models import Role
from partners.policy import OfficerFacts
from partners.policy_lifecycle import (
    IdentityConfirmer,
    ResetFacts,
    identity_confirmer,
    may_close_agency,
    may_confirm_identity,
    may_offboard,
    may_request_reset,
    may_reset,
)

LO_BG = ResetFacts(
    officer_id=1,
    agency_id=10,
    party_id=100,
    status="requested",
    confirmed_by_id=None,
    nfp_can_confirm=True,
    colleague_can_confirm=True,
)
SECRETARIAT = dataclasses.replace(LO_BG, agency_id=None, party_id=None)


def _officer(id: int, role: str, agency_id: int | None, party_id: int | None) -> OfficerFacts:
    return OfficerFacts(
        id=id,
        role=role,
        agency_id=agency_id,
        party_id=party_id,
        active=True,
        content_confirmed=True,
    )


NFP_BG = _officer(2, Role.NFP_OFFICER, 11, 100)
NFP_RO = _officer(3, Role.NFP_OFFICER, 21, 200)
COLLEAGUE = _officer(4, Role.LIAISON_OFFICER, 10, 100)
ADMIN = _officer(5, Role.DIRECTORY_ADMIN, None, None)
OTHER_ADMIN = _officer(6, Role.DIRECTORY_ADMIN, None, None)


def test_the_nfp_of_the_party_confirms_when_it_can() -> None:
    assert identity_confirmer(LO_BG) is IdentityConfirmer.NFP
    assert may_confirm_identity(NFP_BG, admin=False, reset=LO_BG)
    assert not may_confirm_identity(NFP_RO, admin=False, reset=LO_BG)
    assert not may_confirm_identity(COLLEAGUE, admin=False, reset=LO_BG)
    assert not may_confirm_identity(ADMIN, admin=True, reset=LO_BG)


def test_without_an_nfp_a_colleague_then_an_admin_confirms() -> None:
    no_nfp = dataclasses.replace(LO_BG, nfp_can_confirm=False)
    assert identity_confirmer(no_nfp) is IdentityConfirmer.COLLEAGUE
    assert may_confirm_identity(COLLEAGUE, admin=False, reset=no_nfp)
    nobody = dataclasses.replace(no_nfp, colleague_can_confirm=False)
    assert identity_confirmer(nobody) is IdentityConfirmer.ADMIN
    assert may_confirm_identity(ADMIN, admin=True, reset=nobody)
    assert not may_confirm_identity(COLLEAGUE, admin=False, reset=nobody)


def test_secretariat_staff_are_confirmed_by_an_admin_never_themselves() -> None:
    assert identity_confirmer(SECRETARIAT) is IdentityConfirmer.ADMIN
    assert may_confirm_identity(ADMIN, admin=True, reset=SECRETARIAT)
    own = dataclasses.replace(SECRETARIAT, officer_id=ADMIN.id)
    assert not may_confirm_identity(ADMIN, admin=True, reset=own)


@pytest.mark.parametrize("status", ["confirmed", "refused", "done"])
def test_only_an_open_request_is_confirmed(status: str) -> None:
    assert not may_confirm_identity(
        NFP_BG, admin=False, reset=dataclasses.replace(LO_BG, status=status)
    )


def test_the_reset_needs_the_confirmation_and_another_person() -> None:
    assert not may_reset(actor_id=ADMIN.id, admin=True, reset=LO_BG)  # not confirmed yet
    confirmed = dataclasses.replace(LO_BG, status="confirmed", confirmed_by_id=NFP_BG.id)
    assert may_reset(actor_id=ADMIN.id, admin=True, reset=confirmed)
    assert not may_reset(actor_id=NFP_BG.id, admin=False, reset=confirmed)
    by_admin = dataclasses.replace(SECRETARIAT, status="confirmed", confirmed_by_id=ADMIN.id)
    assert not may_reset(actor_id=ADMIN.id, admin=True, reset=by_admin)
    assert may_reset(actor_id=OTHER_ADMIN.id, admin=True, reset=by_admin)
    assert not may_reset(actor_id=LO_BG.officer_id, admin=True, reset=confirmed)


def test_a_request_needs_an_active_account_with_an_authenticator() -> None:
    assert may_request_reset(active=True, has_authenticator=True)
    assert not may_request_reset(active=False, has_authenticator=True)
    assert not may_request_reset(active=True, has_authenticator=False)


def test_offboarding_rules() -> None:
    assert may_offboard(actor_id=5, admin=True, officer_id=1)
    assert not may_offboard(actor_id=5, admin=True, officer_id=5)
    assert not may_offboard(actor_id=2, admin=False, officer_id=1)
    assert may_close_agency(is_national_focal_point=False, whole_party=False)
    assert not may_close_agency(is_national_focal_point=True, whole_party=False)
    assert may_close_agency(is_national_focal_point=True, whole_party=True)
