"""The pure decisions of exchanges/policy.py: the audience gate every creation path passes, and
restriction changes decided code by code. No database."""

from __future__ import annotations

import pytest

from exchanges.policy import (
    AgencyFacts,
    ExchangeFacts,
    PolicyError,
    Restrictions,
    check_audience,
    check_forward,
    must_confirm_restriction,
    restriction_diff,
)

RO = AgencyFacts(id=1, name="Romanian Police", party_id=10, party_code="RO", party_status="member")
BG = AgencyFacts(id=2, name="Bulgarian Police", party_id=20, party_code="BG", party_status="member")
IT = AgencyFacts(
    id=3,
    name="Police of Italy",
    party_id=30,
    party_code="IT",
    party_status="operational_partner",
)
AT = AgencyFacts(
    id=4, name="Police of Austria", party_id=40, party_code="AT", party_status="observer"
)
HR = AgencyFacts(id=5, name="Croatian Police", party_id=50, party_code="HR", party_status="former")

H1 = Restrictions(evidence=True)
H2 = Restrictions(dissemination=True)
TEXT = "No contact with the suspect."


def _new(
    author: AgencyFacts, *addressees: AgencyFacts, personal: bool = False
) -> tuple[ExchangeFacts, dict[str, object]]:
    facts = ExchangeFacts(
        sender=author, recipients=addressees, restrictions=Restrictions(), personal_data=personal
    )
    return facts, {"author": author, "added": addressees}


# --- check_audience ---------------------------------------------------------------------------


@pytest.mark.parametrize("author", [RO, IT])
def test_members_and_operational_partners_send_personal_data_to_their_like(
    author: AgencyFacts,
) -> None:
    facts, args = _new(author, BG, personal=True)
    check_audience(facts, **args)  # type: ignore[arg-type]


def test_an_observer_sends_strategic_information_and_no_personal_data() -> None:
    facts, args = _new(AT, RO)
    check_audience(facts, **args)  # type: ignore[arg-type]
    facts, args = _new(AT, RO, personal=True)
    with pytest.raises(PolicyError, match="AT is an observer") as refused:
        check_audience(facts, **args)  # type: ignore[arg-type]
    # The input (the personal data) is what the rule refuses: a validation error of that field.
    assert refused.value.field == "personal_data"


def test_a_former_member_sends_nothing_whatever_the_input() -> None:
    facts, args = _new(HR, RO)
    with pytest.raises(PolicyError, match="HR no longer takes part") as refused:
        check_audience(facts, **args)  # type: ignore[arg-type]
    assert refused.value.field == ""


@pytest.mark.parametrize(
    ("addressee", "personal", "rule"),
    [(AT, True, "belongs to an observer"), (HR, False, "no longer takes part")],
)
def test_an_addressee_the_rules_exclude_is_refused_by_name(
    addressee: AgencyFacts, personal: bool, rule: str
) -> None:
    facts, args = _new(RO, BG, addressee, personal=personal)
    with pytest.raises(PolicyError, match=rule) as refused:
        check_audience(facts, **args)  # type: ignore[arg-type]
    assert f"{addressee.name} ({addressee.party_code})" in str(refused.value)
    assert refused.value.field == "recipients"


def test_an_author_that_would_not_hold_what_it_creates_is_refused() -> None:
    # The author of a forward is a recipient; were it absent from the facts it would hold
    # nothing of the exchange once stored: the gate refuses rather than store it.
    facts = ExchangeFacts(
        sender=RO, recipients=(BG,), restrictions=Restrictions(), personal_data=False
    )
    with pytest.raises(PolicyError, match="could not open"):
        check_audience(facts, author=IT, added=(BG,))
    check_audience(facts, author=BG, added=())


def test_forwarding_checks_h2_only_and_leaves_the_audience_to_the_gate() -> None:
    facts = ExchangeFacts(sender=RO, recipients=(BG,), restrictions=H2, personal_data=True)
    with pytest.raises(PolicyError, match="H2"):
        check_forward(facts, (IT,), by_agency_id=BG.id)
    granted = ExchangeFacts(
        sender=RO,
        recipients=(BG,),
        restrictions=H2,
        personal_data=True,
        forward_granted=frozenset({(BG.id, AT.id)}),
    )
    check_forward(granted, (AT,), by_agency_id=BG.id)
    with pytest.raises(PolicyError, match="belongs to an observer"):
        check_audience(granted, author=BG, added=(AT,))


# --- restriction_diff -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "new", "added", "removed"),
    [
        (Restrictions(), Restrictions(), (), ()),
        (Restrictions(), H1, ("H1",), ()),
        (H1, Restrictions(), (), ("H1",)),
        # One change that removes H1 and adds H2 is both a loosening and a tightening.
        (H1, H2, ("H2",), ("H1",)),
        (Restrictions(), Restrictions(evidence=True, dissemination=True), ("H1", "H2"), ()),
        (Restrictions(), Restrictions(text=TEXT), ("H3",), ()),
        (Restrictions(text=TEXT), Restrictions(), (), ("H3",)),
        # A changed H3 text is a new restriction the readers confirm: added.
        (Restrictions(text=TEXT), Restrictions(text=TEXT + " Nor the press."), ("H3",), ()),
        (Restrictions(text=TEXT), Restrictions(text=TEXT), (), ()),
        (Restrictions(evidence=True, text=TEXT), H2, ("H2",), ("H1", "H3")),
    ],
)
def test_a_change_of_restrictions_is_decided_code_by_code(
    current: Restrictions, new: Restrictions, added: tuple[str, ...], removed: tuple[str, ...]
) -> None:
    diff = restriction_diff(current, new)
    assert (diff.added, diff.removed) == (added, removed)
    assert diff.changed == bool(added or removed)


def test_only_the_added_codes_reach_the_thread() -> None:
    diff = restriction_diff(Restrictions(evidence=True, text=TEXT), H2)
    assert diff.tightening == H2
    changed = restriction_diff(Restrictions(text=TEXT), Restrictions(text="Other text."))
    assert changed.tightening == Restrictions(text="Other text.")
    # A reply keeps what it inherited and gains what was added.
    reply = Restrictions(evidence=True, text=TEXT)
    assert reply.tightened_by(diff.tightening) == Restrictions(
        evidence=True, dissemination=True, text=TEXT
    )
    assert reply.tightened_by(changed.tightening).text == f"{TEXT}\nOther text."


def test_codes_name_what_is_set_h0_aside() -> None:
    assert Restrictions().codes == ()
    assert Restrictions(evidence=True, dissemination=True, text=TEXT).codes == ("H1", "H2", "H3")


def test_the_handling_codes_are_the_codes_set_or_h0_alone() -> None:
    assert Restrictions().handling_codes == ("H0",)
    assert Restrictions(dissemination=True, text=TEXT).handling_codes == ("H2", "H3")


# --- H3: who confirms the text -----------------------------------------------------------------


def test_the_provider_never_confirms_its_own_h3_text_and_everyone_else_does() -> None:
    assert not must_confirm_restriction(reader_agency_id=RO.id, sender_agency_id=RO.id)
    assert must_confirm_restriction(reader_agency_id=BG.id, sender_agency_id=RO.id)
    # Secretariat staff belong to no agency: they are never the provider.
    assert must_confirm_restriction(reader_agency_id=None, sender_agency_id=RO.id)
