"""The correction in the REST API: POST /api/v1/exchanges/<reference>/correction/."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from exchanges.models import Exchange
from partners.models import Officer
from records.models import RecordsAuditEvent
from tests.exchanges.scenario import send
from tests.records.corrections_scenario import events, personal_report

pytestmark = pytest.mark.django_db

Api = Callable[[Officer], APIClient]
NEW_BODY = "Container MSCU 765432-1 expected on 5 December."


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """The API's rate per officer is counted in the cache: it starts afresh for each test."""
    cache.clear()


def _url(exchange: Exchange) -> str:
    return f"/api/v1/exchanges/{exchange.reference}/correction/"


def test_the_provider_corrects_the_body_and_the_evaluation(api: Api, lo_ro: Officer) -> None:
    exchange = personal_report(lo_ro)

    response = api(lo_ro).post(
        _url(exchange),
        {"body": NEW_BODY, "source_reliability": "A", "note": "Mistyped container."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["reference"] == exchange.reference
    assert answer["parts"] == ["body", "evaluation"]
    assert answer["entity"] is None
    assert answer["notified"] == 3  # lo.bg and nfp.bg (Bulgaria), lo.tr (Turkish Customs)
    assert answer["corrected_at"]
    stored = Exchange.objects.get(pk=exchange.pk)
    assert (stored.body, stored.source_reliability, stored.information_accuracy) == (
        NEW_BODY,
        "A",
        "2",
    )


def test_an_entity_is_corrected_by_index_then_by_the_uuid_the_answer_gives(
    api: Api, lo_ro: Officer
) -> None:
    exchange = personal_report(lo_ro)
    client = api(lo_ro)

    first = client.post(
        _url(exchange),
        {"entity": {"index": 0, "attributes": {"names": "Marko Marković"}}},
        format="json",
    )
    assert first.status_code == 200, first.json()
    new_uuid = first.json()["entity"]
    assert str(exchange.entities.get().uuid) == new_uuid

    second = client.post(
        _url(exchange),
        {
            "entity": {
                "uuid": new_uuid,
                "attributes": {"names": "Marko Markovic", "nationality": "ME"},
            }
        },
        format="json",
    )
    assert second.status_code == 200, second.json()
    assert exchange.entities.get().attributes == {"names": "Marko Markovic", "nationality": "ME"}


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({}, "non_field_errors"),
        ({"note": "only a note"}, "non_field_errors"),
        ({"body": 42}, "body"),
        ({"information_accuracy": ""}, "evaluation"),
        ({"source_reliability": "Z"}, "source_reliability"),
        ({"body": "Container MSCU 123456-7 expected on 3 December."}, "non_field_errors"),
        ({"entity": {"attributes": {"names": "X"}}}, "entity"),
        (
            {
                "entity": {
                    "index": 0,
                    "uuid": "8d1c3f4e-0000-4000-8000-000000000000",
                    "attributes": {},
                }
            },
            "entity",
        ),
        ({"entity": {"index": 5, "attributes": {"names": "X"}}}, "entity"),
        (
            {"entity": {"index": 0, "attributes": {"names": "X", "nationality": "Romania"}}},
            "entity",
        ),
    ],
)
def test_what_the_rules_refuse_is_400_naming_it_with_nothing_saved(
    api: Api, lo_ro: Officer, body: dict, key: str
) -> None:
    exchange = personal_report(lo_ro)
    response = api(lo_ro).post(_url(exchange), body, format="json")
    assert response.status_code == 400
    assert key in response.json()["errors"], response.json()
    assert Exchange.objects.get(pk=exchange.pk).corrected_at is None
    assert events(RecordsAuditEvent.CORRECTED) == []


@pytest.mark.parametrize("persona", ["lo_bg", "nfp_bg", "nfp_ro", "outsider", "dpo", "analyst"])
def test_anybody_but_the_provider_gets_404_whatever_the_body(
    request: pytest.FixtureRequest, api: Api, lo_ro: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = api(request.getfixturevalue(persona))
    for body in ({"body": NEW_BODY}, {"body": 42}):
        response = client.post(_url(exchange), body, format="json")
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert Exchange.objects.get(pk=exchange.pk).corrected_at is None


def test_a_reference_that_names_nothing_is_404(api: Api, lo_ro: Officer) -> None:
    client = api(lo_ro)
    for reference in ("SELEC-2026-999999", "not a reference"):
        response = client.post(f"/api/v1/exchanges/{reference}/correction/", {}, format="json")
        assert response.status_code == 404
