"""The way back from the erasure page: a page that sends the provider there to erase (a data
subject request's item) passes its address as ``next``; the dry run's Cancel and, once erased,
the record's "back" link lead there. Only an address of this site is followed."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.test import Client

from exchanges.models import Exchange
from partners.models import Officer
from tests.records.erasure_scenario import Thread, erasure_thread

pytestmark = pytest.mark.django_db

REASON = "The person's erasure request was upheld"
BACK = "/subject-requests/items/7/"
UNSAFE = [
    "https://evil.example.org/subject-requests/",
    "//evil.example.org/",
    "javascript:alert(1)",
    "/\\evil.example.org/",
]


@pytest.fixture
def thread(lo_ro: Officer, lo_bg: Officer, lo_al: Officer) -> Thread:
    return erasure_thread(lo_ro, lo_bg, lo_al)


def _page(exchange: Exchange, back: str = "") -> str:
    page = f"/records/erasure/{exchange.reference}/"
    return f"{page}?next={quote(back, safe='')}" if back else page


def test_the_dry_run_cancels_back_and_carries_next_in_its_form(
    thread: Thread, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    html = login(lo_ro).get(_page(thread.request, BACK)).content.decode()

    assert f'href="{BACK}">Cancel</a>' in html
    assert f'<input type="hidden" name="next" value="{BACK}">' in html


def test_after_the_erasure_the_record_leads_back_to_the_request(
    thread: Thread, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    client = login(lo_ro)
    response = client.post(_page(thread.request), {"reason": REASON, "confirm": "on", "next": BACK})

    assert response.status_code == 302
    assert response["Location"] == _page(thread.request, BACK)
    html = client.get(response["Location"]).content.decode()
    assert "is erased" in html
    assert f'<a href="{BACK}" id="back-to-request">Back to the data subject request</a>' in html


def test_a_form_error_keeps_the_way_back(
    thread: Thread, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    response = login(lo_ro).post(_page(thread.request), {"reason": "", "next": BACK})

    assert response.status_code == 400
    assert f'<input type="hidden" name="next" value="{BACK}">' in response.content.decode()


def test_without_next_the_pages_lead_to_the_thread(
    thread: Thread, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    client = login(lo_ro)
    thread_page = f"/exchanges/{thread.request.reference}/"
    html = client.get(_page(thread.request)).content.decode()
    assert f'href="{thread_page}">Cancel</a>' in html
    assert 'name="next"' not in html

    response = client.post(_page(thread.request), {"reason": REASON, "confirm": "on"})

    assert response["Location"] == _page(thread.request)
    assert "back-to-request" not in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_an_address_of_another_site_is_ignored(
    unsafe: str, thread: Thread, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    client = login(lo_ro)
    html = client.get(_page(thread.request, unsafe)).content.decode()
    assert 'name="next"' not in html
    assert "evil" not in html
    assert "javascript:" not in html

    response = client.post(
        _page(thread.request), {"reason": REASON, "confirm": "on", "next": unsafe}
    )

    assert response["Location"] == _page(thread.request)
    done = client.get(_page(thread.request, unsafe)).content.decode()
    assert "back-to-request" not in done
    assert "evil" not in done


def test_an_exchange_erased_already_shows_its_record_with_the_way_back(
    thread: Thread, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    client = login(lo_ro)
    client.post(_page(thread.request), {"reason": REASON, "confirm": "on"})

    again = client.post(_page(thread.request), {"reason": REASON, "confirm": "on", "next": BACK})

    assert again.status_code == 409
    assert f'<a href="{BACK}" id="back-to-request">' in again.content.decode()
