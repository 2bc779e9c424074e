"""The inbox page: whose exchanges it lists, its filters and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from exchanges.models import Exchange, Recipient
from exchanges.selectors_inbox import local_day
from exchanges.services import consultation, on_receipt, sending
from partners.models import Officer
from taskforces.models import CrimeArea, TaskForce
from tests.exchanges.inbox_pages import INBOX, _get, _refs, _send
from tests.exchanges.scenario import message, set_due
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db


def _row(content: str, reference: str) -> str:
    start = content.index(f'<a href="/exchanges/{reference}/">')
    return content[start : content.index("</tr>", start)]


# --- who sees what ----------------------------------------------------------------------------


def test_a_liaison_officer_sees_what_their_agency_sent_and_received_and_nothing_else(
    login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:
    sent = _send(lo_ro, "Bulgarian Police")
    received = _send(lo_bg, "Romanian Police")
    elsewhere = _send(lo_tr, "Bulgarian Police")
    content = _get(login(lo_ro))
    assert set(_refs(content)) == {sent.reference, received.reference}
    assert elsewhere.reference not in content
    assert "Outgoing" in _row(content, sent.reference)
    assert "Outgoing" not in _row(content, received.reference)


def test_rows_show_metadata_and_the_subject_but_never_the_body(login, lo_ro: Officer) -> None:
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
        "Secret subject line",
    ]:
        assert expected in row, expected
    assert "Secret body text" not in content


def test_the_nfp_sees_every_exchange_entering_or_leaving_their_country_with_domestic_receipts(
    login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, nfp_bg: Officer
) -> None:
    entering = _send(lo_ro, "Bulgarian Police", "Bulgarian Customs Agency", "Turkish Customs")
    leaving = _send(lo_bg, "Turkish Customs")
    elsewhere = _send(lo_ro, "Turkish Customs")
    purpose_given(lo_bg, entering)
    consultation.exchange_consult(officer=lo_bg, exchange=entering)
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
) -> None:
    exchanges = [_send(lo_ro, "Bulgarian Police") for _ in range(3)]
    content = _get(login(outsider))
    assert _refs(content) == []
    for exchange in exchanges:
        assert exchange.reference not in content
    assert "No exchange yet." in content


def test_an_observer_sees_strategic_information_addressed_to_it_but_never_personal_data(
    login, lo_ro: Officer, obs_at: Officer
) -> None:
    strategic = _send(lo_ro, "Police of Austria", kind="information")
    personal = _send(lo_ro, "Bulgarian Police", personal=True)
    content = _get(login(obs_at))
    assert _refs(content) == [strategic.reference]
    assert personal.reference not in content


@pytest.mark.parametrize("persona", ["analyst", "dpo", "directory_admin"])
def test_secretariat_staff_are_told_exchanges_are_not_theirs_to_read(
    login, lo_ro: Officer, persona: str, request
) -> None:
    exchange = _send(lo_ro, "Bulgarian Police")
    content = _get(login(request.getfixturevalue(persona)))
    assert "Exchanges are not for secretariat staff to read" in content
    assert exchange.reference not in content
    assert "<table" not in content


# --- filters ----------------------------------------------------------------------------------


def test_direction_is_relative_to_the_officers_agency(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    outgoing = _send(lo_ro, "Bulgarian Police")
    incoming = _send(lo_bg, "Romanian Police")
    client = login(lo_ro)
    assert _refs(_get(client, "?direction=incoming")) == [incoming.reference]
    assert _refs(_get(client, "?direction=outgoing")) == [outgoing.reference]
    assert set(_refs(_get(client, "?direction=all"))) == {incoming.reference, outgoing.reference}


def test_direction_for_an_nfp_officer_is_relative_to_their_country(
    login, lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    incoming = _send(lo_ro, "Bulgarian Customs Agency")
    outgoing = _send(lo_bg, "Romanian Police")
    client = login(nfp_bg)
    assert _refs(_get(client, "?direction=incoming")) == [incoming.reference]
    assert _refs(_get(client, "?direction=outgoing")) == [outgoing.reference]


def test_kind_and_priority_filters(login, lo_ro: Officer, lo_bg: Officer) -> None:
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
) -> None:
    opened = _send(lo_ro, "Bulgarian Police")
    acknowledged = _send(lo_ro, "Bulgarian Police")
    answered = _send(lo_ro, "Bulgarian Police")
    untouched = _send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, opened)
    consultation.exchange_consult(officer=lo_bg, exchange=opened)
    on_receipt.exchange_acknowledge(officer=lo_bg, exchange=acknowledged)
    reply = sending.exchange_reply(officer=lo_bg, parent=answered, message=message(attachments=()))
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
) -> None:
    read = _send(lo_ro, "Bulgarian Police")
    unread = _send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, read)
    consultation.exchange_consult(officer=lo_bg, exchange=read)
    client = login(lo_ro)
    assert _refs(_get(client, "?direction=outgoing&status=unread")) == [unread.reference]
    assert "delivered, not read" in _row(_get(client), unread.reference)
    assert 'class="badge receipt read"' in _row(_get(client), read.reference)


def test_crime_area_and_task_force_filters(login, lo_ro: Officer, lo_bg: Officer) -> None:
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
) -> None:
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


def test_an_nfp_follows_the_receipts_of_its_countrys_agencies_on_both_sides(
    login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, nfp_bg: Officer
) -> None:
    # Received by Bulgaria: its own receipt counts, not Turkey's on the same exchange.
    received = _send(lo_ro, "Bulgarian Police", "Turkish National Police")
    Recipient.objects.filter(exchange=received, agency__party__code="TR").update(
        answered_at=timezone.now()
    )
    # Sent by Bulgaria: every recipient's receipt counts.
    sent = _send(lo_bg, "Romanian Police")
    answered_by_all = _send(lo_bg, "Romanian Police")
    Recipient.objects.filter(exchange=answered_by_all).update(answered_at=timezone.now())
    set_due(Exchange.objects.all(), timezone.now() - dt.timedelta(hours=1))
    client = login(nfp_bg)

    assert _refs(_get(client, "?overdue=on")) == [sent.reference, received.reference]
    assert _refs(_get(client, "?status=unanswered")) == [sent.reference, received.reference]
    assert _refs(_get(client, "?status=answered")) == [answered_by_all.reference]
    assert _refs(_get(client, "?direction=outgoing&status=unread")) == [
        answered_by_all.reference,
        sent.reference,
    ]
    Recipient.objects.filter(exchange=received, agency__party__code="BG").update(
        answered_at=timezone.now()
    )
    assert _refs(_get(client, "?overdue=on")) == [sent.reference]


def test_due_today_is_the_officers_local_day(login, lo_ro: Officer, lo_bg: Officer) -> None:
    today = _send(lo_ro, "Bulgarian Police")
    yesterday = _send(lo_ro, "Bulgarian Police")
    _send(lo_ro, "Bulgarian Police")  # urgent: due in three days
    start, end = local_day(lo_bg, timezone.now())
    assert str(start.tzinfo) == "Europe/Bucharest"
    set_due(Exchange.objects.filter(pk=today.pk), end - dt.timedelta(seconds=1))
    set_due(Exchange.objects.filter(pk=yesterday.pk), start - dt.timedelta(seconds=1))
    assert _refs(_get(login(lo_bg), "?due_today=on")) == [today.reference]


def test_sent_date_range_in_the_officers_zone(login, lo_ro: Officer, lo_bg: Officer) -> None:
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


def test_reference_search_exact_or_by_prefix(login, lo_ro: Officer, lo_bg: Officer) -> None:
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


def test_filters_combine_and_are_kept_in_the_form(login, lo_ro: Officer, lo_bg: Officer) -> None:
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
) -> None:
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
) -> None:
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
) -> None:
    exchange = _send(lo_ro, "Bulgarian Police")
    content = _get(login(lo_bg), f"?after={cursor}")
    assert "The page position in the address is not valid" in content
    assert _refs(content) == [exchange.reference]


def test_the_inbox_refuses_post(login, lo_ro: Officer) -> None:
    assert login(lo_ro).post(INBOX).status_code == 405
