"""The actions a page draws live or disabled: the same answer as the policy that decides them.
No database."""

from __future__ import annotations

import itertools

import pytest

from exchanges.policy import (
    AgencyFacts,
    ExchangeFacts,
    Perm,
    PolicyError,
    Principal,
    Restrictions,
    check_forward,
    grants_for,
)
from exchanges.policy_offers import (
    H1_HOLDS_BACK,
    H2_HOLDS_BACK,
    ask_provider_offer,
    evidence_offer,
    forward_offer,
)

RO = AgencyFacts(id=1, name="Romanian Police", party_id=10, party_code="RO", party_status="member")
BG = AgencyFacts(id=2, name="Bulgarian Police", party_id=20, party_code="BG", party_status="member")
GR = AgencyFacts(id=3, name="Hellenic Police", party_id=30, party_code="GR", party_status="member")

CASES = list(itertools.product([False, True], [False, True], [False, True]))


def _facts(*, h1: bool, h2: bool, granted: bool) -> ExchangeFacts:
    return ExchangeFacts(
        sender=RO,
        recipients=(BG,),
        restrictions=Restrictions(evidence=h1, dissemination=h2),
        personal_data=False,
        evidence_released_to=frozenset({BG.id}) if granted else frozenset(),
        forward_granted=frozenset({(BG.id, GR.id)}) if granted else frozenset(),
    )


def _perms(facts: ExchangeFacts, agency: AgencyFacts) -> frozenset[Perm]:
    return grants_for(facts).get(Principal("agency", agency.id), frozenset())


def _forward_refused(facts: ExchangeFacts, by: AgencyFacts) -> bool:
    try:
        check_forward(facts, (GR,), by_agency_id=by.id)
    except PolicyError:
        return True
    return False


@pytest.mark.parametrize(("h1", "h2", "granted"), CASES)
def test_the_forward_is_live_exactly_when_the_policy_lets_the_recipient_forward(
    h1: bool, h2: bool, granted: bool
) -> None:
    facts = _facts(h1=h1, h2=h2, granted=granted)

    offer = forward_offer(_perms(facts, BG), erased=False)

    assert offer is not None
    assert offer.allowed is not _forward_refused(facts, BG)
    if not offer.allowed:
        assert offer.reason == H2_HOLDS_BACK
        assert offer.ask_provider
        # The way past it is offered too.
        ask = ask_provider_offer(_perms(facts, BG), erased=False)
        assert ask is not None
        assert ask.allowed


@pytest.mark.parametrize(("h1", "h2", "granted"), CASES)
def test_the_evidence_export_is_disabled_under_h1_until_the_provider_releases_it(
    h1: bool, h2: bool, granted: bool
) -> None:
    facts = _facts(h1=h1, h2=h2, granted=granted)

    offer = evidence_offer(_perms(facts, BG), erased=False)

    assert offer is not None
    assert offer.allowed is (not h1 or granted)
    assert offer.reason == ("" if offer.allowed else H1_HOLDS_BACK)


@pytest.mark.parametrize(("h1", "h2", "granted"), CASES)
def test_the_provider_is_never_held_back_by_its_own_restrictions(
    h1: bool, h2: bool, granted: bool
) -> None:
    perms = _perms(_facts(h1=h1, h2=h2, granted=granted), RO)

    assert forward_offer(perms, erased=False) == evidence_offer(perms, erased=False)
    assert (offer := forward_offer(perms, erased=False)) is not None
    assert offer.allowed
    # It has nothing to ask itself.
    assert ask_provider_offer(perms, erased=False) is None


def test_an_officer_holding_neither_right_is_offered_nothing() -> None:
    # An NFP reads its country's traffic: it views, and does nothing more.
    perms = frozenset({Perm.VIEW})

    assert forward_offer(perms, erased=False) is None
    assert evidence_offer(perms, erased=False) is None
    assert ask_provider_offer(perms, erased=False) is None


def test_erased_content_offers_no_disclosure_at_all() -> None:
    perms = _perms(_facts(h1=True, h2=True, granted=False), BG)

    assert forward_offer(perms, erased=True) is None
    assert evidence_offer(perms, erased=True) is None
    assert ask_provider_offer(perms, erased=True) is None
