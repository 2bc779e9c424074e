"""The entity rules: each attribute by its field's standard, an unknown attribute refused by
name; and the same rules at every way in (the compose page, the API, the send service, the
hit/no-hit search), with nothing saved when they refuse."""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from exchanges import demo_hits
from exchanges.blind_index import entity_tokens
from exchanges.entity_rules import (
    birth_date_problem,
    country_problem,
    entity_errors,
    entity_problems,
    iban_problem,
    known_attributes,
    phone_problem,
    text_problem,
    vin_problem,
)
from exchanges.models import Attachment, Entity, Exchange
from exchanges.services import EntityInput, exchange_reply
from partners.models import Officer
from selec.core.models import AuditEvent
from taskforces.models import CrimeArea
from tests.exchanges.scenario import A_PERSON, agency_ids, message, send

API = "/api/v1/"
COMPOSE = "/exchanges/new/"
SEARCH_PAGE = "/hits/search/"
TODAY = dt.date(2026, 3, 1)


# --- One value at a time ----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["RO", "bg", "RS", "MK", "TR", " md ", "XK"])
def test_an_iso_3166_country_code_is_accepted(code: str) -> None:
    assert country_problem(code) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("XX", "no country has it"),
        ("ZZ", "no country has it"),
        ("Romania", "two letters"),
        ("ROU", "two letters"),
        ("R1", "two letters"),
        (40, "must be text"),
    ],
)
def test_anything_else_is_not_a_country(value: Any, says: str) -> None:
    problem = country_problem(value)
    assert problem is not None
    assert says in problem
    assert "ISO 3166" in problem or "text" in problem


@pytest.mark.parametrize(
    "value",
    ["1980-04-12", "19800412", " 1980-04-12 ", "1900-01-01", "2026-03-01", dt.date(1975, 2, 1)],
)
def test_a_past_iso_date_is_a_date_of_birth(value: Any) -> None:
    assert birth_date_problem(value, today=TODAY) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2026-03-02", "in the future"),
        ("9999-12-31", "in the future"),
        ("1899-12-31", "before 1900"),
        ("12.04.1980", "ISO 8601"),
        ("1980-W15-6", "ISO 8601"),
        ("1980-02-30", "not a day of the calendar"),
        (19800412, "must be a date"),
        (dt.datetime(1980, 4, 12, 10, 0), "must be a date"),
    ],
)
def test_a_date_of_birth_is_refused_saying_why(value: Any, says: str) -> None:
    problem = birth_date_problem(value, today=TODAY)
    assert problem is not None
    assert says in problem


def test_the_future_starts_after_today_everywhere() -> None:
    # Born today somewhere east of here is not in the future; the day after tomorrow is.
    today = dt.datetime.now(dt.UTC).date()
    assert birth_date_problem(today.isoformat()) is None
    assert birth_date_problem((today + dt.timedelta(days=2)).isoformat()) is not None


@pytest.mark.parametrize(
    "number", ["+40 721 000 000", "+359 887 410 233", "0040-721-000-111", "(+40) 721 000 111"]
)
def test_an_international_phone_number_is_accepted(number: str) -> None:
    assert phone_problem(number) is None


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("not a phone", "international format"),
        ("0721 000 000", "international format"),
        ("+999 123456", "country calling code"),
        ("+40 12", "too short"),
        ("+40 721 000 000 000 000", "too long"),
        ("+40 200 000 000", "numbering plan of Romania"),
        ("+", "is not a phone number"),
    ],
)
def test_a_phone_number_is_refused_saying_what_is_wrong(number: str, says: str) -> None:
    problem = phone_problem(number)
    assert problem is not None
    assert says in problem


@pytest.mark.parametrize(
    "value", ["RO49 AAAA 1B31 0075 9384 0000", "ro49aaaa1b31007593840000", "BG80BNBG96611020345678"]
)
def test_an_iban_with_matching_check_digits_is_accepted(value: str) -> None:
    assert iban_problem(value) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("RO49 AAAA 1B31 0075 9384 0001", "check digits"),
        ("RO94 AAAA 1B31 0075 9384 0000", "check digits"),
        ("XX12 3456", "XX is none"),
        ("not an iban", "is not an IBAN"),
    ],
)
def test_a_wrong_iban_is_refused_saying_what_is_wrong(value: str, says: str) -> None:
    problem = iban_problem(value)
    assert problem is not None
    assert says in problem


@pytest.mark.parametrize(
    "value",
    ["WVWZZZ1JZXW000001", "WVW ZZZ 1JZ XW 000001", "wvwzzz1jzxw000001", "1HGCM82633A004352"],
)
def test_an_iso_3779_vin_is_accepted(value: str) -> None:
    assert vin_problem(value) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [("WVWZZZ1JZXW00001", "has 16"), ("WVWZZZ1JZXW0000O1", "'O'"), ("IVWZZZ1JZXW000001", "'I'")],
)
def test_a_wrong_vin_is_refused_saying_what_is_wrong(value: str, says: str) -> None:
    problem = vin_problem(value)
    assert problem is not None
    assert says in problem


@pytest.mark.parametrize(
    ("value", "says"),
    [(7, "must be text"), ("a\x00b", "control characters"), ("x" * 201, "longer than 200")],
)
def test_a_text_attribute_is_text(value: Any, says: str) -> None:
    problem = text_problem(value)
    assert problem is not None
    assert says in problem


# --- Whole entities ---------------------------------------------------------------------------


def test_an_unknown_attribute_is_refused_by_name_with_the_known_ones() -> None:
    errors = entity_errors("person", {"names": "Ion Popa", "shoe_size": "44"})

    assert errors == {
        "shoe_size": [
            "Unknown attribute 'shoe_size' for a person; known: names, aliases, date_of_birth, "
            "nationality, documents."
        ]
    }


def test_errors_are_keyed_by_the_attribute_inside_a_person_s_documents() -> None:
    errors = entity_errors(
        "person",
        {
            "names": "Ion Popa",
            "documents": [
                {"type": "passport", "number": "05123456", "issuing_country": "RO"},
                {"number": "X1", "issuing_country": "XX", "expiry": "2030"},
                "AB123",
            ],
        },
    )

    assert set(errors) == {
        "documents[1].issuing_country",
        "documents[1].expiry",
        "documents[2]",
    }


@pytest.mark.parametrize(
    ("kind", "attributes", "key"),
    [
        ("person", {"names": 5}, "names"),
        ("person", {"aliases": "Djordje"}, "aliases"),
        ("person", {"aliases": ["Djordje", 7]}, "aliases[1]"),
        ("person", {"documents": {"number": "1"}}, "documents"),
        ("vehicle", {"plate": "B 123 ABC", "vin": "123"}, "vin"),
        ("company", {"name": "Kanarche EOOD", "country": "Bulgaria"}, "country"),
        ("bank_account", {"iban": "BG80BNBG96611020345679"}, "iban"),
        ("phone", {"number": "not a phone"}, "number"),
        ("document", {"number": "1", "issuing_country": "XX"}, "issuing_country"),
        ("starship", {"names": "x"}, "kind"),
        ("person", ["names"], "attributes"),
    ],
)
def test_each_refusal_names_its_attribute(kind: str, attributes: Any, key: str) -> None:
    assert key in entity_errors(kind, attributes)


def test_blank_attributes_say_nothing_and_are_not_checked() -> None:
    assert entity_errors("person", {"names": "Ion Popa", "nationality": "", "aliases": []}) == {}
    assert entity_errors("phone", {"number": None}) == {}


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
_attribute_values = (
    _json_values
    | st.sampled_from(["RO", "XK", "1980-04-12", "19800412", "+40 721 000 111"])
    | st.sampled_from(["RO49 AAAA 1B31 0075 9384 0000", "WVWZZZ1JZXW000001", ""])
    | st.lists(
        st.fixed_dictionaries(
            {}, optional={"type": _json_values, "number": st.text(), "issuing_country": st.text()}
        ),
        max_size=2,
    )
)


@given(
    kind=st.sampled_from(["person", "vehicle", "document", "phone", "company", "bank_account"]),
    data=st.data(),
)
def test_what_the_rules_accept_the_blind_index_reads(kind: str, data: st.DataObject) -> None:
    # The API and the forms ask the rules only: the index (which the send service calls) must
    # never fail on what they let through.
    names = st.sampled_from([*known_attributes(kind), "other"])
    attributes = data.draw(st.dictionaries(names, _attribute_values, max_size=4))
    if entity_errors(kind, attributes) == {}:
        entity_tokens(kind, attributes)


def test_the_demo_and_the_test_scenarios_hold_valid_entities() -> None:
    entities = [e for _a, _r, m in demo_hits._REPORTS for e in m.entities] + [A_PERSON]

    for entity in entities:
        assert entity_problems(str(entity.kind), entity.attributes) == []


# --- The same rules at every way in -----------------------------------------------------------

# (kind, attributes, the attribute refused, what the refusal says)
BAD_ENTITIES = [
    pytest.param(
        "person",
        {"names": "Ion Popa", "date_of_birth": "2999-01-01"},
        "date_of_birth",
        "in the future",
        id="birth-in-future",
    ),
    pytest.param(
        "person", {"names": "Ion Popa", "nationality": "XX"}, "nationality", "ISO 3166", id="xx"
    ),
    pytest.param(
        "bank_account",
        {"iban": "RO49 AAAA 1B31 0075 9384 0001"},
        "iban",
        "check digits",
        id="iban-checksum",
    ),
    pytest.param("phone", {"number": "not a phone"}, "number", "international", id="phone"),
    pytest.param("vehicle", {"vin": "WVWZZZ1JZXW00001"}, "vin", "17", id="vin"),
    pytest.param(
        "person",
        {"names": "Ion Popa", "foo": "bar"},
        "foo",
        "Unknown attribute 'foo' for a person; known: names,",
        id="unknown",
    ),
]


@pytest.fixture(autouse=True)
def _no_throttle_carry_over() -> None:
    cache.clear()


def _api(officer: Officer) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=officer)
    return client


def _rows() -> tuple[int, int, int]:
    return Exchange.objects.count(), Entity.objects.count(), Attachment.objects.count()


def _api_request(kind: str, attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "request",
        "recipients": agency_ids("Bulgarian Police"),
        "crime_area": "drugs",
        "subject": "Heroin via Kapitan Andreevo",
        "body": "A lorry is expected on Friday.",
        "personal_data": True,
        "evaluation": {"source_reliability": "B", "information_accuracy": "2"},
        "entities": [PERSON_OK, {"kind": kind, "attributes": attributes}],
    }


PERSON_OK = {"kind": "person", "attributes": {"names": "Ivan Petrov", "nationality": "BG"}}


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "attributes", "attribute", "says"), BAD_ENTITIES)
def test_the_api_refuses_the_send_naming_the_entity_and_its_attribute(
    lo_ro: Officer, kind: str, attributes: dict[str, Any], attribute: str, says: str
) -> None:
    before = _rows()

    response = _api(lo_ro).post(f"{API}exchanges/", _api_request(kind, attributes), format="json")

    assert response.status_code == 400
    refused = response.json()["errors"]["entities"]
    assert list(refused) == ["1"]
    assert list(refused["1"]["attributes"]) == [attribute]
    assert says in refused["1"]["attributes"][attribute][0]
    assert _rows() == before


@pytest.mark.django_db
def test_the_api_refuses_a_reply_with_a_wrong_entity(lo_ro: Officer, lo_bg: Officer) -> None:
    parent = send(lo_ro, "Bulgarian Police")
    before = _rows()

    response = _api(lo_bg).post(
        f"{API}exchanges/{parent.reference}/replies/",
        {
            "subject": "Re: lorry",
            "body": "His phone.",
            "evaluation": {"source_reliability": "B", "information_accuracy": "2"},
            "entities": [{"kind": "phone", "attributes": {"number": "0721 000 000"}}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "international format" in json.dumps(response.json()["errors"]["entities"])
    assert _rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "attributes", "attribute", "says"), BAD_ENTITIES)
def test_the_service_refuses_what_goes_round_the_form_and_the_api(
    lo_ro: Officer, kind: str, attributes: dict[str, Any], attribute: str, says: str
) -> None:
    before = _rows()

    with pytest.raises(ValidationError) as refused:
        send(lo_ro, "Bulgarian Police", personal=True, entities=[EntityInput(kind, attributes)])

    (entity_message,) = refused.value.message_dict["entities"]
    assert entity_message.startswith(f"Entity 1 ({kind}): {attribute}: ")
    assert says in entity_message
    assert _rows() == before


@pytest.mark.django_db
def test_the_service_refuses_a_reply_with_an_unknown_kind_of_entity(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    parent = send(lo_ro, "Bulgarian Police")
    before = _rows()

    with pytest.raises(ValidationError) as refused:
        exchange_reply(
            officer=lo_bg,
            parent=parent,
            message=message(personal=True, entities=[EntityInput("starship", {"name": "x"})]),
        )

    assert "Unknown kind of entity 'starship'" in refused.value.message_dict["entities"][0]
    assert _rows() == before


def _compose(**rows: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "request",
        "recipients": agency_ids("Bulgarian Police"),
        "crime_area": CrimeArea.objects.get(code="drugs").pk,
        "priority": "urgent",
        "subject": "Heroin via Kapitan Andreevo",
        "body": "A lorry is expected on Friday.",
        "source_reliability": "B",
        "information_accuracy": "2",
    }
    for kind in ("person", "vehicle", "document", "phone", "company", "bank_account"):
        data |= {
            f"{kind}-TOTAL_FORMS": 1,
            f"{kind}-INITIAL_FORMS": 0,
            f"{kind}-MIN_NUM_FORMS": 0,
            f"{kind}-MAX_NUM_FORMS": 50,
        }
    return data | rows


def _field_errors(response: Any, field_id: str) -> str:
    content = html.unescape(response.content.decode())
    marker = f'<ul class="errorlist" id="{field_id}_error">'
    assert marker in content, f"no error shown on {field_id}"
    return content.split(marker, 1)[1].split("</ul>", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rows", "field", "says"),
    [
        (
            {"person-0-names": "Ion Popa", "person-0-date_of_birth": "2999-01-01"},
            "person-0-date_of_birth",
            "in the future",
        ),
        (
            {"person-0-names": "Ion Popa", "person-0-nationality": "XX"},
            "person-0-nationality",
            "ISO 3166",
        ),
        (
            {
                "person-0-names": "Ion Popa",
                "person-0-document_number": "05123456",
                "person-0-document_issuing_country": "XX",
            },
            "person-0-document_issuing_country",
            "ISO 3166",
        ),
        (
            {"bank_account-0-iban": "RO49 AAAA 1B31 0075 9384 0001"},
            "bank_account-0-iban",
            "check digits",
        ),
        ({"phone-0-number": "not a phone"}, "phone-0-number", "international format"),
        ({"vehicle-0-vin": "WVWZZZ1JZXW00001"}, "vehicle-0-vin", "17"),
        (
            {"company-0-name": "Kanarche EOOD", "company-0-country": "Bulgaria"},
            "company-0-country",
            "ISO 3166",
        ),
    ],
)
def test_the_compose_page_shows_the_rule_on_the_field_and_saves_nothing(
    login, lo_ro: Officer, rows: dict[str, str], field: str, says: str
) -> None:
    before = _rows()

    response = login(lo_ro).post(COMPOSE, _compose(**rows))

    assert response.status_code == 200
    assert says in _field_errors(response, f"id_{field}")
    assert _rows() == before


@pytest.mark.django_db
def test_the_compose_page_still_sends_valid_entities(login, lo_ro: Officer) -> None:
    response = login(lo_ro).post(
        COMPOSE,
        _compose(
            **{
                "person-0-names": "Ion Popa",
                "person-0-date_of_birth": "1980-04-12",
                "person-0-nationality": "ro",
                "phone-0-number": "+40 721 000 111",
                "bank_account-0-iban": "RO49 AAAA 1B31 0075 9384 0000",
            }
        ),
    )

    assert response.status_code == 302
    exchange = Exchange.objects.filter(sender_agency=lo_ro.agency).latest("pk")
    assert exchange.entities.count() == 3


def _searches() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="exchanges.hit_search"))


@pytest.mark.django_db
def test_the_hit_search_api_applies_the_rules_and_runs_no_search(lo_ro: Officer) -> None:
    response = _api(lo_ro).post(
        f"{API}hits/search/",
        {
            "justification": "Operation Danube, request 17",
            "entity": {"kind": "person", "attributes": {"names": "Ion Popa", "nationality": "XX"}},
        },
        format="json",
    )

    assert response.status_code == 400
    assert "ISO 3166" in response.json()["errors"]["entity"]["attributes"]["nationality"][0]
    assert _searches() == []


@pytest.mark.django_db
def test_the_hit_search_page_applies_the_rules_and_runs_no_search(login, lo_ro: Officer) -> None:
    response = login(lo_ro).post(
        SEARCH_PAGE,
        {
            "kind": "person",
            "justification": "Operation Danube, request 17",
            "entity-names": "Ion Popa",
            "entity-date_of_birth": "2999-01-01",
        },
    )

    assert response.status_code == 400
    assert "in the future" in _field_errors(response, "id_entity-date_of_birth")
    assert _searches() == []
