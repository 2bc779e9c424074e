"""The rules of data subject requests (pure functions) and the identifiers' tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchanges.models import EntityKind
from hits.blind_index import TokenKind, entity_tokens
from partners.models import Role
from subjects.identifiers import Identifiers, IdentifiersError
from subjects.models import Decision, RequestKind, RequestStatus
from subjects.policy import (
    answers_subject_requests,
    dates_problem,
    decision_problem,
    decisions_for,
    default_due_on,
    handles_subject_requests,
    item_overdue,
    request_status,
)

TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize("role", list(Role))
def test_only_the_active_dpo_handles_requests(role: Role) -> None:
    assert handles_subject_requests(role=role, is_active=True) == (role == Role.DPO)
    assert not handles_subject_requests(role=role, is_active=False)


def test_only_confirmed_officers_of_an_agency_answer() -> None:
    assert answers_subject_requests(has_agency=True, is_active=True, awaits_confirmation=False)
    assert not answers_subject_requests(has_agency=False, is_active=True, awaits_confirmation=False)
    assert not answers_subject_requests(has_agency=True, is_active=False, awaits_confirmation=False)
    assert not answers_subject_requests(has_agency=True, is_active=True, awaits_confirmation=True)


def _problem(kind: str, decision: str, answer: str, *, done: bool) -> tuple[str, str] | None:
    """The policy's answer for an exchange erased and corrected on the day the request was
    received (``done``: every decision the request allows fits it), or left untouched."""
    return decision_problem(
        kind=kind,
        decision=decision,
        answer=answer,
        erased=done,
        corrected_on=TODAY if done else None,
        received_on=TODAY,
    )


@pytest.mark.parametrize("kind", list(RequestKind))
def test_each_kind_is_answered_by_what_it_asks_a_refusal_or_no_data(kind: RequestKind) -> None:
    asked = {
        RequestKind.ACCESS: Decision.ACCESS_GIVEN,
        RequestKind.RECTIFICATION: Decision.RECTIFIED,
        RequestKind.ERASURE: Decision.ERASED,
    }[kind]
    assert set(decisions_for(kind)) == {asked, Decision.REFUSED, Decision.NO_DATA}
    for decision in Decision:
        problem = _problem(kind, decision, "Grounds.", done=True)
        assert (problem is None) == (decision in decisions_for(kind))


def test_a_refusal_and_an_access_need_their_words() -> None:
    assert _problem("access", "refused", " ", done=False) == (
        "answer",
        "Give the grounds of the refusal.",
    )
    assert _problem("access", "access_given", "", done=False)
    assert _problem("access", "no_data", "", done=False) is None
    assert _problem("erasure", "erased", "", done=True) is None


def test_erased_only_once_the_content_is_erased() -> None:
    problem = _problem("erasure", "erased", "", done=False)
    assert problem is not None
    field, message = problem
    assert field == "decision"
    assert "not erased" in message
    assert "erasure page" in message
    # A refusal or "no such data" does not need the erasure.
    for decision in (Decision.REFUSED, Decision.NO_DATA):
        assert _problem("erasure", decision, "Grounds.", done=False) is None


@given(
    corrected=st.one_of(
        st.none(), st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1))
    ),
    erased=st.booleans(),
)
def test_rectified_only_once_corrected_since_the_request_was_received(
    corrected: dt.date | None, erased: bool
) -> None:
    problem = decision_problem(
        kind="rectification",
        decision="rectified",
        answer="",
        erased=erased,
        corrected_on=corrected,
        received_on=TODAY,
    )
    if corrected is not None and corrected >= TODAY:
        assert problem is None
    else:
        assert problem is not None
        assert problem[0] == "decision"
        assert "not been corrected since the request was received (06 Dec 2026)" in problem[1]
        assert "correction page" in problem[1]


def test_dates() -> None:
    assert default_due_on(TODAY) == TODAY + dt.timedelta(days=30)
    assert dates_problem(received_on=TODAY, due_on=TODAY, today=TODAY) is None
    assert dates_problem(received_on=TODAY + dt.timedelta(days=1), due_on=TODAY, today=TODAY)
    assert dates_problem(received_on=TODAY, due_on=TODAY - dt.timedelta(days=1), today=TODAY) == (
        "due_on",
        "The due date cannot be before the request was received.",
    )


@given(
    answered=st.booleans(),
    due_on=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)),
)
def test_a_request_is_answered_else_overdue_after_its_due_date(
    answered: bool, due_on: dt.date
) -> None:
    status = request_status(answered=answered, due_on=due_on, today=TODAY)
    if answered:
        assert status == RequestStatus.ANSWERED
    else:
        assert status == (RequestStatus.OVERDUE if due_on < TODAY else RequestStatus.OPEN)
    assert item_overdue(pending=not answered, due_on=due_on, today=TODAY) == (
        status == RequestStatus.OVERDUE
    )


# --- Identifiers ------------------------------------------------------------------------------


def _person_token(names: str, date_of_birth: str) -> str:
    [token] = [
        t
        for k, t in entity_tokens(
            EntityKind.PERSON, {"names": names, "date_of_birth": date_of_birth}
        )
        if k == TokenKind.PERSON
    ]
    return token


@pytest.mark.parametrize(
    "spelling", ["Ђорђе Ђорђевић", "Đorđe Đorđević", "DJORDJEVIC Djordje", "djordje  djordjević"]
)
def test_every_spelling_gives_the_token_of_the_entities(spelling: str) -> None:
    """The very token the matching stores for the provider's entity, in another script."""
    tokens = Identifiers(names=spelling, date_of_birth="1980-04-12").tokens()

    assert tokens == [(TokenKind.PERSON, _person_token("Djordje Djordjevic", "1980-04-12"))]


def test_a_name_is_never_looked_up_alone() -> None:
    with pytest.raises(IdentifiersError) as refused:
        Identifiers(names="Ion Popa").tokens()

    assert set(refused.value.errors) == {"date_of_birth"}


def test_a_document_is_looked_up_with_its_country_and_alone() -> None:
    given_country = Identifiers(document_number="ab 123", document_country="ro").tokens()
    by_nationality = Identifiers.of({"document_number": "AB123", "nationality": " ro "}).tokens()
    anywhere = Identifiers(document_number="AB123").tokens()

    with_country = entity_tokens("document", {"number": "AB123", "issuing_country": "RO"})
    alone = entity_tokens("document", {"number": "AB123"})
    assert set(given_country) == set(by_nationality) == {*with_country, *alone}
    assert {*with_country, *alone} < set(anywhere)
    assert {k for k, _ in anywhere} == {TokenKind.DOCUMENT_NUMBER}


def test_the_entity_rules_check_the_identifiers() -> None:
    problems = Identifiers(
        names="Ion Popa", date_of_birth="2999-01-01", nationality="ZZ", document_number="x"
    ).problems()

    assert set(problems) == {"date_of_birth", "nationality"}


def test_the_identifiers_described_and_stored_hold_only_what_was_given() -> None:
    identifiers = Identifiers.of({"names": " Ion Popa ", "date_of_birth": dt.date(1970, 1, 2)})

    assert identifiers.stored() == {"names": "Ion Popa", "date_of_birth": "1970-01-02"}
    assert identifiers.described() == "Data subject: names: Ion Popa; date of birth: 1970-01-02"
    assert identifiers.kinds_given() == ["person"]
