"""The inbox's date filters: a day the filter cannot cover (the calendar's last day has no next
day, and its first none before) is a filter error like any other, on the page above the table
and as 400 on the API, never a 500."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pytest
from django.core.cache import cache
from django.http import QueryDict
from rest_framework.test import APIClient

from exchanges.inbox import (
    FIRST_FILTER_DAY,
    LAST_FILTER_DAY,
    day_bounds,
    parse_inbox_request,
)
from partners.models import Officer
from tests.exchanges.scenario import send

pytestmark = pytest.mark.django_db

INBOX = "/exchanges/"
API_LIST = "/api/v1/exchanges/"
BUCHAREST = zoneinfo.ZoneInfo("Europe/Bucharest")
OUT_OF_RANGE = [
    ("sent_to", "9999-12-31", "Sent until"),
    ("sent_from", "9999-12-31", "Sent from"),
    ("sent_from", "0001-01-01", "Sent from"),
    ("sent_to", "0001-01-01", "Sent until"),
    ("sent_to", "2101-01-01", "Sent until"),
    ("sent_from", "1989-12-31", "Sent from"),
]


@pytest.fixture(autouse=True)
def _no_throttle_carry_over() -> None:
    cache.clear()


@pytest.mark.parametrize(("parameter", "day", "label"), OUT_OF_RANGE)
def test_a_day_out_of_range_is_reported_above_the_table_and_the_rest_still_applies(
    login, lo_ro: Officer, lo_bg: Officer, parameter: str, day: str, label: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", attachments=())

    response = login(lo_bg).get(f"{INBOX}?{parameter}={day}&kind=request")

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    errors = content[content.index('id="filter-errors"') : content.index("<table")]
    assert f">{label}</a>:" in errors
    assert f"Choose a day from {FIRST_FILTER_DAY} to {LAST_FILTER_DAY}, not {day}." in errors
    assert re.findall(r'<a href="/exchanges/(SELEC-\d{4}-\d{6})/">', content) == [
        exchange.reference
    ]


@pytest.mark.parametrize(("parameter", "day", "label"), OUT_OF_RANGE)
def test_a_day_out_of_range_is_400_on_the_api_list(
    lo_bg: Officer, parameter: str, day: str, label: str
) -> None:
    client = APIClient()
    client.force_authenticate(user=lo_bg)

    response = client.get(API_LIST, {parameter: day})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            parameter: [f"Choose a day from {FIRST_FILTER_DAY} to {LAST_FILTER_DAY}, not {day}."]
        }
    }


def test_the_range_s_own_ends_are_filters_that_work(lo_bg: Officer) -> None:
    parsed = parse_inbox_request(
        QueryDict(f"sent_from={FIRST_FILTER_DAY}&sent_to={LAST_FILTER_DAY}"), officer=lo_bg
    )

    assert parsed.form.errors == {}
    zone = zoneinfo.ZoneInfo(lo_bg.time_zone or "Europe/Bucharest")
    assert parsed.query.sent_from == dt.datetime(1990, 1, 1, tzinfo=zone)
    assert parsed.query.sent_before == dt.datetime(2101, 1, 1, tzinfo=zone)


def test_day_bounds_run_from_the_first_day_s_start_to_the_start_of_the_day_after_the_last() -> None:
    start, end = day_bounds(dt.date(2026, 3, 28), dt.date(2026, 3, 29), BUCHAREST)

    assert start == dt.datetime(2026, 3, 28, tzinfo=BUCHAREST)
    # The clocks go forward on 29 March: the range still ends at the next local midnight.
    assert end == dt.datetime(2026, 3, 30, tzinfo=BUCHAREST)
    assert day_bounds(None, None, BUCHAREST) == (None, None)
