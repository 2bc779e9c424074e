"""The one pagination of the API's lists (``selec.core.api_pagination.CursorPage``), through the
caller's notifications, and the schema that describes it on every list."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from exchanges.models import ExchangeNotificationKind
from partners.models import Officer
from selec.core.models import Notification
from tests.selec.api_pages import ENVELOPE, pages, rows

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
# Every list of the API but the exchanges' and the hits' (paged by their own selectors).
LISTS = [
    "/api/v1/cases/",
    "/api/v1/cases/{reference}/meetings/",
    "/api/v1/cases/{reference}/results/",
    "/api/v1/exchanges/{reference}/dissemination-requests/",
    "/api/v1/notifications/",
    "/api/v1/parties/",
    "/api/v1/agencies/",
    "/api/v1/crime-areas/",
    "/api/v1/task-forces/",
]


@pytest.fixture
def api() -> Callable[[Officer], APIClient]:
    def _api(officer: Officer) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=officer)
        return client

    return _api


def _notices(
    officer: Officer, count: int, *, tied: int = 0, batch: str = "a"
) -> list[Notification]:
    """``count`` notifications a minute apart, then ``tied`` more at one same instant: the
    cursor stands on the creation time and must tell tied rows apart by their id."""
    now = timezone.now()
    made = [
        Notification.objects.create(
            officer=officer,
            kind=ExchangeNotificationKind.NEW_EXCHANGE,
            title=f"Notice {i} of {officer.username}",
            link="/exchanges/",
            dedupe_key=f"test:{officer.username}:{batch}:{i}",
            created_at=now - dt.timedelta(minutes=i) if i < count else now,
        )
        for i in range(count + tied)
    ]
    return sorted(made, key=lambda n: (n.created_at, n.pk), reverse=True)


def _forged(query: str) -> str:
    """A cursor made by hand, encoded as DRF encodes its own (a query string in base64)."""
    return base64.b64encode(query.encode()).decode()


def test_following_next_visits_every_row_once_in_order_and_only_the_callers(
    api, lo_bg: Officer, lo_ro: Officer
) -> None:
    mine = _notices(lo_bg, 7, tied=4)
    theirs = _notices(lo_ro, 3)
    walked = pages(api(lo_bg), LIST, {"limit": 2})
    assert len(walked) == 6
    assert [len(page["results"]) for page in walked] == [2, 2, 2, 2, 2, 1]
    assert [row["id"] for page in walked for row in page["results"]] == [n.pk for n in mine]
    assert walked[0]["previous"] is None
    shown = {row["id"] for page in walked for row in page["results"]}
    assert not shown & {n.pk for n in theirs}


def test_previous_goes_back_to_the_page_before(api, lo_bg: Officer) -> None:
    _notices(lo_bg, 5, tied=2)
    client = api(lo_bg)
    first, second, third = pages(client, LIST, {"limit": 3})
    back = client.get(third["previous"]).json()
    assert back["results"] == second["results"]
    assert client.get(back["previous"]).json()["results"] == first["results"]
    assert client.get(back["next"]).json()["results"] == third["results"]


def test_the_default_page_is_50_rows_and_a_limit_up_to_200_is_taken(api, lo_bg: Officer) -> None:
    _notices(lo_bg, 60)
    client = api(lo_bg)
    assert len(client.get(LIST).json()["results"]) == 50
    assert len(client.get(LIST, {"limit": 200}).json()["results"]) == 60
    assert len(client.get(LIST, {"limit": 1}).json()["results"]) == 1
    assert len(rows(client, LIST)) == 60


# "²" is a digit to str.isdigit but not to int: it once answered 500.
@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "2.5", "", "²", "9" * 30])
def test_a_limit_outside_1_to_200_is_refused(api, lo_bg: Officer, limit: str) -> None:
    response = api(lo_bg).get(LIST, {"limit": limit})
    assert response.status_code == 400
    assert response.json() == {"errors": {"limit": ["A whole number from 1 to 200."]}}


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        _forged("p=not-a-time&o=0"),
        _forged("o=oops"),
        _forged("p=2026-01-01 00:00:00+00:00&o=0&r=maybe"),
    ],
)
def test_a_forged_cursor_is_refused(api, lo_bg: Officer, cursor: str) -> None:
    _notices(lo_bg, 3)
    response = api(lo_bg).get(LIST, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"errors": {"cursor": ["Not a cursor of this list."]}}


def test_a_cursor_of_a_real_position_is_taken(api, lo_bg: Officer) -> None:
    # Guards the test above: a well-formed cursor of the list's column is not refused.
    _notices(lo_bg, 3)
    response = api(lo_bg).get(
        LIST, {"cursor": _forged(urlencode({"p": "2100-01-01 00:00:00+00:00", "o": 0}))}
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_a_page_of_notifications_costs_the_same_queries_for_one_row_or_many(
    api, lo_bg: Officer, django_assert_num_queries
) -> None:
    client = api(lo_bg)
    _notices(lo_bg, 1)
    with django_assert_num_queries(1):
        assert len(client.get(LIST).json()["results"]) == 1
    _notices(lo_bg, 80, batch="more")
    with django_assert_num_queries(1):
        assert len(client.get(LIST, {"limit": 60}).json()["results"]) == 60


def test_the_schema_describes_the_envelope_and_parameters_of_every_list(
    api, lo_ro: Officer
) -> None:
    schema = api(lo_ro).get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    for path in LISTS:
        operation = schema["paths"][path]["get"]
        parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert parameters["cursor"]["schema"]["type"] == "string", path
        assert parameters["limit"]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 200,
            "default": 50,
        }, path
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        envelope = components[ref.rsplit("/", 1)[-1]]
        assert set(envelope["properties"]) == ENVELOPE, path
        assert envelope["properties"]["results"]["type"] == "array", path
        assert envelope["properties"]["next"]["nullable"] is True, path
