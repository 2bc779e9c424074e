"""The inbox page: whose exchanges it lists, its filters, keyset paging and bad input."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges import services
from exchanges.inbox import decode_position, encode_position
from exchanges.models import Exchange, Recipient
from exchanges.selectors import (
    InboxQuery,
    InboxSort,
    Position,
    inbox_search,
    local_day,
)
from partners.models import Officer
from taskforces.models import CrimeArea, TaskForce
from tests.exchanges.scenario import message, send, set_due

pytestmark = pytest.mark.django_db

INBOX = "/exchanges/"
REFERENCE = re.compile(r"SELEC-\d{4}-\d{6}")


def _send(officer: Officer, *recipients: str, **kwargs: object) -> Exchange:
    return send(officer, *recipients, attachments=(), **kwargs)  # type: ignore[arg-type]


def _refs(content: str) -> list[str]:
    """The references of the table's rows, in order (each row links its reference once)."""
    return re.findall(r'<a href="/exchanges/(SELEC-\d{4}-\d{6})/">', content)


def _get(client: Client, query: str = "") -> str:
    response = client.get(f"{INBOX}{query}")
    assert response.status_code == 200
    return response.content.decode()


def _row(content: str, reference: str) -> str:
    start = content.index(f'<a href="/exchanges/{reference}/">')
    return content[start : content.index("</tr>", start)]


def _link(content: str, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', content)
    return html.unescape(match.group(1)) if match else None


# --- who sees what ----------------------------------------------------------------------------


def test_a_liaison_officer_sees_what_their_agency_sent_and_received_and_nothing_else(
    login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:  # type: ignore[no-untyped-def]
    sent = _send(lo_ro, "Bulgarian Police")
    received = _send(lo_bg, "Romanian Police")
    elsewhere = _send(lo_tr, "Bulgarian Police")
    content = _get(login(lo_ro))
    assert set(_refs(content)) == {sent.reference, received.reference}
    assert elsewhere.reference not in content
    assert "Outgoing" in _row(content, sent.reference)
    assert "Outgoing" not in _row(content, received.reference)


def test_rows_show_metadata_and_never_the_subject_or_body(login, lo_ro: Officer) -> None:  # type: ignore[no-untyped-def]
    exchange = _send(
        lo_ro,
        "Bulgarian Police",
        "Turkish Customs",
        code="H2",
        priority="immediate",
        subject="Secret subject line",
        body="Secret body text",
    )
    content = _get(login(lo_ro))
    row = _row(content, exchange.reference)
    for expected in [
        "Request for assistance",
        "<code>RO</code> Romanian Police",
        "<code>BG</code> Bulgarian Police",
        "<code>TR</code> Turkish Customs",
        CrimeArea.objects.get(code="drugs").name,
        'class="badge priority-immediate"',
        'class="badge handling h2"',
        "<time datetime=",
        "delivered, not read",
    ]:
        assert expected in row, expected
    assert "Secret" not in content


def test_the_nfp_sees_every_exchange_entering_or_leaving_their_country_with_domestic_receipts(
    login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, nfp_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    entering = _send(lo_ro, "Bulgarian Police", "Bulgarian Customs Agency", "Turkish Customs")
    leaving = _send(lo_bg, "Turkish Customs")
    elsewhere = _send(lo_ro, "Turkish Customs")
    services.exchange_consult(officer=lo_bg, exchange=entering)
    content = _get(login(nfp_bg))
    assert set(_refs(content)) == {entering.reference, leaving.reference}
    assert elsewhere.reference not in content
    receipts = _row(content, entering.reference).split('class="plain receipts"')[1]
    assert 'Bulgarian Police: <span class="badge receipt read">' in receipts
    assert 'Bulgarian Customs Agency: <span class="badge receipt delivered">' in receipts
    # How Turkish Customs handles it is not Bulgaria's business.
    assert "Turkish Customs" not in receipts
    # What Bulgaria sent shows every recipient's receipt.
    assert "Turkish Customs" in _row(content, leaving.reference).split('class="plain receipts"')[1]


def test_an_outsider_sees_none_of_lo_ros_exchanges_to_bulgaria(
    login, lo_ro: Officer, outsider: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchanges = [_send(lo_ro, "Bulgarian Police") for _ in range(3)]
    content = _get(login(outsider))
    assert _refs(content) == []
    for exchange in exchanges:
        assert exchange.reference not in content
    assert "No exchange yet." in content


def test_an_observer_sees_strategic_information_addressed_to_it_but_never_personal_data(
    login, lo_ro: Officer, obs_at: Officer
) -> None:  # type: ignore[no-untyped-def]
    strategic = _send(lo_ro, "Police of Austria", kind="information")
    personal = _send(lo_ro, "Bulgarian Police", personal=True)
    content = _get(login(obs_at))
    assert _refs(content) == [strategic.reference]
    assert personal.reference not in content


@pytest.mark.parametrize("persona", ["analyst", "dpo", "directory_admin"])
def test_secretariat_staff_are_told_exchanges_are_not_theirs_to_read(
    login, lo_ro: Officer, persona: str, request
) -> None:  # type: ignore[no-untyped-def]
    exchange = _send(lo_ro, "Bulgarian Police")
    content = _get(login(request.getfixturevalue(persona)))
    assert "Exchanges are not for secretariat staff to read" in content
    assert exchange.reference not in content
    assert "<table" not in content


# --- filters ----------------------------------------------------------------------------------


def test_direction_is_relative_to_the_officers_agency(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    outgoing = _send(lo_ro, "Bulgarian Police")
    incoming = _send(lo_bg, "Romanian Police")
    client = login(lo_ro)
    assert _refs(_get(client, "?direction=incoming")) == [incoming.reference]
    assert _refs(_get(client, "?direction=outgoing")) == [outgoing.reference]
    assert set(_refs(_get(client, "?direction=all"))) == {incoming.reference, outgoing.reference}


def test_direction_for_an_nfp_officer_is_relative_to_their_country(
    login, lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    incoming = _send(lo_ro, "Bulgarian Customs Agency")
    outgoing = _send(lo_bg, "Romanian Police")
    client = login(nfp_bg)
    assert _refs(_get(client, "?direction=incoming")) == [incoming.reference]
    assert _refs(_get(client, "?direction=outgoing")) == [outgoing.reference]


def test_kind_and_priority_filters(login, lo_ro: Officer, lo_bg: Officer) -> None:  # type: ignore[no-untyped-def]
    request = _send(lo_ro, "Bulgarian Police", priority="immediate")
    information = _send(lo_ro, "Bulgarian Police", kind="information", priority="routine")
    client = login(lo_bg)
    assert _refs(_get(client, "?kind=request")) == [request.reference]
    assert _refs(_get(client, "?kind=information")) == [information.reference]
    assert _refs(_get(client, "?priority=immediate")) == [request.reference]
    assert _refs(_get(client, "?priority=routine")) == [information.reference]
    assert _refs(_get(client, "?priority=urgent")) == []


def test_status_filters_follow_the_receipts_of_the_officers_agency(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    opened = _send(lo_ro, "Bulgarian Police")
    acknowledged = _send(lo_ro, "Bulgarian Police")
    answered = _send(lo_ro, "Bulgarian Police")
    untouched = _send(lo_ro, "Bulgarian Police")
    services.exchange_consult(officer=lo_bg, exchange=opened)
    services.exchange_acknowledge(officer=lo_bg, exchange=acknowledged)
    reply = services.exchange_reply(officer=lo_bg, parent=answered, message=message(attachments=()))
    client = login(lo_bg)
    unread = set(_refs(_get(client, "?direction=incoming&status=unread")))
    assert unread == {acknowledged.reference, answered.reference, untouched.reference}
    assert set(_refs(_get(client, "?direction=incoming&unread=on"))) == unread
    unacknowledged = set(_refs(_get(client, "?direction=incoming&status=unacknowledged")))
    assert unacknowledged == {opened.reference, answered.reference, untouched.reference}
    assert _refs(_get(client, "?status=answered")) == [answered.reference]
    assert set(_refs(_get(client, "?direction=incoming&status=unanswered"))) == {
        opened.reference,
        acknowledged.reference,
        untouched.reference,
    }
    # The reply Bulgaria sent is outgoing; Romania has not read it yet.
    assert _refs(_get(client, "?direction=outgoing&status=unread")) == [reply.reference]


def test_the_sender_follows_the_receipts_of_its_recipients(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    read = _send(lo_ro, "Bulgarian Police")
    unread = _send(lo_ro, "Bulgarian Police")
    services.exchange_consult(officer=lo_bg, exchange=read)
    client = login(lo_ro)
    assert _refs(_get(client, "?direction=outgoing&status=unread")) == [unread.reference]
    assert "delivered, not read" in _row(_get(client), unread.reference)
    assert 'class="badge receipt read"' in _row(_get(client), read.reference)


def test_crime_area_and_task_force_filters(login, lo_ro: Officer, lo_bg: Officer) -> None:  # type: ignore[no-untyped-def]
    drugs = _send(lo_ro, "Bulgarian Police")
    thb = _send(lo_ro, "Bulgarian Police")
    Exchange.objects.filter(pk=thb.pk).update(
        crime_area=CrimeArea.objects.get(code="thb"),
        task_force=TaskForce.objects.get(code="thb_migration"),
    )
    client = login(lo_bg)
    assert _refs(_get(client, "?crime_area=drugs")) == [drugs.reference]
    assert _refs(_get(client, "?crime_area=thb")) == [thb.reference]
    assert _refs(_get(client, "?task_force=thb_migration")) == [thb.reference]
    assert _refs(_get(client, "?task_force=drugs")) == []


def test_overdue_lists_unanswered_requests_past_their_due_date(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    overdue = _send(lo_ro, "Bulgarian Police")
    answered_late = _send(lo_ro, "Bulgarian Police")
    information_past = _send(lo_ro, "Bulgarian Police", kind="information")
    on_time = _send(lo_ro, "Bulgarian Police")
    past = timezone.now() - dt.timedelta(hours=1)
    set_due(
        Exchange.objects.filter(pk__in=[overdue.pk, answered_late.pk, information_past.pk]), past
    )
    Recipient.objects.filter(exchange=answered_late).update(answered_at=timezone.now())
    content = _get(login(lo_bg), "?overdue=on")
    assert _refs(content) == [overdue.reference]
    assert 'class="badge overdue"' in _row(content, overdue.reference)
    everything = _get(login(lo_bg))
    assert 'class="badge overdue"' not in _row(everything, on_time.reference)
    # The sender sees its overdue request too.
    assert _refs(_get(login(lo_ro), "?overdue=on")) == [overdue.reference]


def test_due_today_is_the_officers_local_day(login, lo_ro: Officer, lo_bg: Officer) -> None:  # type: ignore[no-untyped-def]
    today = _send(lo_ro, "Bulgarian Police")
    yesterday = _send(lo_ro, "Bulgarian Police")
    _send(lo_ro, "Bulgarian Police")  # urgent: due in three days
    start, end = local_day(lo_bg, timezone.now())
    assert str(start.tzinfo) == "Europe/Bucharest"
    set_due(Exchange.objects.filter(pk=today.pk), end - dt.timedelta(seconds=1))
    set_due(Exchange.objects.filter(pk=yesterday.pk), start - dt.timedelta(seconds=1))
    assert _refs(_get(login(lo_bg), "?due_today=on")) == [today.reference]


def test_sent_date_range_in_the_officers_zone(login, lo_ro: Officer, lo_bg: Officer) -> None:  # type: ignore[no-untyped-def]
    january = _send(lo_ro, "Bulgarian Police")
    _send(lo_ro, "Bulgarian Police")
    # 31 January 23:30 in Bucharest is still January there (21:30 UTC).
    Exchange.objects.filter(pk=january.pk).update(
        sent_at=dt.datetime(2025, 1, 31, 21, 30, tzinfo=dt.UTC)
    )
    client = login(lo_bg)
    assert _refs(_get(client, "?sent_from=2025-01-01&sent_to=2025-01-31")) == [january.reference]
    assert _refs(_get(client, "?sent_from=2025-02-01&sent_to=2025-02-28")) == []
    assert january.reference not in _refs(_get(client, f"?sent_from={timezone.now():%Y-%m-%d}"))
    assert _refs(_get(client, "?sent_to=2025-01-31")) == [january.reference]


def test_reference_search_exact_or_by_prefix(login, lo_ro: Officer, lo_bg: Officer) -> None:  # type: ignore[no-untyped-def]
    old = _send(lo_ro, "Bulgarian Police")
    new = _send(lo_ro, "Bulgarian Police")
    Exchange.objects.filter(pk=old.pk).update(reference="SELEC-2019-000042")
    client = login(lo_bg)
    assert _refs(_get(client, "?reference=SELEC-2019-000042")) == ["SELEC-2019-000042"]
    assert _refs(_get(client, "?reference=SELEC-2019-")) == ["SELEC-2019-000042"]
    assert _refs(_get(client, "?reference=selec-2019")) == ["SELEC-2019-000042"]
    assert _refs(_get(client, "?reference=2019-000042")) == ["SELEC-2019-000042"]
    assert _refs(_get(client, f"?reference={new.reference}")) == [new.reference]
    assert _refs(_get(client, "?reference=SELEC-2018-")) == []


def test_filters_combine_and_are_kept_in_the_form(login, lo_ro: Officer, lo_bg: Officer) -> None:  # type: ignore[no-untyped-def]
    match = _send(lo_ro, "Bulgarian Police", priority="immediate")
    _send(lo_ro, "Bulgarian Police", priority="routine")
    _send(lo_ro, "Bulgarian Police", kind="information", priority="immediate")
    content = _get(login(lo_bg), "?kind=request&priority=immediate&direction=incoming")
    assert _refs(content) == [match.reference]
    assert '<option value="immediate" selected>' in content
    assert '<option value="incoming" selected>' in content
    assert "No exchange matches these filters." not in content


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?priority=bogus", "Priority"),
        ("?kind=memo", "Kind"),
        ("?direction=sideways", "Direction"),
        ("?status=lost", "Receipt status"),
        ("?crime_area=piracy", "Crime area"),
        ("?task_force=nope", "Task force"),
        ("?sent_from=2025-13-45", "Sent from"),
        ("?sent_to=yesterday", "Sent until"),
        ("?sent_from=2025-03-01&sent_to=2025-02-01", "Sent until"),
        ("?reference=DROP%20TABLE", "Reference"),
        ("?sort=random", "Order"),
    ],
)
def test_an_invalid_filter_is_reported_above_the_table_and_ignored(
    login, lo_ro: Officer, lo_bg: Officer, query: str, field: str
) -> None:  # type: ignore[no-untyped-def]
    exchange = _send(lo_ro, "Bulgarian Police")
    content = _get(login(lo_bg), query)
    assert "Some filters were not understood and are ignored" in content
    errors = content[
        content.index('id="filter-errors"') : content.index(
            "</div>", content.index('id="filter-errors"')
        )
    ]
    assert f">{field}</a>:" in errors
    assert content.index('id="filter-errors"') < content.index("<table")
    assert 'aria-invalid="true"' in content
    assert _refs(content) == [exchange.reference]


def test_an_invalid_filter_does_not_cancel_the_valid_ones(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    request = _send(lo_ro, "Bulgarian Police")
    _send(lo_ro, "Bulgarian Police", kind="information")
    content = _get(login(lo_bg), "?kind=request&priority=bogus")
    assert "Some filters were not understood" in content
    assert _refs(content) == [request.reference]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "2026-01-01T00:00:00Z", "2026-02-30T00:00:00Z_5", "2026-01-01T00:00:00+02:00_5"],
)
def test_a_tampered_cursor_shows_the_first_page(
    login, lo_ro: Officer, lo_bg: Officer, cursor: str
) -> None:  # type: ignore[no-untyped-def]
    exchange = _send(lo_ro, "Bulgarian Police")
    content = _get(login(lo_bg), f"?after={cursor}")
    assert "The page position in the address is not valid" in content
    assert _refs(content) == [exchange.reference]


def test_the_inbox_refuses_post(login, lo_ro: Officer) -> None:  # type: ignore[no-untyped-def]
    assert login(lo_ro).post(INBOX).status_code == 405


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
) -> None:  # type: ignore[no-untyped-def]
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


def test_paging_links_keep_the_filters(login, lo_ro: Officer, lo_bg: Officer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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


def test_a_cursor_past_the_end_shows_the_first_page(login, lo_ro: Officer, lo_bg: Officer) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
    def grow(n: int) -> None:
        for i in range(n):
            exchange = _send(
                lo_ro, "Bulgarian Police", "Bulgarian Customs Agency", "Turkish Customs"
            )
            if i % 3 == 0:
                services.exchange_consult(officer=lo_bg, exchange=exchange)

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
