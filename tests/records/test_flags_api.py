"""Inaccuracy flags in the REST API: filing one on an exchange, the agency's list (by role and
status, paged by cursor), the provider's answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from exchanges.models import Exchange
from partners.models import Officer
from records.models import FlagStatus, InaccuracyFlag, RecordsNotificationKind
from tests.exchanges.scenario import send
from tests.records.corrections_scenario import flag, notices

pytestmark = pytest.mark.django_db

Api = Callable[[Officer], APIClient]
FLAGS = "/api/v1/inaccuracy-flags/"
NOTE = "The plate B 123 ABC belongs to a Dacia, not to the Audi described."


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """The API's rate per officer is counted in the cache: it starts afresh for each test."""
    cache.clear()


def _file_url(exchange: Exchange) -> str:
    return f"/api/v1/exchanges/{exchange.reference}/inaccuracy-flags/"


def _answer_url(pk: int) -> str:
    return f"{FLAGS}{pk}/answer/"


def test_a_recipient_files_a_flag_and_a_second_waits_for_the_answer(
    api: Api, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = api(lo_bg)

    response = client.post(_file_url(exchange), {"note": NOTE}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["exchange"] == exchange.reference
    assert body["status"] == "open"
    assert body["note"] == NOTE
    assert body["flagging_agency"]["name"] == "Bulgarian Police"
    assert body["flagged_by"] == "lo.bg"
    assert (body["outcome"], body["answer"], body["answered_at"], body["answered_by"]) == (
        "",
        "",
        None,
        None,
    )
    assert notices(RecordsNotificationKind.INACCURACY_FLAGGED)["lo.ro"]

    again = client.post(_file_url(exchange), {"note": "And the colour."}, format="json")
    assert again.status_code == 400
    assert "already has an open inaccuracy flag" in again.json()["errors"]["non_field_errors"][0]


@pytest.mark.parametrize(
    ("body", "key"), [({}, "note"), ({"note": ""}, "note"), ({"note": 7}, "note")]
)
def test_a_flag_needs_a_note(
    api: Api, lo_ro: Officer, lo_bg: Officer, body: dict, key: str
) -> None:
    response = api(lo_bg).post(_file_url(send(lo_ro, "Bulgarian Police")), body, format="json")
    assert response.status_code == 400
    assert key in response.json()["errors"]
    assert not InaccuracyFlag.objects.exists()


@pytest.mark.parametrize("persona", ["lo_ro", "outsider", "dpo"])
def test_the_provider_and_those_who_do_not_see_the_exchange_get_404(
    request: pytest.FixtureRequest, api: Api, lo_ro: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    for body in ({"note": NOTE}, {}):
        response = api(request.getfixturevalue(persona)).post(
            _file_url(exchange), body, format="json"
        )
        assert response.status_code == 404
    assert not InaccuracyFlag.objects.exists()


def test_the_list_by_role_and_status(api: Api, lo_ro: Officer, lo_bg: Officer) -> None:
    mine = send(lo_ro, "Bulgarian Police")
    theirs = send(lo_bg, "Romanian Police")
    received = flag(lo_bg, mine, NOTE)
    filed = flag(lo_ro, theirs, NOTE)
    client = api(lo_ro)

    def ids(query: str = "") -> list[int]:
        response = client.get(FLAGS + query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [filed.pk, received.pk]
    assert ids("?role=received") == [received.pk]
    assert ids("?role=filed") == [filed.pk]
    assert ids("?status=answered") == []
    assert ids("?role=received&status=open") == [received.pk]
    # Another agency's list holds neither side of the Romanians'.
    assert [r["id"] for r in api(lo_bg).get(FLAGS + "?role=received").json()["results"]] == [
        filed.pk
    ]


def test_the_list_pages_by_cursor(api: Api, lo_ro: Officer, lo_bg: Officer) -> None:
    flags = [flag(lo_bg, send(lo_ro, "Bulgarian Police"), NOTE) for _ in range(3)]
    client = api(lo_ro)
    first = client.get(FLAGS, {"limit": 2}).json()
    assert [r["id"] for r in first["results"]] == [flags[2].pk, flags[1].pk]
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [flags[0].pk]
    assert second["next"] is None


@pytest.mark.parametrize(
    "query", ["?role=everyone", "?status=closed", "?cursor=not-one", "?limit=0"]
)
def test_a_parameter_that_is_not_understood_is_400(api: Api, lo_ro: Officer, query: str) -> None:
    assert api(lo_ro).get(FLAGS + query).status_code == 400


def test_officers_of_no_agency_list_nothing(api: Api, dpo: Officer) -> None:
    response = api(dpo).get(FLAGS)
    assert (response.status_code, response.json()["results"]) == (200, [])


def test_the_provider_answers_and_the_flagging_agency_is_told(
    api: Api, lo_ro: Officer, lo_bg: Officer
) -> None:
    filed = flag(lo_bg, send(lo_ro, "Bulgarian Police"), NOTE)
    client = api(lo_ro)

    refused = client.post(_answer_url(filed.pk), {"outcome": "upheld"}, format="json")
    assert refused.status_code == 400
    assert "answer" in refused.json()["errors"]

    response = client.post(
        _answer_url(filed.pk),
        {"outcome": "upheld", "answer": "Checked with the registry."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["outcome"], body["answer"], body["answered_by"]) == (
        "answered",
        "upheld",
        "Checked with the registry.",
        "lo.ro",
    )
    assert InaccuracyFlag.objects.get(pk=filed.pk).status == FlagStatus.ANSWERED
    assert notices(RecordsNotificationKind.INACCURACY_ANSWERED)["lo.bg"]
    assert (
        client.post(
            _answer_url(filed.pk), {"outcome": "upheld", "answer": "x"}, format="json"
        ).status_code
        == 400
    )


@pytest.mark.parametrize("persona", ["lo_bg", "nfp_bg", "outsider", "dpo"])
def test_only_the_provider_answers(
    request: pytest.FixtureRequest, api: Api, lo_ro: Officer, lo_bg: Officer, persona: str
) -> None:
    filed = flag(lo_bg, send(lo_ro, "Bulgarian Police"), NOTE)
    client = api(request.getfixturevalue(persona))
    for pk in (filed.pk, filed.pk + 1000):
        response = client.post(_answer_url(pk), {"outcome": "upheld", "answer": "x"}, format="json")
        assert response.status_code == 404
    assert InaccuracyFlag.objects.get(pk=filed.pk).status == FlagStatus.OPEN
