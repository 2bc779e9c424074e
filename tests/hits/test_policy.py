"""The hit rules of exchanges.policy, as pure functions over statuses and roles."""

from __future__ import annotations

import pytest

from hits import policy
from partners.models import PartyStatus, Role

HOLDERS = [PartyStatus.MEMBER, PartyStatus.OPERATIONAL_PARTNER]
NOT_HOLDERS = [PartyStatus.OBSERVER, PartyStatus.FORMER]


@pytest.mark.parametrize("status", HOLDERS)
def test_what_members_and_partners_provide_is_matched(status: str) -> None:
    assert policy.may_be_matched(status)


@pytest.mark.parametrize("status", NOT_HOLDERS)
def test_nothing_of_an_observer_or_a_former_member_is_matched(status: str) -> None:
    assert not policy.may_be_matched(status)


@pytest.mark.parametrize("role", [Role.LIAISON_OFFICER, Role.NFP_OFFICER])
@pytest.mark.parametrize("status", HOLDERS)
def test_officers_of_agencies_that_may_hold_personal_data_may_search(
    role: str, status: str
) -> None:
    assert policy.may_search_hits(role=role, party_status=status)


@pytest.mark.parametrize("status", NOT_HOLDERS)
def test_officers_of_observers_and_former_members_may_not_search(status: str) -> None:
    assert not policy.may_search_hits(role=Role.LIAISON_OFFICER, party_status=status)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.DPO, Role.DIRECTORY_ADMIN])
def test_the_secretariat_may_not_search(role: str) -> None:
    assert not policy.may_search_hits(role=role, party_status=None)
    assert not policy.may_search_hits(role=role, party_status=PartyStatus.MEMBER)


def test_under_h2_the_other_side_is_shown_only_to_the_analyst_and_its_own_scope() -> None:
    assert not policy.hit_shows_other_side(
        other_under_h2=True, viewer_holds_it=False, analyst=False
    )
    assert policy.hit_shows_other_side(other_under_h2=True, viewer_holds_it=True, analyst=False)
    assert policy.hit_shows_other_side(other_under_h2=True, viewer_holds_it=False, analyst=True)
    assert policy.hit_shows_other_side(other_under_h2=False, viewer_holds_it=False, analyst=False)


def test_only_the_secretariats_analyst_sees_every_hit() -> None:
    assert policy.sees_every_hit(role=Role.ANALYST, has_agency=False)
    assert not policy.sees_every_hit(role=Role.ANALYST, has_agency=True)
    assert not policy.sees_every_hit(role=Role.NFP_OFFICER, has_agency=True)


def test_details_are_asked_of_a_shown_other_agency_by_an_officer_of_an_agency() -> None:
    ask = policy.offers_hit_details_request
    assert ask(other_side_shown=True, officer_agency_id=1, other_agency_id=2)
    assert not ask(other_side_shown=False, officer_agency_id=1, other_agency_id=2)
    assert not ask(other_side_shown=True, officer_agency_id=None, other_agency_id=2)
    assert not ask(other_side_shown=True, officer_agency_id=2, other_agency_id=2)


def test_the_analyst_is_asked_to_act_when_a_side_of_the_hit_is_under_h2() -> None:
    asked = policy.analyst_is_asked_to_act
    assert asked(a_under_h2=True, b_under_h2=False)
    assert asked(a_under_h2=False, b_under_h2=True)
    assert asked(a_under_h2=True, b_under_h2=True)
    assert not asked(a_under_h2=False, b_under_h2=False)
