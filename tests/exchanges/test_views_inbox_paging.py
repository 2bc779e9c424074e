"""The inbox page's keyset paging, and what a page costs."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.inbox import decode_position, encode_position
from exchanges.models import Exchange
from exchanges.selectors_inbox import InboxQuery, InboxSort, Position, inbox_search
from exchanges.services import consultation
from partners.models import Officer
from tests.exchanges.inbox_pages import INBOX, _get, _refs, _send
from tests.exchanges.scenario import set_due
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db


def _link(content: str, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', content)
    return html.unescape(match.group(1)) if match else None


# --- keyset paging ----------------------------------------------------------------------------


def _walk(client: Client, query: str) -> tuple[list[list[str]], list[list[str]]]:
    """Follow the next links to the end, then the previous links back to the start."""
    forward, url = [], f"{INBOX}{query}"
    while True:
        content = client.get(url).content.decode()
        forward.append(_refs(content))
        following = _link(content, "next")
        if following is None:
            break
        assert "before=" not in following
        url = following
    backward = [forward[-1]]
    while (preceding := _link(content, "prev")) is not None:
        content = client.get(preceding).content.decode()
        backward.append(_refs(content))
    return forward, backward[::-1]


@pytest.mark.parametrize("sort", ["newest", "oldest", "due"])
def test_keyset_pages_neither_overlap_nor_skip_in_either_direction(
    login, lo_ro: Officer, lo_bg: Officer, monkeypatch, sort: str
) -> None:
    monkeypatch.setattr("exchanges.views.inbox.ROWS_PER_PAGE", 3)
    priorities = ["routine", "immediate", "urgent", "routine", "immediate", "urgent", "urgent"]
    sent = [_send(lo_ro, "Bulgarian Police", priority=p) for p in priorities]
    # Ties on the sort column are broken by id.
    Exchange.objects.filter(pk__in=[sent[2].pk, sent[3].pk, sent[4].pk]).update(
        sent_at=sent[2].sent_at, due_at=sent[2].due_at
    )
    _send(lo_ro, "Turkish Customs")  # not Bulgaria's: never listed
    sent = list(Exchange.objects.filter(pk__in=[e.pk for e in sent]))
    expected = {
        "newest": sorted(sent, key=lambda e: (e.sent_at, e.pk), reverse=True),
        "oldest": sorted(sent, key=lambda e: (e.sent_at, e.pk)),
        "due": sorted(sent, key=lambda e: (e.due_at, e.pk)),
    }[sort]
    forward, backward = _walk(login(lo_bg), f"?sort={sort}&direction=incoming")
    assert [len(page) for page in forward] == [3, 3, 1]
    assert [ref for page in forward for ref in page] == [e.reference for e in expected]
    assert backward == forward


def test_paging_links_keep_the_filters(login, lo_ro: Officer, lo_bg: Officer, monkeypatch) -> None:
    monkeypatch.setattr("exchanges.views.inbox.ROWS_PER_PAGE", 2)
    for _ in range(3):
        _send(lo_ro, "Bulgarian Police", priority="immediate")
    _send(lo_ro, "Bulgarian Police", priority="routine")
    content = _get(login(lo_bg), "?priority=immediate&sort=oldest")
    following = _link(content, "next")
    assert following is not None
    assert "priority=immediate" in following
    assert "sort=oldest" in following
    assert "after=" in following
    assert 'hx-target="#inbox-results"' in content
    assert ">Newer →<" in content  # oldest first: the next page is newer
    second = login(lo_bg).get(following).content.decode()
    assert len(_refs(second)) == 1
    assert _link(second, "next") is None


def test_a_paging_link_followed_by_htmx_answers_only_the_results(
    login, lo_ro: Officer, lo_bg: Officer, monkeypatch
) -> None:
    monkeypatch.setattr("exchanges.views.inbox.ROWS_PER_PAGE", 1)
    first, second = _send(lo_ro, "Bulgarian Police"), _send(lo_ro, "Bulgarian Police")
    client = login(lo_bg)
    following = _link(_get(client), "next")
    assert following is not None
    response = client.get(following, headers={"HX-Request": "true", "HX-Target": "inbox-results"})
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="inbox-results"')
    assert "<html" not in content
    assert _refs(content) == [first.reference]
    assert "HX-Request" in response["Vary"]
    # A history restore asks for the whole page.
    restore = client.get(
        following,
        headers={
            "HX-Request": "true",
            "HX-History-Restore-Request": "true",
            "HX-Target": "inbox-results",
        },
    )
    assert "<html" in restore.content.decode()
    assert second.reference not in content


def test_a_cursor_past_the_end_shows_the_first_page(login, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = _send(lo_ro, "Bulgarian Police")
    client = login(lo_bg)
    for cursor in ("after=2000-01-01T00:00:00.000000Z_1", "before=2999-01-01T00:00:00.000000Z_1"):
        content = _get(client, f"?{cursor}")
        assert _refs(content) == [exchange.reference]
        assert _link(content, "prev") is None
        assert _link(content, "next") is None


def test_cursor_round_trip() -> None:
    position = Position(dt.datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=dt.UTC), 42)
    assert encode_position(position) == "2026-03-01T09:30:00.123456Z_42"
    assert decode_position(encode_position(position)) == position


def test_the_selector_pages_backwards_from_a_cursor(lo_ro: Officer, lo_bg: Officer) -> None:
    sent = [_send(lo_ro, "Bulgarian Police") for _ in range(5)]
    newest_first = [e.pk for e in reversed(sent)]
    page = inbox_search(lo_bg, InboxQuery(), limit=2)
    assert [r.exchange.pk for r in page.rows] == newest_first[:2]
    assert (page.has_previous, page.has_next) == (False, True)
    middle = inbox_search(lo_bg, InboxQuery(), after=page.last, limit=2)
    assert [r.exchange.pk for r in middle.rows] == newest_first[2:4]
    back = inbox_search(lo_bg, InboxQuery(), before=middle.first, limit=2)
    assert [r.exchange.pk for r in back.rows] == newest_first[:2]
    assert (back.has_previous, back.has_next) == (False, True)
    oldest = inbox_search(lo_bg, InboxQuery(sort=InboxSort.OLDEST), limit=10)
    assert [r.exchange.pk for r in oldest.rows] == [e.pk for e in sent]


# --- cost -------------------------------------------------------------------------------------


QUERIES = [
    "",
    "?direction=incoming&status=unread&overdue=on&priority=urgent",
    "?sort=due&unread=on",
]


def _query_counts(client: Client) -> list[int]:
    counts = []
    for query in QUERIES:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{INBOX}{query}").status_code == 200
        counts.append(len(captured.captured_queries))
        for sql in (q["sql"].upper() for q in captured.captured_queries):
            assert " OFFSET " not in sql
            assert "COUNT(" not in sql or "NOTIFICATION" in sql  # the header's unread badge
    return counts


def test_the_inbox_costs_the_same_queries_for_ten_and_two_hundred_rows(
    login, lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    def grow(n: int) -> None:
        for i in range(n):
            exchange = _send(
                lo_ro, "Bulgarian Police", "Bulgarian Customs Agency", "Turkish Customs"
            )
            if i % 3 == 0:
                purpose_given(lo_bg, exchange)
                consultation.exchange_consult(officer=lo_bg, exchange=exchange)

    def make_overdue(n: int) -> None:
        set_due(
            Exchange.objects.filter(
                pk__in=Exchange.objects.filter(sender_agency=lo_ro.agency)
                .order_by("-pk")
                .values("pk")[:n]
            ),
            timezone.now() - dt.timedelta(hours=1),
        )

    grow(10)
    make_overdue(5)
    login(lo_bg).get(INBOX)  # warm up: content types and the like
    small_lo = _query_counts(login(lo_bg))
    small_nfp = _query_counts(login(nfp_bg))
    grow(190)
    make_overdue(100)
    assert _query_counts(login(lo_bg)) == small_lo
    assert _query_counts(login(nfp_bg)) == small_nfp
    assert len(_refs(_get(login(nfp_bg)))) == 50
