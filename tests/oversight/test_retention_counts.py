"""The DPO's retention page: per provider agency, the reviews due within 30 days and the overdue
ones, in one grouped query; 404 to anybody but the DPO."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client

from partners.models import Officer
from records.selectors_review import AgencyReviewCounts, review_counts_by_agency
from tests.records.reviews import TODAY, review_scenario, stored_reviews

pytestmark = pytest.mark.django_db

PAGE = "/dpo/retention/"


@pytest.fixture
def scenario(monkeypatch: pytest.MonkeyPatch, lo_ro: Officer, lo_bg: Officer):
    return review_scenario(monkeypatch, lo_ro, lo_bg)


def test_the_counts_per_agency_in_one_query(
    scenario, lo_ro: Officer, lo_bg: Officer, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        counts = review_counts_by_agency()

    assert counts == [
        AgencyReviewCounts(
            agency_id=lo_ro.agency.pk,  # type: ignore[union-attr]
            agency="Romanian Police",
            party_id=lo_ro.agency.party_id,  # type: ignore[union-attr]
            party="RO",
            due=3,
            overdue=2,
        ),
        AgencyReviewCounts(
            agency_id=lo_bg.agency.pk,  # type: ignore[union-attr]
            agency="Bulgarian Police",
            party_id=lo_bg.agency.party_id,  # type: ignore[union-attr]
            party="BG",
            due=0,
            overdue=2,
        ),
    ]


def test_the_page_shows_the_counts_with_their_totals(
    scenario, dpo: Officer, login: Callable[[Officer], Client]
) -> None:
    response = login(dpo).get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    cells = re.findall(
        r"<td><code>(\w+)</code></td>\s*<td>([^<]+)</td>\s*"
        r'<td class="count">(?:<span class="badge overdue">)?(\d+)(?:</span>)?</td>\s*'
        r'<td class="count">(\d+)</td>',
        html,
    )
    assert cells == [("RO", "Romanian Police", "2", "3"), ("BG", "Bulgarian Police", "2", "0")]
    assert re.search(r'<td class="count">4</td>\s*<td class="count">3</td>', html)
    # Counts only: no reference, no content.
    assert "SELEC-2026" not in html


def test_the_page_costs_the_same_whatever_the_number_of_agencies_and_reviews(
    scenario,
    dpo: Officer,
    lo_tr: Officer,
    lo_al: Officer,
    login: Callable[[Officer], Client],
    django_assert_max_num_queries,
    django_assert_num_queries,
) -> None:
    client = login(dpo)
    with django_assert_max_num_queries(8) as few:
        assert client.get(PAGE).status_code == 200
    for officer in (lo_tr, lo_al):
        stored_reviews(
            officer, [TODAY - dt.timedelta(days=n) for n in range(30)], prefix=officer.username
        )
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(PAGE).content.decode()
    assert "Turkish Customs" in html
    assert "Albanian State Police" in html


@pytest.mark.parametrize("persona", ["directory_admin", "analyst", "lo_ro", "nfp_bg", "obs_at"])
def test_the_page_is_404_to_anybody_but_the_dpo(
    scenario, persona: str, request: pytest.FixtureRequest, login: Callable[[Officer], Client]
) -> None:
    assert login(request.getfixturevalue(persona)).get(PAGE).status_code == 404


def test_a_browser_without_a_session_is_sent_to_the_login(client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
