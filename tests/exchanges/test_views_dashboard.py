"""The dashboard: the officer's posting and the work waiting for their agency."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.models import Exchange, Recipient
from exchanges.selectors_dashboard import DASHBOARD_LIMIT
from exchanges.selectors_inbox import local_day
from exchanges.services import consultation, on_receipt
from partners.models import Officer
from tests.exchanges.scenario import send, set_due
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db

SECTIONS = ("overdue", "due-today", "unread", "unacknowledged")


def _send(officer: Officer, *recipients: str, **kwargs: object) -> Exchange:
    return send(officer, *recipients, attachments=(), **kwargs)  # type: ignore[arg-type]


def _dashboard(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _section(content: str, name: str) -> str:
    start = content.index(f'id="section-{name}"')
    return content[start : content.index("</section>", start)]


def _refs(section: str) -> list[str]:
    return re.findall(r'<a href="/exchanges/(SELEC-\d{4}-\d{6})/">', section)


def _inbox_link(section: str) -> str:
    match = re.search(r'<a href="(/exchanges/\?[^"]+)">', section)
    assert match is not None
    return html.unescape(match.group(1))


def test_the_dashboard_keeps_the_posting_panel(login, lo_ro: Officer) -> None:
    content = _dashboard(login(lo_ro))
    for expected in [
        "Romania (RO)",
        "Member state",
        "since 7 October 2011",
        "Romanian Police",
        "Liaison officer",
        "Anti-Drug Trafficking",
        "Financial and Computer Crimes — Cyber Crime",
        "Sends and receives personal data.",
        "Takes part in joint investigations and regional operations.",
    ]:
        assert expected in content, expected


def test_a_liaison_officer_sees_the_work_of_their_agency_and_no_other(
    login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:
    mine = _send(lo_ro, "Bulgarian Police")
    also_mine = _send(lo_tr, "Bulgarian Police", "Romanian Police")
    not_mine = _send(lo_ro, "Turkish Customs")
    content = _dashboard(login(lo_bg))
    assert "Waiting for Bulgarian Police" in content
    assert set(_refs(_section(content, "unread"))) == {mine.reference, also_mine.reference}
    assert set(_refs(_section(content, "unacknowledged"))) == {mine.reference, also_mine.reference}
    assert not_mine.reference not in content
    # What Romania sent waits for Bulgaria, not for Romania.
    assert mine.reference not in _dashboard(login(lo_ro))


def test_reading_acknowledging_and_answering_move_a_receipt_off_the_lists(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = _send(lo_ro, "Bulgarian Police", priority="immediate")
    set_due(Exchange.objects.filter(pk=exchange.pk), timezone.now() - dt.timedelta(minutes=5))
    client = login(lo_bg)
    content = _dashboard(client)
    for name in ("overdue", "unread", "unacknowledged"):
        assert _refs(_section(content, name)) == [exchange.reference], name
    assert 'class="badge overdue"' in _section(content, "unread")

    purpose_given(lo_bg, exchange)

    consultation.exchange_consult(officer=lo_bg, exchange=exchange)
    content = _dashboard(client)
    assert _refs(_section(content, "unread")) == []
    assert "Nothing unread." in _section(content, "unread")
    assert _refs(_section(content, "unacknowledged")) == [exchange.reference]

    on_receipt.exchange_acknowledge(officer=lo_bg, exchange=exchange)
    assert _refs(_section(_dashboard(client), "unacknowledged")) == []

    Recipient.objects.filter(exchange=exchange).update(answered_at=timezone.now())
    content = _dashboard(client)
    assert _refs(_section(content, "overdue")) == []
    assert "No request is overdue." in content


def test_overdue_and_due_today_concern_unanswered_requests_only(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    start, end = local_day(lo_bg, timezone.now())
    overdue = _send(lo_ro, "Bulgarian Police")
    information = _send(lo_ro, "Bulgarian Police", kind="information")
    later = _send(lo_ro, "Bulgarian Police")
    today = _send(lo_ro, "Bulgarian Police")
    tomorrow = _send(lo_ro, "Bulgarian Police")
    now = timezone.now()
    set_due(
        Exchange.objects.filter(pk__in=[overdue.pk, information.pk]),
        min(now, start) - dt.timedelta(minutes=1),
    )
    set_due(Exchange.objects.filter(pk=today.pk), end - dt.timedelta(seconds=1))
    set_due(Exchange.objects.filter(pk=tomorrow.pk), end)
    content = _dashboard(login(lo_bg))
    assert _refs(_section(content, "overdue")) == [overdue.reference]
    assert _refs(_section(content, "due-today")) == [today.reference]
    assert later.reference not in _section(content, "due-today")


def test_the_lists_put_the_most_urgent_first_then_the_soonest_due(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    routine = _send(lo_ro, "Bulgarian Police", priority="routine")
    urgent_late = _send(lo_ro, "Bulgarian Police", priority="urgent")
    urgent_soon = _send(lo_ro, "Bulgarian Police", priority="urgent")
    immediate = _send(lo_ro, "Bulgarian Police", priority="immediate")
    set_due(Exchange.objects.filter(pk=urgent_soon.pk), urgent_late.due_at - dt.timedelta(hours=1))
    content = _dashboard(login(lo_bg))
    assert _refs(_section(content, "unread")) == [
        immediate.reference,
        urgent_soon.reference,
        urgent_late.reference,
        routine.reference,
    ]


def test_the_nfp_sees_the_work_of_every_agency_of_their_country(
    login, lo_ro: Officer, lo_tr: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    to_both = _send(lo_ro, "Bulgarian Police", "Bulgarian Customs Agency")
    to_customs = _send(lo_tr, "Bulgarian Customs Agency")
    elsewhere = _send(lo_ro, "Turkish Customs")
    purpose_given(lo_bg, to_both)
    consultation.exchange_consult(officer=lo_bg, exchange=to_both)
    content = _dashboard(login(nfp_bg))
    assert "Waiting for the agencies of Bulgaria" in content
    unread = _section(content, "unread")
    # One row per receipt: the police read it, customs did not.
    assert _refs(unread) == [to_both.reference, to_customs.reference]
    assert "<td>Bulgarian Customs Agency</td>" in unread
    assert "<td>Bulgarian Police</td>" not in unread
    unacknowledged = _section(content, "unacknowledged")
    assert _refs(unacknowledged).count(to_both.reference) == 2
    assert elsewhere.reference not in content


def test_an_outsider_sees_none_of_lo_ros_exchanges_to_bulgaria(
    login, lo_ro: Officer, outsider: Officer
) -> None:
    exchanges = [_send(lo_ro, "Bulgarian Police", priority="immediate") for _ in range(2)]
    content = _dashboard(login(outsider))
    for name in SECTIONS:
        assert _refs(_section(content, name)) == []
    for exchange in exchanges:
        assert exchange.reference not in content


def test_an_observer_sees_only_strategic_information_addressed_to_it(
    login, lo_ro: Officer, obs_at: Officer
) -> None:
    strategic = _send(lo_ro, "Police of Austria", kind="information")
    personal = _send(lo_ro, "Bulgarian Police", personal=True)
    content = _dashboard(login(obs_at))
    assert _refs(_section(content, "unread")) == [strategic.reference]
    assert personal.reference not in content
    assert "Receives strategic information only." in content


@pytest.mark.parametrize("persona", ["analyst", "dpo", "directory_admin"])
def test_secretariat_staff_see_their_posting_and_that_exchanges_are_not_theirs(
    login, lo_ro: Officer, persona: str, request
) -> None:
    exchange = _send(lo_ro, "Bulgarian Police")
    content = _dashboard(login(request.getfixturevalue(persona)))
    assert "SELEC Secretariat" in content
    assert "Exchanges are not for secretariat staff to read" in content
    assert exchange.reference not in content
    assert 'id="section-unread"' not in content


def test_each_list_links_to_the_inbox_filtered_the_same_way(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    _start, end = local_day(lo_bg, timezone.now())
    overdue = _send(lo_ro, "Bulgarian Police")
    today = _send(lo_ro, "Bulgarian Police", priority="immediate")
    read = _send(lo_ro, "Bulgarian Police")
    _send(lo_bg, "Romanian Police")  # outgoing: in no list
    set_due(Exchange.objects.filter(pk=overdue.pk), timezone.now() - dt.timedelta(hours=1))
    set_due(Exchange.objects.filter(pk=today.pk), end - dt.timedelta(seconds=1))
    purpose_given(lo_bg, read)
    consultation.exchange_consult(officer=lo_bg, exchange=read)
    client = login(lo_bg)
    content = _dashboard(client)
    for name in SECTIONS:
        section = _section(content, name)
        listed = _refs(client.get(_inbox_link(section)).content.decode())
        assert sorted(listed) == sorted(_refs(section)), name
        assert _refs(section), name


def test_a_long_list_is_bounded_and_says_the_inbox_has_the_rest(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    for _ in range(DASHBOARD_LIMIT + 1):
        _send(lo_ro, "Bulgarian Police")
    unread = _section(_dashboard(login(lo_bg)), "unread")
    assert len(_refs(unread)) == DASHBOARD_LIMIT
    assert f"The first {DASHBOARD_LIMIT} are shown." in unread
    assert ">All unread exchanges</a>" in unread


def _dashboard_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured.captured_queries)


def test_the_dashboard_costs_the_same_queries_for_ten_and_two_hundred_rows(
    login, lo_ro: Officer, nfp_bg: Officer, lo_bg: Officer
) -> None:
    def grow(n: int) -> None:
        for _ in range(n):
            _send(lo_ro, "Bulgarian Police", "Bulgarian Customs Agency")
        # Some of them overdue and some due today, so that every list has rows.
        _start, end = local_day(lo_bg, timezone.now())
        newest = Exchange.objects.order_by("-pk").values("pk")
        set_due(
            Exchange.objects.filter(pk__in=newest[: n // 2]), timezone.now() - dt.timedelta(hours=1)
        )
        set_due(Exchange.objects.filter(pk__in=newest[n // 2 : n]), end - dt.timedelta(seconds=1))

    grow(10)
    login(lo_bg).get("/")  # warm up
    small = {officer.username: _dashboard_queries(login(officer)) for officer in (lo_bg, nfp_bg)}
    grow(190)
    large = {officer.username: _dashboard_queries(login(officer)) for officer in (lo_bg, nfp_bg)}
    assert large == small
    content = _dashboard(login(nfp_bg))
    for name in SECTIONS:
        assert len(_refs(_section(content, name))) == DASHBOARD_LIMIT, name
