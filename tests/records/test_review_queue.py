"""The review queue of a provider agency, in the page and the API: exactly the reviews due within
30 days and the overdue ones, soonest first, with their counts; filtered, paged by cursor at a
constant cost; the agency's own exchanges only; 404 to secretariat staff."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from exchanges.models import Exchange
from partners.models import Officer
from records.policy import ReviewState
from records.selectors_review import (
    Position,
    decode_position,
    encode_position,
    review_counts,
    review_queue_page,
)
from tests.records.reviews import TODAY, freeze, moment, review_scenario, sent, stored_reviews
from tests.selec.api_pages import rows

pytestmark = pytest.mark.django_db

QUEUE = "/records/review/"
API = "/api/v1/review/"


@pytest.fixture
def scenario(monkeypatch: pytest.MonkeyPatch, lo_ro: Officer, lo_bg: Officer):
    return review_scenario(monkeypatch, lo_ro, lo_bg)


def _references(made: dict[str, Exchange], *names: str) -> list[str]:
    return [made[name].reference for name in names]


def _listed(officer: Officer, **kwargs) -> list[str]:
    page = review_queue_page(officer, **kwargs)
    return [row.exchange.reference for row in page.rows]


# --- What the queue holds ---------------------------------------------------------------------


def test_the_queue_holds_exactly_the_due_and_overdue_reviews_soonest_first(
    scenario, lo_ro: Officer, lo_bg: Officer
) -> None:
    assert _listed(lo_ro) == _references(
        scenario, "overdue_long", "overdue", "today", "due", "horizon"
    )
    page = review_queue_page(lo_ro)
    assert [(row.state, row.overdue_days) for row in page.rows] == [
        (ReviewState.OVERDUE, 55),
        (ReviewState.OVERDUE, 2),
        (ReviewState.DUE, 0),
        (ReviewState.DUE, 0),
        (ReviewState.DUE, 0),
    ]
    # The Bulgarian Police review what they sent, their reply in lo.ro's thread included.
    assert _listed(lo_bg) == _references(scenario, "bulgarian", "bulgarian_reply")


def test_the_filters_narrow_to_the_due_or_the_overdue(scenario, lo_ro: Officer) -> None:
    assert _listed(lo_ro, state=ReviewState.OVERDUE) == _references(
        scenario, "overdue_long", "overdue"
    )
    assert _listed(lo_ro, state=ReviewState.DUE) == _references(scenario, "today", "due", "horizon")


def test_the_counts_are_those_of_the_lists(scenario, lo_ro: Officer, lo_bg: Officer) -> None:
    counts = review_counts(lo_ro)
    assert (counts.due, counts.overdue) == (3, 2)
    assert (review_counts(lo_bg).due, review_counts(lo_bg).overdue) == (0, 2)


def test_the_queue_moves_with_the_days(
    scenario, lo_ro: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, moment(2029, 4, 1, 0, 30))  # just after midnight in Bucharest
    assert _listed(lo_ro, state=ReviewState.DUE) == _references(scenario, "later")
    assert review_counts(lo_ro).overdue == 5


def test_an_nfp_officer_reviews_what_their_own_agency_sent(
    scenario, nfp_bg: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, moment(2026, 2, 20))
    own = sent(nfp_bg, "Romanian Police")
    freeze(monkeypatch, moment(TODAY.year, TODAY.month, TODAY.day))

    # The Bulgarian Police's exchanges are theirs to review, not the focal point's.
    assert _listed(nfp_bg) == [own.reference]


def test_an_agency_that_may_not_hold_personal_data_has_nothing_to_review(
    scenario, lo_bg: Officer
) -> None:
    party = lo_bg.agency.party  # type: ignore[union-attr]
    party.status = "observer"
    party.save(update_fields=["status"])
    assert _listed(lo_bg) == []
    assert review_counts(lo_bg).overdue == 0


def test_paging_walks_the_queue_both_ways(scenario, lo_ro: Officer) -> None:
    first = review_queue_page(lo_ro, limit=2)
    second = review_queue_page(lo_ro, after=first.last, limit=2)
    third = review_queue_page(lo_ro, after=second.last, limit=2)
    back = review_queue_page(lo_ro, before=third.first, limit=2)

    assert [r.exchange.reference for r in first.rows + second.rows + third.rows] == _listed(lo_ro)
    assert (first.has_previous, first.has_next, third.has_next) == (False, True, False)
    assert [r.exchange.reference for r in back.rows] == [r.exchange.reference for r in second.rows]


def test_a_position_survives_its_text_and_a_forged_one_is_refused() -> None:
    position = Position(day=dt.date(2029, 2, 27), id=42)
    assert decode_position(encode_position(position)) == position
    for forged in ["2029-02-30_1", "2029-02-27", "x_1", "2029-02-27_-1", "2029-02-27_1 "]:
        assert decode_position(forged) is None, forged


# --- The page ---------------------------------------------------------------------------------


def test_the_page_lists_the_queue_with_its_counts_and_actions(
    scenario, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    response = login(lo_ro).get(QUEUE)

    assert response.status_code == 200
    html = response.content.decode()
    listed = re.findall(r'<tr id="review-(SELEC-[\d-]+)">', html)
    assert listed == _references(scenario, "overdue_long", "overdue", "today", "due", "horizon")
    assert "2 overdue" in html
    assert "3 due within 30 days" in html
    assert "overdue by 55 days" in html
    assert "overdue by 2 days" in html
    reference = scenario["overdue"].reference
    assert f'href="/exchanges/{reference}/"' in html
    assert f'href="/records/review/{reference}/keep/"' in html
    assert f'href="/records/erasure/{reference}/"' in html
    # Lists never show content.
    assert "Review scenario" not in html


def test_the_page_filters_and_pages(
    scenario, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    client = login(lo_ro)
    overdue = client.get(QUEUE, {"state": "overdue"}).content.decode()
    assert re.findall(r'<tr id="review-(SELEC-[\d-]+)">', overdue) == _references(
        scenario, "overdue_long", "overdue"
    )
    first = review_queue_page(lo_ro, limit=2)
    after = client.get(QUEUE, {"after": encode_position(first.last)}).content.decode()  # type: ignore[arg-type]
    assert re.findall(r'<tr id="review-(SELEC-[\d-]+)">', after) == _references(
        scenario, "today", "due", "horizon"
    )
    refused = client.get(QUEUE, {"after": "not-a-position"})
    assert refused.status_code == 200
    assert "The page position in the address is not valid" in refused.content.decode()


def test_the_page_costs_the_same_whatever_the_number_of_rows(
    lo_ro: Officer,
    login: Callable[[Officer], Client],
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries,
    django_assert_num_queries,
) -> None:
    freeze(monkeypatch, moment(TODAY.year, TODAY.month, TODAY.day))
    client = login(lo_ro)
    stored_reviews(lo_ro, [TODAY], prefix="ONE")
    with django_assert_max_num_queries(8) as small:
        assert client.get(QUEUE).status_code == 200
    stored_reviews(lo_ro, [TODAY - dt.timedelta(days=n) for n in range(120)], prefix="MANY")
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(QUEUE)
    assert len(re.findall(r'<tr id="review-', response.content.decode())) == 50


@pytest.mark.parametrize("persona", ["analyst", "dpo", "directory_admin"])
def test_secretariat_staff_have_no_queue(
    persona: str,
    request: pytest.FixtureRequest,
    login: Callable[[Officer], Client],
    api: Callable[[Officer], APIClient],
) -> None:
    officer = request.getfixturevalue(persona)
    assert login(officer).get(QUEUE).status_code == 404
    response = api(officer).get(API)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_outsider_s_queue_holds_none_of_another_agency_s_reviews(
    scenario, outsider: Officer, obs_at: Officer, login: Callable[[Officer], Client]
) -> None:
    for officer in (outsider, obs_at):
        response = login(officer).get(QUEUE)
        assert response.status_code == 200
        assert "Nothing to review" in response.content.decode()


def test_a_browser_without_a_session_is_sent_to_the_login(client: Client) -> None:
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


# --- The plan ---------------------------------------------------------------------------------


def _plan_of_the_page(officer: Officer, **kwargs) -> str:
    with CaptureQueriesContext(connection) as captured:
        review_queue_page(officer, today=TODAY, limit=50, **kwargs)
    [query] = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
        return "\n".join(line for (line,) in cursor.fetchall())


def test_a_page_walks_the_review_index_and_stops_after_the_page(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    days = [TODAY + dt.timedelta(days=(n % 400) - 370) for n in range(3000)]
    stored_reviews(lo_ro, days, prefix="RO")
    stored_reviews(lo_bg, days, prefix="BG")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE exchanges_exchange")

    deep = Position(day=TODAY - dt.timedelta(days=200), id=0)
    for plan in (_plan_of_the_page(lo_ro), _plan_of_the_page(lo_ro, after=deep)):
        assert "using exchange_review_queue" in plan, plan
        assert "Sort" not in plan, plan
        walked = re.search(r"Index Scan using exchange_review_queue .* rows=(\d+) loops=1", plan)
        assert walked is not None, plan
        assert int(walked[1]) <= 51, plan


# --- The API ----------------------------------------------------------------------------------


def test_the_api_lists_the_queue_page_by_page(
    scenario, lo_ro: Officer, api: Callable[[Officer], APIClient]
) -> None:
    listed = rows(api(lo_ro), API, {"limit": 2})

    assert [row["reference"] for row in listed] == _references(
        scenario, "overdue_long", "overdue", "today", "due", "horizon"
    )
    assert listed[0] == {
        "reference": scenario["overdue_long"].reference,
        "kind": "information",
        "crime_area": "drugs",
        "sent_at": listed[0]["sent_at"],
        "review_due_on": "2029-01-05",
        "state": "overdue",
        "overdue_days": 55,
    }
    assert listed[0]["sent_at"].startswith("2026-01-05")


def test_the_api_filters_by_state_and_refuses_what_it_does_not_know(
    scenario, lo_ro: Officer, api: Callable[[Officer], APIClient]
) -> None:
    client = api(lo_ro)
    assert [row["reference"] for row in rows(client, API, {"state": "due"})] == _references(
        scenario, "today", "due", "horizon"
    )
    unknown = client.get(API, {"state": "soon"})
    assert unknown.status_code == 400
    assert set(unknown.json()["errors"]) == {"state"}
    # A cursor of DRF's shape whose position is not one of this list's.
    forged = client.get(API, {"cursor": base64.b64encode(b"p=2029-02-30_1").decode()})
    assert forged.status_code == 400
    assert forged.json() == {"errors": {"cursor": ["Not a cursor of this list."]}}
