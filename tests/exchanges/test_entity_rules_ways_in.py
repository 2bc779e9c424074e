"""The same entity rules at every way in (the compose page, the API, the send service, the
hit/no-hit search), with nothing saved when they refuse."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from exchanges.models import Attachment, Entity, Exchange
from exchanges.services.inputs import EntityInput
from exchanges.services.sending import exchange_reply
from partners.models import Officer
from selec.core.models import AuditEvent
from taskforces.models import CrimeArea
from tests.exchanges.scenario import agency_ids, message, send

API = "/api/v1/"
COMPOSE = "/exchanges/new/"
SEARCH_PAGE = "/hits/search/"


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
