"""The audit search and the access report in the API, as the DPO."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from exchanges.models import ExchangeAuditEvent
from hits.models import HitAuditEvent
from oversight.events import OversightAuditEvent
from partners.models import Officer
from selec.core.audit_events import CoreAuditEvent
from selec.core.models import AuditAction, AuditEvent
from tests.oversight.scenario import CONSULT_WHY, FORWARD_WHY, SEARCH_WHY, Logged, events_since

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/audit/events/"
Api = Callable[[Officer], APIClient]


def _access(reference: str) -> str:
    return f"/api/v1/audit/access/{reference}/"


def _ids(body: dict) -> list[int]:
    return [row["id"] for row in body["results"]]


def _newest_ids(logged: Logged) -> list[int]:
    """The scenario's events, newest first: call it before a search, which adds its own."""
    return [event.pk for event in events_since(logged.baseline)]


def test_it_lists_the_scenarios_events_newest_first_with_who_what_when_where_why(
    api: Api, dpo: Officer, logged: Logged
) -> None:
    scenario = _newest_ids(logged)
    body = api(dpo).get(EVENTS, {"limit": "200"}).json()
    assert _ids(body)[: len(scenario)] == scenario
    forward = next(r for r in body["results"] if r["event"] == ExchangeAuditEvent.FORWARDED)
    assert forward["username"] == "lo.tr"
    assert forward["agency"] == "Turkish Customs"
    assert forward["party"] == "TR"
    assert forward["category"] == AuditAction.DISCLOSURE
    assert forward["event_label"] == "Exchange forwarded"
    assert forward["reference"] == logged.romanian.reference
    assert forward["object_type"] == "exchanges.exchange"
    assert forward["object_id"] == str(logged.romanian.pk)
    assert forward["reason"]
    assert forward["justification"] == FORWARD_WHY
    assert forward["justification_altered"] is False
    refusal = next(r for r in body["results"] if r["category"] == AuditAction.REFUSAL)
    assert refusal["username"] == "lo.gr"
    assert refusal["ip_address"] == "127.0.0.1"
    assert refusal["request_id"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"officer": "lo.tr"}, lambda e: e.actor_username == "lo.tr"),
        ({"agency": "Bulgarian Police"}, lambda e: e.actor_agency == "Bulgarian Police"),
        ({"party": "ro"}, lambda e: e.actor_party == "RO"),
        (
            {"event": ExchangeAuditEvent.CONSULTED},
            lambda e: e.event == ExchangeAuditEvent.CONSULTED,
        ),
        ({"action": AuditAction.COMBINATION}, lambda e: e.action == AuditAction.COMBINATION),
        ({"refused": "true"}, lambda e: e.action == AuditAction.REFUSAL),
    ],
)
def test_each_filter_narrows_to_exactly_its_events(
    api: Api, dpo: Officer, logged: Logged, params: dict[str, str], expected: Callable
) -> None:
    body = api(dpo).get(EVENTS, {**params, "limit": "200"}).json()
    wanted = [e.pk for e in events_since(logged.baseline) if expected(e)]
    assert wanted
    assert [i for i in _ids(body) if i > logged.baseline] == wanted


def test_the_reference_filter_gives_the_events_whose_object_is_that_exchange(
    api: Api, dpo: Officer, logged: Logged
) -> None:
    body = api(dpo).get(EVENTS, {"reference": logged.romanian.reference.lower()}).json()
    assert [r["event"] for r in body["results"]] == [
        ExchangeAuditEvent.FORWARDED,
        ExchangeAuditEvent.CONSULTED,
        ExchangeAuditEvent.SENT,
    ]


def test_a_reference_that_names_nothing_filters_to_nothing(
    api: Api, dpo: Officer, logged: Logged
) -> None:
    body = api(dpo).get(EVENTS, {"reference": "SELEC-1999-999999"}).json()
    assert body["results"] == []


def test_the_date_range_counts_in_the_dpos_days(api: Api, dpo: Officer, logged: Logged) -> None:
    today = dt.date.today()
    scenario = set(_newest_ids(logged))
    client = api(dpo)
    within = client.get(
        EVENTS, {"occurred_from": (today - dt.timedelta(days=1)).isoformat(), "limit": "200"}
    )
    assert scenario <= set(_ids(within.json()))
    after = client.get(EVENTS, {"occurred_from": (today + dt.timedelta(days=2)).isoformat()})
    assert after.json()["results"] == []
    before = client.get(
        EVENTS, {"occurred_to": (today - dt.timedelta(days=2)).isoformat(), "limit": "200"}
    )
    assert not scenario & set(_ids(before.json()))


def test_filters_that_do_not_parse_are_one_400(api: Api, dpo: Officer) -> None:
    response = api(dpo).get(
        EVENTS,
        {
            "reference": "Marinescu",
            "event": "nothing.happened",
            "occurred_from": "2026-05-02",
            "occurred_to": "2026-05-01",
        },
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"reference", "event", "occurred_to"}


def test_paging_walks_to_the_end_at_a_constant_query_count(
    api: Api, dpo: Officer, logged: Logged, django_assert_num_queries
) -> None:
    client = api(dpo)
    # Filtered to the scenario's two consultations, one per page: the query count of a page
    # does not depend on where it is in the log.
    params = {"action": str(AuditAction.CONSULTATION), "party": "TR", "limit": "1"}
    seen: list[int] = []
    url: str | None = EVENTS
    pages = 0
    while url:
        # Session-less API client: the page's select, the justifications of its rows (each
        # consultation carries its purpose), the savepoint pair and the search's audit insert.
        with django_assert_num_queries(5):
            body = client.get(url, params if url == EVENTS else None).json()
        seen += _ids(body)
        url = body["next"]
        pages += 1
    consulted = [
        e.pk
        for e in events_since(logged.baseline)
        if e.action == AuditAction.CONSULTATION and e.actor_party == "TR"
    ]
    assert seen == consulted
    assert pages == len(consulted) == 2


def test_a_page_s_justifications_cost_one_query_however_many_it_shows(
    api: Api, dpo: Officer, logged: Logged, django_assert_num_queries
) -> None:
    client = api(dpo)
    with django_assert_num_queries(4):
        client.get(EVENTS, {"event": ExchangeAuditEvent.SENT})
    with django_assert_num_queries(5):
        justified = client.get(EVENTS, {"limit": "200"}).json()["results"]
    assert sum(1 for row in justified if row["justification"]) >= 2


def test_the_previous_link_leads_back(api: Api, dpo: Officer, logged: Logged) -> None:
    client = api(dpo)
    first = client.get(EVENTS, {"limit": 2}).json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert _ids(back) == _ids(first)
    assert first["previous"] is None


def test_a_forged_cursor_is_a_400(api: Api, dpo: Officer) -> None:
    response = api(dpo).get(EVENTS, {"cursor": "cD1nYXJiYWdl"})
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_every_search_is_itself_audited(api: Api, dpo: Officer, logged: Logged) -> None:
    api(dpo).get(EVENTS, {"officer": "lo.tr"})
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert event.event == OversightAuditEvent.SEARCHED
    assert event.actor_username == "dpo"
    assert event.action == AuditAction.CONSULTATION
    assert event.details == {"filters": {"username": "lo.tr"}, "events": 3}


def test_the_csv_export_holds_the_search_and_is_audited_as_an_export(
    api: Api, dpo: Officer, logged: Logged
) -> None:
    response = api(dpo).get(EVENTS, {"format": "csv", "officer": "lo.tr"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="selec-audit-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    expected = [e.pk for e in events_since(logged.baseline) if e.actor_username == "lo.tr"]
    assert [int(row["id"]) for row in rows] == expected
    assert rows[0]["justification"] == FORWARD_WHY
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert event.event == OversightAuditEvent.EXPORTED
    assert event.action == AuditAction.EXPORT
    assert event.details["events"] == 3
    assert event.details["truncated"] is False


def test_an_error_asked_as_csv_is_answered_in_json(api: Api, dpo: Officer) -> None:
    response = api(dpo).get(EVENTS, {"format": "csv", "occurred_from": "yesterday"})
    assert response.status_code == 400
    assert "occurred_from" in response.json()["errors"]
    assert not AuditEvent.objects.filter(event=OversightAuditEvent.EXPORTED).exists()


def test_the_access_report_lists_every_event_about_the_exchange_oldest_first(
    api: Api, dpo: Officer, logged: Logged
) -> None:
    body = api(dpo).get(_access(logged.romanian.reference)).json()
    assert body["reference"] == logged.romanian.reference
    assert body["object_id"] == str(logged.romanian.pk)
    assert body["found"] is True
    assert body["truncated"] is False
    about = [(e["event"], e["username"], e["justification"]) for e in body["events"]]
    assert about == [
        (ExchangeAuditEvent.SENT, "lo.ro", None),
        (HitAuditEvent.FOUND, "system", None),
        (ExchangeAuditEvent.CONSULTED, "lo.tr", CONSULT_WHY),
        (ExchangeAuditEvent.FORWARDED, "lo.tr", FORWARD_WHY),
        (CoreAuditEvent.REQUEST_REFUSED, "lo.gr", None),
    ]
    # Not the hit search: it names a person, never an exchange.
    assert SEARCH_WHY not in str(body)


def test_the_access_report_is_audited_and_lists_itself_next_time(
    api: Api, dpo: Officer, logged: Logged
) -> None:
    client = api(dpo)
    first = client.get(_access(logged.bulgarian.reference)).json()
    second = client.get(_access(logged.bulgarian.reference)).json()
    assert len(second["events"]) == len(first["events"]) + 1
    last = second["events"][-1]
    assert last["event"] == OversightAuditEvent.ACCESS_REPORTED
    assert last["username"] == "dpo"


def test_a_reference_that_names_nothing_gives_an_empty_report(api: Api, dpo: Officer) -> None:
    response = api(dpo).get(_access("SELEC-JI-1999-9999"))
    assert response.status_code == 200
    body = response.json()
    assert body["found"] is False
    assert body["object_id"] is None
    assert body["events"] == []


def test_a_reference_not_of_the_shape_is_a_400(api: Api, dpo: Officer) -> None:
    response = api(dpo).get(_access("Marinescu"))
    assert response.status_code == 400
    assert "reference" in response.json()["errors"]


def test_an_unknown_format_is_a_400_naming_the_formats(api: Api, dpo: Officer) -> None:
    response = api(dpo).get(EVENTS, {"format": "xml"})
    assert response.status_code == 400
    assert response.json()["errors"]["format"] == ["Unknown format: choose json, csv."]


def test_csv_asked_with_accept_json_only_is_a_406(api: Api, dpo: Officer) -> None:
    response = api(dpo).get(EVENTS, {"format": "csv"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
