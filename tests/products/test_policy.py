"""The products policy, over plain facts: who receives a product, who reviews it."""

from __future__ import annotations

import pytest

from exchanges.policy import Principal
from partners.models import PartyStatus, Role
from products import policy
from products.models import ProductKind, ProductStatus
from selec.core.policy_values import AgencyFacts, PolicyError

ROMANIA = AgencyFacts(1, "Romanian Police", 10, "RO", PartyStatus.MEMBER)
AUSTRIA = AgencyFacts(2, "Police of Austria", 20, "AT", PartyStatus.OBSERVER)
TURKEY = AgencyFacts(3, "Turkish Customs", 30, "TR", PartyStatus.MEMBER)


def facts(*audience: AgencyFacts, **kwargs: object) -> policy.ProductFacts:
    values: dict[str, object] = {
        "kind": ProductKind.STRATEGIC_REPORT,
        "status": ProductStatus.PUBLISHED,
        "personal_data": False,
        "audience": audience,
        **kwargs,
    }
    return policy.ProductFacts(**values)  # type: ignore[arg-type]


def test_it_sends_a_strategic_product_without_personal_data_to_an_observer():
    policy.check_audience(facts(ROMANIA, AUSTRIA, tables=frozenset({"totals"})))
    assert policy.grants_for(facts(ROMANIA, AUSTRIA))[Principal("agency", AUSTRIA.id)]


def test_it_refuses_personal_data_to_an_observer_naming_it_and_rule_1():
    with pytest.raises(PolicyError, match=r"Police of Austria \(AT\).*rule 1"):
        policy.check_audience(facts(ROMANIA, AUSTRIA, personal_data=True))
    grants = policy.grants_for(facts(ROMANIA, AUSTRIA, personal_data=True))
    assert Principal("agency", AUSTRIA.id) not in grants
    assert Principal("nfp", AUSTRIA.party_id) not in grants
    assert Principal("agency", ROMANIA.id) in grants


def test_it_gives_an_observer_the_strategic_tables_only():
    with pytest.raises(PolicyError, match="Police of Austria"):
        policy.check_audience(facts(AUSTRIA, tables=frozenset({"totals", "parties"})))
    policy.check_audience(facts(ROMANIA, tables=frozenset({"parties"})))


def test_it_sends_an_operational_analysis_only_to_the_case_s_agencies():
    analysis = {
        "kind": ProductKind.OPERATIONAL_ANALYSIS,
        "case_agency_ids": frozenset({ROMANIA.id}),
        "case_reference": "SELEC-RO-2026-0001",
    }
    policy.check_audience(facts(ROMANIA, **analysis))
    with pytest.raises(PolicyError, match=r"Turkish Customs \(TR\) takes no part"):
        policy.check_audience(facts(ROMANIA, TURKEY, **analysis))
    assert Principal("agency", TURKEY.id) not in policy.grants_for(
        facts(ROMANIA, TURKEY, **analysis)
    )


def test_it_refuses_an_empty_audience():
    with pytest.raises(PolicyError, match="Choose the agencies"):
        policy.check_audience(facts())


@pytest.mark.parametrize("status", [ProductStatus.DRAFT, ProductStatus.IN_REVIEW])
def test_it_grants_nothing_before_publication(status):
    assert policy.grants_for(facts(ROMANIA, status=status)) == {}


def test_the_author_cannot_review_their_own_product():
    with pytest.raises(PolicyError, match="cannot review their own"):
        policy.check_review(
            status=ProductStatus.IN_REVIEW, author_id=7, officer_id=7, role=Role.ANALYST
        )
    policy.check_review(
        status=ProductStatus.IN_REVIEW, author_id=7, officer_id=8, role=Role.ANALYST
    )
    with pytest.raises(PolicyError):
        policy.check_review(
            status=ProductStatus.DRAFT, author_id=7, officer_id=8, role=Role.ANALYST
        )


def test_a_withdrawn_product_shows_its_readers_the_notice_only():
    assert not policy.shows_content(status=ProductStatus.WITHDRAWN, role=Role.LIAISON_OFFICER)
    assert policy.shows_content(status=ProductStatus.SUPERSEDED, role=Role.LIAISON_OFFICER)
    assert policy.shows_content(status=ProductStatus.WITHDRAWN, role=Role.ANALYST)


@pytest.mark.parametrize("status", list(ProductStatus))
@pytest.mark.parametrize("role", [Role.ANALYST, Role.LIAISON_OFFICER])
@pytest.mark.parametrize("author_id", [1, 2])
def test_the_page_offers_exactly_what_the_rules_allow(status, role, author_id) -> None:
    offers = policy.page_offers(status=status, author_id=author_id, officer_id=1, role=role)
    assert offers.edits == (status == ProductStatus.DRAFT and author_id == 1)
    assert offers.reviews == (
        role == Role.ANALYST and status == ProductStatus.IN_REVIEW and author_id != 1
    )
    assert offers.withdraws == (role == Role.ANALYST and status == ProductStatus.PUBLISHED)
