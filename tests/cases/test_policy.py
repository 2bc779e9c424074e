"""The cases policy on plain facts (no database): who holds what, and what is refused."""

from __future__ import annotations

import pytest

from cases.policy import (
    CaseActions,
    CaseFacts,
    CasePerm,
    CasePrincipal,
    PartyFacts,
    case_actions,
    check_opener,
    check_participants,
    check_personal_data,
    check_result_party,
    check_transition,
    grants_for,
    may_open_case,
    records_for,
)
from exchanges.policy import CaseLinkFacts, check_case
from selec.core.policy_values import AgencyFacts, PolicyError

RO = PartyFacts(1, "RO", "Romania", "member")
BG = PartyFacts(2, "BG", "Bulgaria", "member")
AT = PartyFacts(3, "AT", "Austria", "observer")
IT = PartyFacts(4, "IT", "Italy", "operational_partner")
HR = PartyFacts(5, "HR", "Croatia", "former")


def agency(agency_id: int, party: PartyFacts, name: str = "") -> AgencyFacts:
    return AgencyFacts(
        agency_id, name or f"Police of {party.name}", party.id, party.code, party.status
    )


RO_POLICE, BG_POLICE, AT_POLICE, IT_POLICE, HR_POLICE = (
    agency(10, RO),
    agency(20, BG),
    agency(30, AT),
    agency(40, IT),
    agency(50, HR),
)
EVERYONE = (RO_POLICE, BG_POLICE, AT_POLICE, IT_POLICE, HR_POLICE)


def facts(*, personal: bool = False, analysts: frozenset[int] = frozenset({99})) -> CaseFacts:
    return CaseFacts(
        lead_party_id=RO.id,
        parties=(RO, BG, AT, IT, HR),
        agencies=EVERYONE,
        analyst_ids=analysts,
        personal_data=personal,
    )


def test_the_lead_partys_agency_manages_and_the_others_act_in_the_case() -> None:
    grants = grants_for(facts())
    assert grants[CasePrincipal("agency", 10)] == frozenset(CasePerm)
    acting = frozenset({CasePerm.VIEW, CasePerm.ADD_MEETING, CasePerm.RECORD_RESULT})
    assert grants[CasePrincipal("agency", 20)] == acting
    assert grants[CasePrincipal("agency", 40)] == acting  # an operational partner acts too
    assert grants[CasePrincipal("analyst", 99)] == acting


def test_national_focal_points_of_participating_parties_only_read() -> None:
    grants = grants_for(facts())
    for party in (RO, BG, IT):
        assert grants[CasePrincipal("nfp", party.id)] == frozenset({CasePerm.VIEW})


def test_an_observer_follows_a_case_without_personal_data_and_nothing_more() -> None:
    grants = grants_for(facts(personal=False))
    assert grants[CasePrincipal("agency", 30)] == frozenset({CasePerm.VIEW})


def test_an_observer_holds_nothing_of_a_case_with_personal_data() -> None:
    grants = grants_for(facts(personal=True))
    assert CasePrincipal("agency", 30) not in grants
    assert CasePrincipal("nfp", AT.id) not in grants
    assert CasePrincipal("agency", 20) in grants


def test_a_former_party_holds_nothing() -> None:
    grants = grants_for(facts())
    assert CasePrincipal("agency", 50) not in grants
    assert CasePrincipal("nfp", HR.id) not in grants


def test_nobody_else_holds_anything() -> None:
    principals = set(grants_for(facts(analysts=frozenset())))
    assert principals == {
        CasePrincipal("agency", 10),
        CasePrincipal("agency", 20),
        CasePrincipal("agency", 30),
        CasePrincipal("agency", 40),
        CasePrincipal("nfp", RO.id),
        CasePrincipal("nfp", BG.id),
        CasePrincipal("nfp", AT.id),
        CasePrincipal("nfp", IT.id),
    }


def test_inviting_an_observer_into_a_case_with_personal_data_names_the_observer() -> None:
    with pytest.raises(PolicyError, match=r"Police of Austria \(AT\) belongs to an observer"):
        check_participants((BG_POLICE, AT_POLICE), personal_data=True)
    check_participants((BG_POLICE, AT_POLICE), personal_data=False)


def test_a_former_party_cannot_be_invited() -> None:
    with pytest.raises(PolicyError, match=r"Croatia \(HR\) cannot take part"):
        check_participants((HR_POLICE,), personal_data=False)


def test_a_case_with_an_observer_cannot_be_marked_as_carrying_personal_data() -> None:
    with pytest.raises(PolicyError, match=r"Police of Austria \(AT\) takes part as an observer"):
        check_personal_data(facts(personal=True))
    check_personal_data(facts(personal=False))


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        ("planned", "active", True),
        ("planned", "action_day", False),
        ("active", "action_day", True),
        ("action_day", "active", True),
        ("action_day", "closed", True),
        ("closed", "active", True),
        ("closed", "planned", False),
        ("active", "active", False),
    ],
)
def test_a_case_moves_through_its_statuses_in_order(current: str, new: str, allowed: bool) -> None:
    if allowed:
        check_transition(current, new)
    else:
        with pytest.raises(PolicyError, match="cannot become"):
            check_transition(current, new)


def test_an_agency_records_its_own_partys_results_the_lead_and_analysts_any() -> None:
    acting = frozenset({CasePerm.VIEW, CasePerm.RECORD_RESULT})
    managing = acting | {CasePerm.MANAGE}
    assert records_for(acting, officer_agency=BG_POLICE, party_id=BG.id)
    assert not records_for(acting, officer_agency=BG_POLICE, party_id=RO.id)
    assert records_for(managing, officer_agency=RO_POLICE, party_id=BG.id)
    assert records_for(acting, officer_agency=None, party_id=BG.id)  # a named analyst
    assert not records_for(frozenset({CasePerm.VIEW}), officer_agency=BG_POLICE, party_id=BG.id)


def test_results_are_reported_by_participating_parties_that_act_in_operations() -> None:
    check_result_party(facts(), party_id=IT.id)
    with pytest.raises(PolicyError, match=r"Austria \(AT\) is an observer"):
        check_result_party(facts(), party_id=AT.id)
    with pytest.raises(PolicyError, match="taking part in the case"):
        check_result_party(facts(), party_id=12345)


def link(*, kind: str = "regional_operation", closed: bool = False, observers=()) -> CaseLinkFacts:
    return CaseLinkFacts(
        reference="SELEC-RO-2026-0007",
        regional_operation=kind == "regional_operation",
        closed=closed,
        party_ids=frozenset({RO.id, BG.id}),
        observers=tuple(observers),
    )


def test_warnings_feedback_and_seizure_reports_need_a_regional_operation() -> None:
    for kind in ("warning", "feedback", "seizure"):
        with pytest.raises(PolicyError, match="belong to a regional operation"):
            check_case(RO_POLICE, None, kind=kind, requested=False)
        with pytest.raises(PolicyError, match="is a joint investigation"):
            check_case(RO_POLICE, link(kind="joint_investigation"), kind=kind)
        check_case(RO_POLICE, link(), kind=kind)
    check_case(RO_POLICE, None, kind="request", requested=False)
    check_case(RO_POLICE, link(kind="joint_investigation"), kind="request")


def test_a_closed_case_takes_no_new_exchange() -> None:
    with pytest.raises(PolicyError, match="SELEC-RO-2026-0007 is closed"):
        check_case(RO_POLICE, link(closed=True), kind="information")


def test_personal_data_never_joins_a_case_an_observer_takes_part_in() -> None:
    with_observer = link(observers=["Austria (AT)"])
    with pytest.raises(PolicyError, match=r"Austria \(AT\) takes part in SELEC-RO-2026-0007"):
        check_case(RO_POLICE, with_observer, kind="information", personal_data=True)
    check_case(RO_POLICE, with_observer, kind="information", personal_data=False)


def test_only_a_party_of_the_case_links_exchanges_to_it() -> None:
    with pytest.raises(PolicyError, match="IT takes no part"):
        check_case(IT_POLICE, link(), kind="information")
    with pytest.raises(PolicyError, match="No such"):
        check_case(RO_POLICE, None, kind="information")


# --- Who opens a case --------------------------------------------------------------------------


def _xx(status: str) -> AgencyFacts:
    return agency(7, PartyFacts(70, "XX", "Xland", status), "Police of XX")


@pytest.mark.parametrize(
    ("role", "status", "opens", "refusal"),
    [
        # An officer of an agency: its party must take part in operations, whatever the role.
        *(
            (role, status, opens, "Police of XX")
            for role in ("liaison_officer", "nfp_officer", "analyst")
            for status, opens in (
                ("member", True),
                ("operational_partner", True),
                ("observer", False),
                ("former", False),
            )
        ),
        # Of the secretariat (no agency), only an analyst.
        ("analyst", None, True, ""),
        ("dpo", None, False, "SELEC analysts"),
        ("directory_admin", None, False, "SELEC analysts"),
    ],
)
def test_who_opens_a_case_is_said_alike_by_both_questions(
    role: str, status: str | None, opens: bool, refusal: str
) -> None:
    opener = _xx(status) if status else None
    assert may_open_case(role=role, party_status=status) is opens
    if opens:
        check_opener(role=role, agency=opener)
    else:
        with pytest.raises(PolicyError, match=refusal):
            check_opener(role=role, agency=opener)


# --- What the case page offers -----------------------------------------------------------------

EVERY_PERM = frozenset(CasePerm)


@pytest.mark.parametrize("status", ["planned", "active", "action_day"])
def test_an_open_case_offers_what_the_permissions_allow(status: str) -> None:
    assert case_actions(
        EVERY_PERM, status=status, has_agency=True, records_for_a_party=True
    ) == CaseActions(manage=True, add_meeting=True, record_results=True, new_exchange=True)
    assert case_actions(
        frozenset({CasePerm.VIEW}), status=status, has_agency=True, records_for_a_party=False
    ) == CaseActions(manage=False, add_meeting=False, record_results=False, new_exchange=True)


def test_a_closed_case_offers_its_management_only() -> None:
    assert case_actions(
        EVERY_PERM, status="closed", has_agency=True, records_for_a_party=True
    ) == CaseActions(manage=True, add_meeting=False, record_results=False, new_exchange=False)


def test_the_secretariat_sends_no_exchange_into_a_case() -> None:
    assert not case_actions(
        EVERY_PERM, status="active", has_agency=False, records_for_a_party=True
    ).new_exchange
