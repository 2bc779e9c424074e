"""The exchanges list of the API: the inbox's filters, cursor paging, constant cost, the
schema that describes them."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from exchanges.models import Exchange
from exchanges.selectors_inbox import local_day
from exchanges.services import consultation
from partners.models import Officer
from taskforces.models import CrimeArea, TaskForce
from tests.exchanges.api_calls import API, _url
from tests.exchanges.scenario import send, set_due
from tests.helpers import purpose_given

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_throttle_carry_over")]

# The inbox's filters, each a parameter of the list (as the inbox page's form has them).
INBOX_FILTERS = (
    "reference",
    "direction",
    "kind",
    "priority",
    "status",
    "crime_area",
    "task_force",
    "sent_from",
    "sent_to",
    "overdue",
    "unread",
    "due_today",
    "sort",
)


# --- the list ---------------------------------------------------------------------------------


def _listed(client: APIClient, query: dict[str, str]) -> list[str]:
    response = client.get(f"{API}exchanges/", query)
    assert response.status_code == 200, response.content
    return [e["reference"] for e in response.json()["results"]]


def _cursor(position: str, *, reverse: bool = False) -> str:
    """A cursor as DRF encodes one (a forged one, for the refusals)."""
    tokens = f"r=1&p={position}" if reverse else f"p={position}"
    return base64.b64encode(tokens.encode()).decode()


def test_the_list_filters_as_the_inbox_and_carries_no_content(api, lo_ro, lo_bg) -> None:
    urgent = send(lo_ro, "Bulgarian Police", priority="urgent", attachments=())
    routine = send(lo_ro, "Bulgarian Police", priority="routine", kind="information")
    client = api(lo_bg)

    everything = client.get(f"{API}exchanges/").json()["results"]
    only_urgent = client.get(f"{API}exchanges/", {"priority": "urgent"}).json()["results"]
    only_information = client.get(f"{API}exchanges/", {"kind": "information"}).json()["results"]

    assert [e["reference"] for e in everything] == [routine.reference, urgent.reference]
    assert [e["reference"] for e in only_urgent] == [urgent.reference]
    assert [e["reference"] for e in only_information] == [routine.reference]
    assert all("subject" not in e and "body" not in e for e in everything)


def test_each_inbox_filter_narrows_the_list(api, lo_ro, lo_bg) -> None:
    outgoing = send(lo_bg, "Romanian Police", attachments=())
    thb = send(lo_ro, "Bulgarian Police", attachments=())
    due_today = send(lo_ro, "Bulgarian Police", attachments=())
    old = send(lo_ro, "Bulgarian Police", kind="information", attachments=())
    Exchange.objects.filter(pk=thb.pk).update(
        crime_area=CrimeArea.objects.get(code="thb"),
        task_force=TaskForce.objects.get(code="thb_migration"),
    )
    Exchange.objects.filter(pk=old.pk).update(
        reference="SELEC-2019-000042", sent_at=dt.datetime(2019, 5, 2, 10, tzinfo=dt.UTC)
    )
    _, end = local_day(lo_bg, timezone.now())
    set_due(Exchange.objects.filter(pk=due_today.pk), end - dt.timedelta(seconds=1))
    purpose_given(lo_bg, due_today)
    consultation.exchange_consult(officer=lo_bg, exchange=due_today)
    client = api(lo_bg)

    assert _listed(client, {"direction": "outgoing"}) == [outgoing.reference]
    assert _listed(client, {"crime_area": "thb"}) == [thb.reference]
    assert _listed(client, {"task_force": "thb_migration"}) == [thb.reference]
    assert _listed(client, {"due_today": "true"}) == [due_today.reference]
    assert due_today.reference not in _listed(client, {"unread": "true"})
    assert due_today.reference not in _listed(client, {"direction": "incoming", "status": "unread"})
    assert _listed(client, {"reference": "2019-"}) == ["SELEC-2019-000042"]
    assert _listed(client, {"sent_from": "2019-05-01", "sent_to": "2019-05-31"}) == [
        "SELEC-2019-000042"
    ]
    assert _listed(client, {"sort": "oldest"})[0] == "SELEC-2019-000042"
    assert _listed(client, {"overdue": "true"}) == []
    assert len(_listed(client, {"overdue": "false", "unread": "false"})) == 4


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"priority": "soon", "cursor": "x"}, {"priority", "cursor"}),
        ({"direction": "sideways", "limit": "0"}, {"direction", "limit"}),
        ({"kind": "memo"}, {"kind"}),
        ({"status": "lost"}, {"status"}),
        ({"crime_area": "piracy", "task_force": "nope"}, {"crime_area", "task_force"}),
        ({"sent_from": "2025-13-45"}, {"sent_from"}),
        ({"sent_from": "2025-03-01", "sent_to": "2025-02-01"}, {"sent_to"}),
        ({"reference": "DROP TABLE"}, {"reference"}),
        ({"sort": "random"}, {"sort"}),
        ({"limit": "201"}, {"limit"}),
        ({"limit": "x"}, {"limit"}),
        ({"cursor": _cursor("2026-01-01T00:00:00Z")}, {"cursor"}),
        ({"cursor": _cursor("x", reverse=True)}, {"cursor"}),
    ],
)
def test_a_parameter_that_does_not_parse_is_400_naming_each_one(
    api, lo_bg, query: dict[str, str], fields: set[str]
) -> None:
    response = api(lo_bg).get(f"{API}exchanges/", query)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == fields


def test_the_inbox_s_own_cursor_parameters_are_not_the_api_s(api, lo_ro, lo_bg) -> None:
    sent = [send(lo_ro, "Bulgarian Police", attachments=()).reference for _ in range(2)]

    # The page's ``after`` means nothing to the API: the first page, as without it.
    assert _listed(api(lo_bg), {"after": "2000-01-01T00:00:00.000000Z_1"}) == sent[::-1]


def test_cursor_pages_follow_each_other_without_overlap(api, lo_ro, lo_bg) -> None:
    sent = [send(lo_ro, "Bulgarian Police", attachments=()).reference for _ in range(7)]
    client = api(lo_bg)

    pages, url = [], f"{API}exchanges/?limit=3"
    while url:
        data = client.get(url).json()
        pages.append([e["reference"] for e in data["results"]])
        url = data["next"]
        assert url is None or ("cursor=" in url and "limit=3" in url)

    assert [len(p) for p in pages] == [3, 3, 1]
    assert [reference for page in pages for reference in page] == sent[::-1]
    first = client.get(f"{API}exchanges/?limit=3").json()
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [e["reference"] for e in client.get(second["previous"]).json()["results"]] == pages[0]


@pytest.mark.parametrize("sort", ["newest", "oldest", "due"])
def test_paging_keeps_the_filters_and_walks_back_in_every_order(
    api, lo_ro, lo_bg, sort: str
) -> None:
    priorities = ["routine", "immediate", "urgent", "routine", "immediate"]
    sent = [send(lo_ro, "Bulgarian Police", priority=p, attachments=()) for p in priorities]
    send(lo_ro, "Bulgarian Police", kind="information", attachments=())  # filtered out
    sent = list(Exchange.objects.filter(pk__in=[e.pk for e in sent]))
    column, descending = {"newest": ("sent_at", True), "oldest": ("sent_at", False)}.get(
        sort, ("due_at", False)
    )
    expected = sorted(sent, key=lambda e: (getattr(e, column), e.pk), reverse=descending)
    client = api(lo_bg)

    forward, data = (
        [],
        client.get(f"{API}exchanges/", {"kind": "request", "sort": sort, "limit": 2}),
    )
    while True:
        forward.append([e["reference"] for e in data.json()["results"]])
        if data.json()["next"] is None:
            break
        assert "kind=request" in data.json()["next"]
        data = client.get(data.json()["next"])
    backward = [forward[-1]]
    while data.json()["previous"] is not None:
        data = client.get(data.json()["previous"])
        backward.append([e["reference"] for e in data.json()["results"]])

    assert [ref for page in forward for ref in page] == [e.reference for e in expected]
    assert backward[::-1] == forward


def test_secretariat_staff_list_nothing_and_see_nothing(api, lo_ro, analyst, directory_admin):
    exchange = send(lo_ro, "Bulgarian Police")

    for officer in (analyst, directory_admin):
        client = api(officer)
        assert client.get(f"{API}exchanges/").json()["results"] == []
        assert client.get(_url(exchange)).status_code == 404


def test_the_list_costs_the_same_queries_for_10_and_200_exchanges(api, lo_ro, lo_bg) -> None:
    def queries(**query: Any) -> int:
        # A fresh officer each time: nothing cached on the instance by the previous call.
        client = api(Officer.objects.select_related("agency__party").get(pk=lo_bg.pk))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{API}exchanges/", {"limit": 200, **query})
        assert response.status_code == 200
        return len(captured)

    for _ in range(10):
        send(lo_ro, "Bulgarian Police", "Turkish Customs", attachments=())
    ten = queries()
    filtered = queries(priority="urgent", crime_area="drugs", unread="true")
    for _ in range(190):
        send(lo_ro, "Bulgarian Police", "Turkish Customs", attachments=())
    assert Exchange.objects.count() >= 200
    assert queries() == ten
    assert queries(priority="urgent", crime_area="drugs", unread="true") == filtered
    first = api(lo_bg).get(f"{API}exchanges/", {"limit": 50}).json()
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    assert queries(cursor=unquote(cursor)) == ten


def test_the_schema_describes_each_filter_and_the_paging(api, lo_ro) -> None:
    schema = api(lo_ro).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/exchanges/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    envelope = schema["components"]["schemas"][answer["$ref"].rsplit("/", 1)[1]]

    assert set(parameters) == {*INBOX_FILTERS, "cursor", "limit"}
    # A choice, or empty as if left out (selec.core.api_schema_filters).
    blank = {"type": "string", "enum": [""]}
    for name, choices in [
        ("priority", ["immediate", "routine", "urgent"]),
        ("sort", ["due", "newest", "oldest"]),
    ]:
        chosen, left_empty = parameters[name]["schema"]["anyOf"]
        assert (chosen["enum"], left_empty) == (choices, blank), name
    assert parameters["overdue"]["schema"]["type"] == "boolean"
    # A day, or empty (the page's form sends a blank day): no bound.
    assert parameters["sent_from"]["schema"] == {
        "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "enum": [""]}]
    }
    assert parameters["limit"]["schema"]["maximum"] == 200
    assert set(envelope["properties"]) == {"next", "previous", "results"}
    assert envelope["properties"]["results"]["items"]["$ref"].endswith("/Exchange")
    create = schema["paths"]["/api/v1/exchanges/"]["post"]
    # The one parameter every write has (selec.core.api_schema_idempotency).
    assert [p["name"] for p in create["parameters"]] == ["Idempotency-Key"]
