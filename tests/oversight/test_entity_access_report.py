"""The access report of one entity: who collected, consulted, disclosed, combined, exported,
corrected or erased the exchanges holding it, oldest first, with the justifications given."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.test import Client
from rest_framework.test import APIClient

from exchanges.models import ExchangeAuditEvent
from hits.models import HitAuditEvent
from oversight.events import OversightAuditEvent
from partners.models import Officer
from records.models import RecordsAuditEvent
from selec.core.audit_events import CoreAuditEvent
from selec.core.models import AuditAction, AuditEvent
from tests.oversight.entity_scenario import (
    AL_PURPOSE,
    CORRECTION_WHY,
    CYRILLIC,
    EVIDENCE_WHY,
    FORWARD_WHY,
    IDENTIFIER_PIECES,
    LATIN,
    TR_PURPOSE,
    EntityLogged,
    more_of_zhekov,
    tokens_of,
    typed,
)

pytestmark = pytest.mark.django_db

Login = Callable[[Officer], Client]
Api = Callable[[Officer], APIClient]
REPORT = "/api/v1/audit/access/entity/"

# The scenario's events about Zhekov, oldest first: (event, who, justification).
EXPECTED = [
    (ExchangeAuditEvent.SENT, "lo.ro", None),
    (ExchangeAuditEvent.SENT, "lo.bg", None),
    (HitAuditEvent.FOUND, "system", None),
    (ExchangeAuditEvent.CONSULTED, "lo.tr", TR_PURPOSE),
    (ExchangeAuditEvent.CONSULTED, "lo.tr", None),
    (ExchangeAuditEvent.ATTACHMENT_DOWNLOADED, "lo.tr", None),
    (ExchangeAuditEvent.FORWARDED, "lo.tr", FORWARD_WHY),
    (ExchangeAuditEvent.CONSULTED, "lo.al", AL_PURPOSE),
    (ExchangeAuditEvent.EVIDENCE_EXPORTED, "lo.tr", EVIDENCE_WHY),
    (RecordsAuditEvent.CORRECTED, "lo.bg", CORRECTION_WHY),
    (RecordsAuditEvent.ERASED, "lo.bg", "Review: no longer needed"),
    (CoreAuditEvent.REQUEST_REFUSED, "lo.gr", None),
]


def _report(client: APIClient, entity: str) -> dict:
    response = client.get(REPORT, {"entity": entity})
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_report_lists_exactly_the_entitys_events_with_their_justifications(
    api: Api, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = api(dpo)
    body = _report(client, tokens_of(client, CYRILLIC))
    assert [(e["event"], e["username"], e["justification"]) for e in body["events"]] == EXPECTED
    assert [e["id"] for e in body["events"]] == entity_logged.about
    assert body["token_kinds"] == ["person"]
    assert body["weaker"] is False
    assert [held["reference"] for held in body["exchanges"]] == [
        entity_logged.romanian.reference,
        entity_logged.bulgarian.reference,
    ]
    assert body["truncated"] is body["exchanges_truncated"] is False
    # Not the other man's exchange, nor the hit search (it names nobody's exchange).
    assert entity_logged.other.reference not in str(body)
    assert "Looking for Zhekov" not in str(body)


def test_the_page_report_lists_them_printable(
    login: Login, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = login(dpo)
    location = typed(client, LATIN, show="report")["Location"]
    assert location.startswith("/dpo/access/entity/?entity=person%3A")
    response = client.get(location)
    assert response.status_code == 200
    assert [row.event.pk for row in response.context["report"].rows] == entity_logged.about
    html = response.content.decode()
    for why in (FORWARD_WHY, EVIDENCE_WHY, CORRECTION_WHY, TR_PURPOSE, AL_PURPOSE):
        assert why in html
    assert f'href="/dpo/access/{entity_logged.romanian.reference}/"' in html
    assert entity_logged.other.reference not in html
    assert "oversight/print.css" in html
    assert not any(piece in html for piece in IDENTIFIER_PIECES)


def test_the_report_is_audited_and_named_by_the_exchanges_reports(
    api: Api, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = api(dpo)
    entity = tokens_of(client, LATIN)
    first = _report(client, entity)
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert (event.event, event.action) == (
        OversightAuditEvent.ACCESS_REPORTED,
        AuditAction.CONSULTATION,
    )
    assert event.object_type == "exchanges.entity"
    assert event.details == {
        "entity": ["person"],
        "references": [entity_logged.romanian.reference, entity_logged.bulgarian.reference],
        "events": len(EXPECTED),
    }
    # The DPO's reads are answerable too: the next report, the entity's or an exchange's,
    # lists this one.
    second = _report(client, entity)
    assert [e["id"] for e in second["events"]] == [*[e["id"] for e in first["events"]], event.pk]
    exchange_report = client.get(f"/api/v1/audit/access/{entity_logged.bulgarian.reference}/")
    assert event.pk in [e["id"] for e in exchange_report.json()["events"]]


def test_an_entity_no_exchange_holds_gives_an_empty_report_that_says_so(
    login: Login, api: Api, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = api(dpo)
    body = _report(client, tokens_of(client, "Nobody Atall"))
    assert body["exchanges"] == body["events"] == []
    page = login(dpo).get(typed(login(dpo), "Nobody Atall", show="report")["Location"])
    assert 'id="entity-held-nowhere"' in page.content.decode()
    assert AuditEvent.objects.filter(event=OversightAuditEvent.ACCESS_REPORTED).count() == 2


@pytest.mark.parametrize("entity", ["", "person", "person:XYZ", "passport:" + "a" * 64])
def test_tokens_that_do_not_parse_are_a_400(api: Api, dpo: Officer, entity: str) -> None:
    response = api(dpo).get(REPORT, {"entity": entity})
    assert response.status_code == 400
    assert "entity" in response.json()["errors"]
    assert not AuditEvent.objects.filter(event=OversightAuditEvent.ACCESS_REPORTED).exists()


def test_the_page_shows_the_form_again_for_a_link_not_understood(
    login: Login, dpo: Officer
) -> None:
    client = login(dpo)
    response = client.get("/dpo/access/entity/?" + urlencode({"entity": "person:Zhekov"}))
    assert response.status_code == 400
    assert 'id="entity-error"' in response.content.decode()
    bare = client.get("/dpo/access/entity/")
    assert bare.status_code == 302
    assert bare["Location"] == "/dpo/entity/?show=report"


def test_the_report_costs_the_same_queries_with_more_rows(
    api: Api,
    dpo: Officer,
    lo_ro: Officer,
    lo_tr: Officer,
    entity_logged: EntityLogged,
    django_assert_num_queries,
) -> None:
    client = api(dpo)
    entity = tokens_of(client, LATIN)
    # The exchanges holding it, the events, their justifications, their consultations'
    # purposes, the savepoint pair and the report's audit insert.
    with django_assert_num_queries(7):
        _report(client, entity)
    more_of_zhekov(lo_ro, lo_tr, 3)
    with django_assert_num_queries(7):
        body = _report(client, entity)
    assert len(body["events"]) == len(EXPECTED) + 1 + 6
