from __future__ import annotations

import pytest

from oversight.policy import uses_oversight
from partners.models import Role


def test_it_lets_the_active_dpo_use_the_tools() -> None:
    assert uses_oversight(role=Role.DPO, is_active=True)


def test_it_refuses_a_deactivated_dpo() -> None:
    assert not uses_oversight(role=Role.DPO, is_active=False)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.DPO])
def test_it_refuses_every_other_role(role: Role) -> None:
    assert not uses_oversight(role=role, is_active=True)
