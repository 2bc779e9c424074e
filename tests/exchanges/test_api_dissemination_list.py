"""The dissemination requests on an exchange, through the API: pages of the one cursor
pagination, each caller seeing only the requests they may see."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exchanges.models import DisseminationRequest, Exchange
from exchanges.services.dissemination_requests import dissemination_request_file
from partners.models import Officer
from tests.exchanges.scenario import agency_ids, send
from tests.selec.api_pages import pages, rows

pytestmark = pytest.mark.django_db

# Paging parameters every list refuses (400 on the parameter).
REFUSED: list[dict[str, object]] = [{"limit": 0}, {"limit": 201}, {"cursor": "forged"}]


@pytest.fixture(autouse=True)
def _no_throttle_carry_over() -> None:
    cache.clear()


def _url(exchange: Exchange) -> str:
    return f"/api/v1/exchanges/{exchange.reference}/dissemination-requests/"


def _file(officer: Officer, exchange: Exchange, count: int) -> list[int]:
    return [
        dissemination_request_file(
            officer=officer,
            exchange=exchange,
            kind="share",
            target_agency_ids=agency_ids("Hellenic Police"),
            intended_use=f"Use {i}",
            justification="The lorry is Greek.",
        ).pk
        for i in range(count)
    ]


def test_the_provider_pages_through_every_request_oldest_first(
    api, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H2")
    filed = _file(lo_bg, exchange, 4) + _file(lo_tr, exchange, 3)
    client = api(lo_ro)
    walked = pages(client, _url(exchange), {"limit": 3})
    assert [len(page["results"]) for page in walked] == [3, 3, 1]
    assert [r["id"] for page in walked for r in page["results"]] == list(
        DisseminationRequest.objects.filter(pk__in=filed)
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)
    )
    assert client.get(walked[1]["previous"]).json()["results"] == walked[0]["results"]


def test_a_recipient_sees_only_its_agencys_requests_on_every_page(
    api, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H2")
    bulgarian = _file(lo_bg, exchange, 3)
    turkish = _file(lo_tr, exchange, 2)
    assert [r["id"] for r in rows(api(lo_bg), _url(exchange), {"limit": 1})] == bulgarian
    assert [r["id"] for r in rows(api(lo_tr), _url(exchange), {"limit": 1})] == turkish


def test_a_page_costs_the_same_queries_for_one_request_or_many(
    api, lo_ro: Officer, lo_bg: Officer, django_assert_num_queries
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    _file(lo_bg, exchange, 1)
    client = api(lo_ro)
    client.get(_url(exchange))  # the permission ids and such, cached from then on
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(_url(exchange)).json()["results"]) == 1
    _file(lo_bg, exchange, 5)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(_url(exchange)).json()["results"]) == 6


def test_a_bad_limit_or_cursor_is_400_and_an_outsider_404(
    api, lo_ro: Officer, lo_bg: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    _file(lo_bg, exchange, 1)
    for params in REFUSED:
        response = api(lo_ro).get(_url(exchange), params)
        assert response.status_code == 400
        assert set(response.json()["errors"]) == set(params)
    assert api(outsider).get(_url(exchange)).status_code == 404
    assert api(outsider).get(_url(exchange), {"limit": 0}).status_code == 404
