"""The onboarding rules, as pure functions: who onboards, when a link works, an account's stage."""

from __future__ import annotations

import datetime as dt

import pytest

from partners.models import ContentAccess, Role
from partners.policy_onboarding import (
    Stage,
    invitation_usable,
    next_step,
    officer_stage,
    onboards,
)

NOW = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.DIRECTORY_ADMIN])
def test_only_an_active_directory_admin_onboards(role: Role) -> None:
    assert onboards(role=Role.DIRECTORY_ADMIN, is_active=True)
    assert not onboards(role=Role.DIRECTORY_ADMIN, is_active=False)
    assert not onboards(role=role, is_active=True)


def test_a_link_works_once_before_it_expires_for_an_unopened_account() -> None:
    usable = {
        "used_at": None,
        "revoked_at": None,
        "expires_at": LATER,
        "now": NOW,
        "officer_active": True,
        "officer_has_password": False,
    }
    assert invitation_usable(**usable)  # type: ignore[arg-type]
    for change in (
        {"used_at": NOW},
        {"revoked_at": NOW},
        {"now": LATER},
        {"officer_active": False},
        {"officer_has_password": True},
    ):
        assert not invitation_usable(**{**usable, **change}), change  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "stage"),
    [
        ({"is_active": False}, Stage.INACTIVE),
        ({"has_usable_password": False, "open_invitation_expires_at": LATER}, Stage.INVITED),
        (
            {"has_usable_password": False, "open_invitation_expires_at": NOW},
            Stage.INVITATION_EXPIRED,
        ),
        ({"has_usable_password": False}, Stage.NOT_INVITED),
        ({}, Stage.AWAITING_CONFIRMATION),
        ({"content_access": ContentAccess.REFUSED}, Stage.REFUSED),
        ({"content_access": ContentAccess.CONFIRMED}, Stage.ACTIVE),
    ],
)
def test_an_officer_s_stage(facts: dict[str, object], stage: Stage) -> None:
    base: dict[str, object] = {
        "is_active": True,
        "has_usable_password": True,
        "open_invitation_expires_at": None,
        "now": NOW,
        "content_access": ContentAccess.PENDING,
    }
    assert officer_stage(**{**base, **facts}) == stage  # type: ignore[arg-type]


def test_the_next_step_follows_the_onboarding_order() -> None:
    assert "agencies" in next_step(agency_count=0, has_nfp=False, stages=[])
    assert "Add the officers" in next_step(agency_count=1, has_nfp=True, stages=[])
    assert "new invitation" in next_step(
        agency_count=1, has_nfp=True, stages=[Stage.INVITED, Stage.INVITATION_EXPIRED]
    )
    assert "Wait" in next_step(agency_count=1, has_nfp=True, stages=[Stage.INVITED])
    assert "National Focal Point" in next_step(
        agency_count=1, has_nfp=True, stages=[Stage.AWAITING_CONFIRMATION, Stage.ACTIVE]
    )
    assert "complete" in next_step(agency_count=1, has_nfp=True, stages=[Stage.ACTIVE])


def test_a_party_s_first_officers_are_confirmed_by_the_operator() -> None:
    # Nobody of the party has access yet: neither its NFP nor a colleague can confirm.
    step = next_step(agency_count=1, has_nfp=True, stages=[Stage.AWAITING_CONFIRMATION])
    assert "manage.py confirm_officer_access" in step
    assert "National Focal Point" not in step
