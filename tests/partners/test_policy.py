"""The directory's policy: pure functions over plain facts."""

from __future__ import annotations

import pytest

from partners import policy
from partners.models import ContentAccess, Role


def test_only_ones_own_password_may_be_set() -> None:
    assert policy.may_set_password(actor_id=7, officer_id=7)
    assert not policy.may_set_password(actor_id=7, officer_id=8)
    assert not policy.may_set_password(actor_id=None, officer_id=7)


@pytest.mark.parametrize(
    ("role", "initial"),
    [
        (Role.LIAISON_OFFICER, ContentAccess.PENDING),
        (Role.NFP_OFFICER, ContentAccess.PENDING),
        (Role.ANALYST, ContentAccess.CONFIRMED),
        (Role.DPO, ContentAccess.CONFIRMED),
        (Role.DIRECTORY_ADMIN, ContentAccess.CONFIRMED),
    ],
)
def test_an_assignment_starts_pending_only_where_it_needs_confirmation(
    role: Role, initial: ContentAccess
) -> None:
    assert policy.initial_content_access(role) == initial


@pytest.mark.parametrize(
    ("role", "content_access", "awaits"),
    [
        (Role.LIAISON_OFFICER, ContentAccess.PENDING, True),
        (Role.NFP_OFFICER, ContentAccess.REFUSED, True),
        (Role.LIAISON_OFFICER, ContentAccess.CONFIRMED, False),
        (Role.ANALYST, ContentAccess.PENDING, False),
    ],
)
def test_only_an_officer_of_an_agency_awaits_confirmation(
    role: Role, content_access: ContentAccess, awaits: bool
) -> None:
    assert policy.awaits_confirmation(role, content_access) is awaits
