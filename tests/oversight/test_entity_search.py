"""The audit search by entity: what the DPO types is turned into blind-index tokens, which
narrow the log to the events about the exchanges holding the entity and the hits on it; the
identifier reaches neither an address nor the log."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from exchanges.models import ExchangeAuditEvent
from oversight.events import OversightAuditEvent
from partners.models import Officer
from selec.core.models import AuditAction, AuditEvent
from tests.hits.scenario import person, report
from tests.oversight.entity_scenario import (
    CYRILLIC,
    IDENTIFIER_PIECES,
    LATIN,
    EntityLogged,
    more_of_zhekov,
    tokens_of,
    typed,
)

pytestmark = pytest.mark.django_db

Login = Callable[[Officer], Client]
Api = Callable[[Officer], APIClient]
EVENTS = "/api/v1/audit/events/"
TOKENS = "/api/v1/audit/entity-tokens/"
OTHERS = ["directory_admin", "analyst", "lo_ro", "nfp_bg", "obs_at"]


def _row_ids(html: str, ids: list[int]) -> list[int]:
    positions = {pk: html.find(f'id="event-{pk}"') for pk in ids}
    return sorted((pk for pk, at in positions.items() if at >= 0), key=positions.__getitem__)


def _scenario_ids(logged: EntityLogged) -> list[int]:
    return list(AuditEvent.objects.filter(pk__gt=logged.baseline).values_list("pk", flat=True))


def test_the_cyrillic_and_latin_spellings_find_the_same_events(
    login: Login, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = login(dpo)
    everything = _scenario_ids(entity_logged)
    locations = {typed(client, name)["Location"] for name in (CYRILLIC, LATIN, "ZHEKOV Tsvetan")}
    [location] = locations
    assert location.startswith("/dpo/audit/?entity=person%3A")
    html = client.get(location).content.decode()
    assert _row_ids(html, everything) == entity_logged.about[::-1]
    assert entity_logged.romanian.reference in html
    assert entity_logged.bulgarian.reference in html
    assert entity_logged.other.reference not in html


def test_the_api_filter_gives_exactly_the_entitys_events_newest_first(
    api: Api, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = api(dpo)
    entity = tokens_of(client, CYRILLIC)
    assert entity == tokens_of(client, LATIN)
    body = client.get(EVENTS, {"entity": entity, "limit": "200"}).json()
    assert [row["id"] for row in body["results"]] == entity_logged.about[::-1]
    assert {row["event"] for row in body["results"]} >= {
        ExchangeAuditEvent.SENT,
        "hit.found",
        ExchangeAuditEvent.ATTACHMENT_DOWNLOADED,
        "exchange.corrected",
        "retention.erased",
    }


def test_the_entity_narrows_together_with_the_other_filters(
    api: Api, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = api(dpo)
    entity = tokens_of(client, LATIN)
    body = client.get(
        EVENTS, {"entity": entity, "officer": "lo.tr", "event": ExchangeAuditEvent.CONSULTED}
    ).json()
    # lo.tr consulted Zhekov's exchange twice, and another man's once.
    assert len(body["results"]) == 2
    assert {row["reference"] for row in body["results"]} == {entity_logged.romanian.reference}


def test_the_identifier_reaches_neither_an_address_nor_the_log(
    login: Login, api: Api, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = login(dpo)
    addresses = []
    for show in ("events", "report"):
        location = typed(client, CYRILLIC, show=show)["Location"]
        addresses.append(location)
        page = client.get(location)
        assert page.status_code == 200
        addresses += [page.context.get("export_link") or "", page.context.get("search_link") or ""]
        client.get(page.context.get("export_link") or location)
    rest = api(dpo)
    entity = tokens_of(rest, LATIN)
    rest.get(EVENTS, {"entity": entity})
    rest.get("/api/v1/audit/access/entity/", {"entity": entity})
    tokens = [item.split(":")[1] for item in entity.split(",")]
    for address in addresses:
        assert not any(piece in address for piece in IDENTIFIER_PIECES), address
    for event in AuditEvent.objects.filter(pk__gt=entity_logged.baseline):
        written = json.dumps(
            [event.details, event.reason, event.object_id, event.object_type], ensure_ascii=False
        )
        assert not any(piece in written for piece in IDENTIFIER_PIECES), written
        assert not any(token in written for token in tokens), written


def test_the_search_is_audited_with_the_kinds_of_the_tokens_and_what_it_found(
    api: Api, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = api(dpo)
    client.get(EVENTS, {"entity": tokens_of(client, LATIN), "officer": "lo.al"})
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert (event.event, event.action) == (OversightAuditEvent.SEARCHED, AuditAction.CONSULTATION)
    assert event.details == {
        "filters": {"username": "lo.al", "entity": "person"},
        "events": 1,
        "entity_exchanges": 2,
    }


def test_the_export_of_an_entity_search_holds_its_events_and_is_audited(
    login: Login, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = login(dpo)
    page = client.get(typed(client, LATIN)["Location"])
    response = client.get(page.context["export_link"])
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [int(row["id"]) for row in rows] == entity_logged.about[::-1]
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert event.event == OversightAuditEvent.EXPORTED
    assert event.details["filters"] == {"entity": "person"}
    assert event.details["entity_exchanges"] == 2


def test_a_name_alone_is_searched_by_the_name_and_the_page_says_it_is_weaker(
    login: Login, api: Api, dpo: Officer, entity_logged: EntityLogged
) -> None:
    entity = tokens_of(api(dpo), CYRILLIC, born=None)
    assert entity.startswith("person_name:")
    client = login(dpo)
    location = typed(client, LATIN, born=None)["Location"]
    assert parse_qs(urlsplit(location).query)["entity"] == [entity]
    html = client.get(location).content.decode()
    assert "other people of the same name are included" in html
    assert _row_ids(html, _scenario_ids(entity_logged)) == entity_logged.about[::-1]


def test_a_document_number_finds_the_person_whose_document_carries_it(
    api: Api, dpo: Officer, lo_ro: Officer
) -> None:
    carried = report(
        lo_ro,
        person("Emil Raykov", documents=[{"number": "AB123456", "issuing_country": "BG"}]),
    )
    client = api(dpo)
    response = client.post(
        TOKENS,
        {
            "entity": {
                "kind": "document",
                "attributes": {"number": "ab 123-456", "issuing_country": "BG"},
            }
        },
    )
    entity = response.json()["entity"]
    assert response.json()["token_kinds"] == ["document_number"]
    body = client.get(EVENTS, {"entity": entity}).json()
    assert [row["reference"] for row in body["results"]] == [carried.reference]


def test_an_entity_no_exchange_holds_finds_nothing_and_says_so(
    login: Login, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = login(dpo)
    response = client.get(typed(client, "Nobody Atall")["Location"])
    assert response.context["page"].rows == []
    assert 'id="entity-held-nowhere"' in response.content.decode()


def test_what_does_not_identify_is_a_form_error(login: Login, dpo: Officer) -> None:
    response = login(dpo).post("/dpo/entity/", {"kind": "vehicle", "show": "events"})
    assert response.status_code == 400
    assert "Give the registration plate or the VIN." in response.content.decode()
    assert not AuditEvent.objects.filter(event__startswith="audit.").exists()


def test_tokens_that_do_not_parse_are_a_400_in_the_api_and_named_on_the_page(
    login: Login, api: Api, dpo: Officer
) -> None:
    response = api(dpo).get(EVENTS, {"entity": "person:Zhekov"})
    assert response.status_code == 400
    assert "entity" in response.json()["errors"]
    page = login(dpo).get("/dpo/audit/", {"entity": "person:Zhekov"})
    assert page.status_code == 200
    assert "The entity was not understood" in page.content.decode()


def test_the_tokens_endpoint_checks_the_entity(api: Api, dpo: Officer) -> None:
    client = api(dpo)
    wrong = client.post(
        TOKENS, {"entity": {"kind": "person", "attributes": {"date_of_birth": "tomorrow"}}}
    )
    assert wrong.status_code == 400
    assert "entity" in wrong.json()["errors"]
    empty = client.post(TOKENS, {"entity": {"kind": "phone", "attributes": {}}})
    assert empty.status_code == 400
    assert empty.json()["errors"]["entity"] == [
        "Give at least one identifying attribute: a name, a number, a plate..."
    ]


def test_api_pages_cost_the_same_queries_whatever_their_rows(
    api: Api,
    dpo: Officer,
    lo_ro: Officer,
    lo_tr: Officer,
    entity_logged: EntityLogged,
    django_assert_num_queries,
    django_assert_max_num_queries,
) -> None:
    client = api(dpo)
    entity = tokens_of(client, LATIN)
    # Session-less API client: the exchanges holding the entity, the page, its rows'
    # justifications (none on some pages), the savepoint pair and the search's audit insert.
    seen: list[int] = []
    url: str | None = f"{EVENTS}?entity={entity}&limit=1"
    while url:
        with django_assert_max_num_queries(6):
            body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == entity_logged.about[::-1]
    more_of_zhekov(lo_ro, lo_tr, 3)
    with django_assert_num_queries(6):
        body = client.get(EVENTS, {"entity": entity, "limit": "200"}).json()
    assert len(body["results"]) == len(entity_logged.about) + 6


def _query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_page_costs_the_same_queries_with_more_rows(
    login: Login, dpo: Officer, lo_ro: Officer, lo_tr: Officer, entity_logged: EntityLogged
) -> None:
    client = login(dpo)
    location = typed(client, LATIN)["Location"]
    before = _query_count(client, location)
    more_of_zhekov(lo_ro, lo_tr, 3)
    assert _query_count(client, location) == before


@pytest.mark.parametrize("persona", OTHERS)
def test_nobody_but_the_dpo_may_type_an_entity(
    persona: str, request: pytest.FixtureRequest, login: Login, api: Api
) -> None:
    officer = request.getfixturevalue(persona)
    assert typed(login(officer), LATIN).status_code == 404
    response = api(officer).post(
        TOKENS, {"entity": {"kind": "person", "attributes": {"names": LATIN}}}
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert not AuditEvent.objects.filter(event__startswith="audit.").exists()


def test_the_form_asks_for_one_kind_of_entity_and_keeps_nothing(login: Login, dpo: Officer) -> None:
    client = login(dpo)
    response = client.get("/dpo/entity/", {"kind": "vehicle", "show": "events"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="entity-plate"' in html
    assert 'name="entity-names"' not in html
    assert 'method="post"' in html
    assert 'autocomplete="off"' in html
    assert '<a href="?kind=person&amp;show=events">' in html
    # Showing the form reads nothing: nothing recorded.
    assert not AuditEvent.objects.filter(event__startswith="audit.").exists()
