"""The scoped reads filter the permission rows by the permission's id, a constant: with a join
on the codename instead, PostgreSQL misestimates the visible rows and a page of fifty costs as
much as everything the officer may see (the benchmark, ``python manage.py bench``, measures
the pages; here the shape of their queries is pinned)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.policy import CasePerm
from cases.selectors import cases_visible_to
from exchanges.models import Exchange, ExchangeGroupObjectPermission, Recipient
from exchanges.policy import Perm
from exchanges.selectors import (
    attach_receipts,
    exchange_get_for_officer,
    exchanges_visible_to,
    references_visible_to,
)
from exchanges.selectors_dashboard import agency_work
from exchanges.selectors_inbox import InboxQuery, ReceiptStatus, inbox_search, local_day
from exchanges.selectors_thread import thread_messages
from exchanges.services.sending import exchange_reply
from partners.models import Agency, Officer, Party, PartyStatus
from partners.selectors import officers_signing_in, party_agency_ids
from partners.services.party_status import party_change_status
from selec.core.object_permissions import forget_permission_ids, permission_id
from tests.exchanges.scenario import message, send, set_due

pytestmark = pytest.mark.django_db

PERMISSION_TABLES = ("auth_permission", "django_content_type")


def _sql_of(call) -> str:
    with CaptureQueriesContext(connection) as captured:
        call()
    return "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize(
    "read",
    [
        lambda officer: inbox_search(officer, InboxQuery()),
        lambda officer: agency_work(officer),
        lambda officer: list(cases_visible_to(officer)),
    ],
    ids=["inbox", "dashboard", "cases"],
)
def test_the_scoped_reads_filter_permissions_by_id_not_by_a_join(read, lo_ro: Officer) -> None:
    send(lo_ro, "Bulgarian Police")
    # The lookup itself reads the permission table, once per process.
    permission_id("exchanges", Perm.VIEW)
    permission_id("cases", CasePerm.VIEW)
    sql = _sql_of(lambda: read(lo_ro))
    assert not [table for table in PERMISSION_TABLES if f'"{table}"' in sql]


def test_the_permission_ids_are_read_once_and_again_after_a_migration(lo_ro: Officer) -> None:
    forget_permission_ids()
    first = _sql_of(lambda: permission_id("exchanges", Perm.VIEW))
    again = _sql_of(lambda: permission_id("exchanges", Perm.MANAGE))
    assert '"auth_permission"' in first
    assert again == ""
    forget_permission_ids()
    assert '"auth_permission"' in _sql_of(lambda: permission_id("exchanges", Perm.VIEW))


def test_a_deep_page_starts_its_index_scan_at_the_cursor(lo_ro: Officer) -> None:
    for _ in range(3):
        send(lo_ro, "Bulgarian Police")
    first = inbox_search(lo_ro, InboxQuery(), limit=1)
    sql = _sql_of(lambda: inbox_search(lo_ro, InboxQuery(), after=first.last))
    # A bound on the sort column alone, beside the (column, id) disjunction, in the query that
    # walks the index for the page's ids (the subquery: its table's alias is Django's "V0").
    assert 'V0."sent_at" <= ' in sql


def _page_query(officer: Officer, query: InboxQuery, *, limit: int = 50) -> str:
    with CaptureQueriesContext(connection) as captured:
        inbox_search(officer, query, limit=limit)
    return next(
        q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "exchanges_')
    )


def test_a_page_walks_for_the_ids_of_its_rows_before_it_reads_a_row(lo_ro: Officer) -> None:
    send(lo_ro, "Bulgarian Police")
    sql = _page_query(lo_ro, InboxQuery(crime_area="drugs"), limit=10)
    # The walk (permission rows, filters, order, limit) selects ids only, so that the index
    # serving the order answers it without reading the rows it passes; the page's rows are
    # read by id.
    walk = re.search(
        r'WHERE "exchanges_exchange"\."id" IN \(SELECT V0\."id" AS "pk" '
        r'FROM "exchanges_exchange" V0 WHERE (.*) LIMIT 11\) ORDER BY',
        sql,
    )
    assert walk is not None, sql
    assert '"exchanges_exchangegroupobjectpermission"' in walk.group(1)
    assert "crime_area_id" in walk.group(1)


@pytest.mark.parametrize("persona", ["lo_ro", "nfp_bg"])
@pytest.mark.parametrize(
    "query",
    [
        InboxQuery(status=ReceiptStatus.ANSWERED),
        InboxQuery(status=ReceiptStatus.UNANSWERED),
        InboxQuery(status=ReceiptStatus.UNREAD),
        InboxQuery(overdue=True),
    ],
)
def test_a_receipt_state_filter_takes_the_sender_from_the_row_walked(
    request, persona: str, query: InboxQuery
) -> None:
    officer = request.getfixturevalue(persona)
    receipts = re.search(
        r'EXISTS\(SELECT 1 AS "a" FROM "exchanges_recipient" U0 (.*?) LIMIT 1\)',
        _page_query(officer, query),
    )
    assert receipts is not None
    # What the scope sent is told by the walked row's sender (the index carries it), not by
    # joining each receipt's exchange, which read that exchange's row again for every entry.
    assert 'V0."sender_agency_id"' in receipts.group(1)
    assert '"exchanges_exchange"' not in receipts.group(1)


def test_the_dashboard_leaves_out_a_receipt_whose_view_was_withdrawn(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    kept = send(lo_ro, "Bulgarian Police")
    withdrawn = send(lo_ro, "Bulgarian Police")
    ExchangeGroupObjectPermission.objects.filter(
        content_object=withdrawn, permission_id=permission_id("exchanges", Perm.VIEW)
    ).delete()
    work = agency_work(lo_bg)
    assert work is not None
    shown = {r.exchange_id for r in work.unread.receipts + work.unacknowledged.receipts}
    assert shown == {kept.pk}


@pytest.mark.parametrize("persona", ["lo_bg", "nfp_bg"])
def test_receipts_hidden_from_the_officer_take_no_place_in_a_dashboard_list(
    request, lo_ro: Officer, directory_admin: Officer, persona: str
) -> None:
    officer = request.getfixturevalue(persona)
    # The most urgent receipts are of personal data, which Bulgaria loses as an observer: its
    # receipts stay, the view of the exchanges goes.
    hidden = [
        send(lo_ro, "Bulgarian Police", personal=True, priority="immediate") for _ in range(3)
    ]
    strategic = send(lo_ro, "Bulgarian Police", priority="routine")
    party_change_status(
        actor=directory_admin,
        party=Party.objects.get(code="BG"),
        status=PartyStatus.OBSERVER,
        effective_from=dt.date(2026, 11, 1),
    )
    assert Recipient.objects.filter(exchange__in=hidden, read_at__isnull=True).count() == 3
    work = agency_work(officer, limit=2)
    assert work is not None
    assert [r.exchange_id for r in work.unread.receipts] == [strategic.pk]
    assert not work.unread.more
    assert [r.exchange_id for r in work.unacknowledged.receipts] == [strategic.pk]


def test_an_nfp_list_takes_the_most_urgent_of_all_the_partys_agencies(
    lo_ro: Officer, nfp_bg: Officer
) -> None:
    routine = send(lo_ro, "Bulgarian Police", priority="routine")
    immediate = send(lo_ro, "Bulgarian Customs Agency", priority="immediate")
    urgent = send(lo_ro, "Bulgarian Police", priority="urgent")
    work = agency_work(nfp_bg, limit=2)
    assert work is not None
    assert [r.exchange_id for r in work.unread.receipts] == [immediate.pk, urgent.pk]
    assert work.unread.more
    assert routine.pk not in {r.exchange_id for r in work.unread.receipts}


@pytest.mark.parametrize(
    ("persona", "queries"),
    # An agency's officer: the four lists, the agencies they name (once for the four) and the
    # officer's groups (each list checks the permission as it reads). An NFP officer: also the
    # party's agencies (which a request loads with the officer, see the test below), and each
    # list's first ids before its rows.
    [("lo_bg", 6), ("nfp_bg", 11)],
)
def test_the_dashboard_costs_a_fixed_number_of_queries(
    request, lo_ro: Officer, persona: str, queries: int, django_assert_num_queries
) -> None:
    officer = request.getfixturevalue(persona)
    # Every list has rows (an empty list of ids costs no query).
    overdue, due_today, _ = (
        send(lo_ro, "Bulgarian Police", "Bulgarian Customs Agency") for _ in range(3)
    )
    _start, end = local_day(officer, timezone.now())
    set_due(Exchange.objects.filter(pk=overdue.pk), timezone.now() - dt.timedelta(hours=1))
    set_due(Exchange.objects.filter(pk=due_today.pk), end - dt.timedelta(seconds=1))
    permission_id("exchanges", Perm.VIEW)
    with django_assert_num_queries(queries):
        work = agency_work(officer)
    assert work is not None
    assert work.unread.receipts
    assert work.overdue.receipts
    assert work.due_today.receipts


def test_a_signed_in_nfp_officer_brings_the_partys_agencies_and_the_inbox_names_them(
    lo_ro: Officer, nfp_bg: Officer, django_assert_num_queries
) -> None:
    # Every list of the dashboard has rows, as in the test above.
    overdue, due_today, _ = (
        send(lo_ro, "Bulgarian Police", "Bulgarian Customs Agency") for _ in range(3)
    )
    _start, end = local_day(nfp_bg, timezone.now())
    set_due(Exchange.objects.filter(pk=overdue.pk), timezone.now() - dt.timedelta(hours=1))
    set_due(Exchange.objects.filter(pk=due_today.pk), end - dt.timedelta(seconds=1))
    officer = officers_signing_in().get(pk=nfp_bg.pk)  # as each request loads it
    permission_id("exchanges", Perm.VIEW)

    with django_assert_num_queries(0):
        agency_ids = party_agency_ids(officer)
    bulgarian = Agency.objects.filter(party__code="BG").order_by("pk")
    assert agency_ids == tuple(bulgarian.values_list("pk", flat=True))
    # The test above's eleven, less the officer's groups and the party's agencies.
    with django_assert_num_queries(9):
        agency_work(officer)
    # The scope's receipts and senders by the agencies' ids, constants of the SQL: not by a
    # join on the party, which PostgreSQL would estimate as an average party's.
    with CaptureQueriesContext(connection) as captured:
        inbox_search(officer, InboxQuery(unread=True, status=ReceiptStatus.UNANSWERED))
    page_query = captured.captured_queries[0]["sql"]
    assert '"exchanges_recipient"' in page_query
    assert '"partners_agency"' not in page_query
    with django_assert_num_queries(3):
        inbox_search(officer, InboxQuery(overdue=True))


def test_listed_receipts_carry_the_stored_receipts_and_share_one_agency_each(
    lo_ro: Officer, django_assert_num_queries
) -> None:
    first = send(lo_ro, "Bulgarian Police", "Turkish Customs")
    second = send(lo_ro, "Bulgarian Police")
    Recipient.objects.filter(exchange=first, agency__name="Bulgarian Police").update(
        read_at=timezone.now(), acknowledged_at=timezone.now()
    )
    exchanges = list(Exchange.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"))

    with django_assert_num_queries(2):  # the receipts, then the agencies with their parties
        attach_receipts(exchanges)

    columns = ("exchange_id", "agency_id", "via", "delivered_at", "read_at", "acknowledged_at")
    for exchange in exchanges:
        stored = Recipient.objects.filter(exchange=exchange).order_by("pk")
        assert [
            tuple(getattr(receipt, column) for column in columns)
            for receipt in exchange.listed_receipts
        ] == list(stored.values_list(*columns))
        assert all(r.agency.pk == r.agency_id for r in exchange.listed_receipts)
    bulgarian = [
        r.agency for e in exchanges for r in e.listed_receipts if r.agency.party.code == "BG"
    ]
    assert len(bulgarian) == 2
    assert bulgarian[0] is bulgarian[1]  # one instance per agency named on the page
    assert exchanges[0].sender_agency is exchanges[1].sender_agency


def test_the_dashboards_lists_name_their_agencies_from_one_query(
    lo_ro: Officer, lo_bg: Officer, django_assert_num_queries
) -> None:
    first = send(lo_ro, "Bulgarian Police", "Turkish Customs")
    second = send(lo_ro, "Bulgarian Police")
    permission_id("exchanges", Perm.VIEW)
    with CaptureQueriesContext(connection) as captured:
        work = agency_work(lo_bg)
    assert work is not None
    # Each list joins its exchange alone; the agencies come once, after the four lists.
    agency_reads = [q["sql"] for q in captured.captured_queries if '"partners_agency"' in q["sql"]]
    assert len(agency_reads) == 1
    assert agency_reads[0].startswith('SELECT "partners_agency"')
    shown = work.unread.receipts + work.unacknowledged.receipts
    assert {r.exchange_id for r in shown} == {first.pk, second.pk}
    with django_assert_num_queries(0):
        named = {(r.agency.name, r.agency.party.code) for r in shown}
        senders = {
            (r.exchange.sender_agency.name, r.exchange.sender_agency.party.code) for r in shown
        }
    assert named == {("Bulgarian Police", "BG")}
    assert senders == {("Romanian Police", "RO")}
    assert all(r.agency is shown[0].agency for r in shown)  # one instance per agency named
    assert all(r.agency_id == r.agency.pk for r in shown)


@pytest.mark.parametrize(
    "lookup",
    [
        lambda officer, exchange: exchange_get_for_officer(officer, reference=exchange.reference),
        lambda officer, exchange: exchange_get_for_officer(officer, pk=exchange.pk),
        lambda officer, exchange: thread_messages(officer, exchange),
        lambda officer, exchange: references_visible_to(officer, [exchange.pk]),
    ],
    ids=["by-reference", "by-id", "thread", "references"],
)
def test_a_lookup_by_key_checks_each_row_found_without_joining_the_permissions(
    lookup, lo_ro: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    permission_id("exchanges", Perm.VIEW)
    sql = _sql_of(lambda: lookup(lo_ro, exchange))
    # A scalar subquery per row (planned on its own), not a semi-join the planner would place
    # among the relations the lookup joins.
    assert re.search(r'"exchanges_exchangegroupobjectpermission".*LIMIT 1\) IS NOT NULL', sql)
    assert not re.search(r'"exchanges_exchange"\."id" IN \(SELECT', sql)


def test_a_thread_s_replies_name_their_parents_as_loaded_and_no_lookup_joins_a_parent(
    lo_ro: Officer, lo_bg: Officer, django_assert_num_queries
) -> None:
    root = send(lo_ro, "Bulgarian Police")
    answer = exchange_reply(officer=lo_bg, parent=root, message=message(attachments=()))
    reads = [
        lambda: thread_messages(lo_ro, answer),
        lambda: exchange_get_for_officer(lo_ro, reference=answer.reference),
    ]
    for read in reads:
        # Joining the exchanges table to itself tripled the lookup's planning time.
        assert 'JOIN "exchanges_exchange"' not in _sql_of(read)

    first, second = thread_messages(lo_ro, answer)
    with django_assert_num_queries(0):
        assert second.in_reply_to is first
    assert (first.pk, second.pk) == (root.pk, answer.pk)


def test_a_lookup_by_key_answers_404_where_the_list_shows_nothing(
    lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    for officer in (lo_ro, lo_bg):
        assert exchange_get_for_officer(officer, reference=exchange.reference) == exchange
        assert [m.pk for m in thread_messages(officer, exchange)] == [exchange.pk]
    assert not exchanges_visible_to(lo_tr).filter(pk=exchange.pk).exists()
    with pytest.raises(Http404):
        exchange_get_for_officer(lo_tr, reference=exchange.reference)
    assert thread_messages(lo_tr, exchange) == []
    assert references_visible_to(lo_tr, [exchange.pk]) == {}
    lo_bg.is_active = False
    with pytest.raises(Http404):
        exchange_get_for_officer(lo_bg, pk=exchange.pk)
