"""The inbox's rows as built in Python (``exchanges.listing_html``): every value escaped, the
receipts and badges each reader is owed, the words in the reader's language."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from exchanges.inbox import ListedRow
from exchanges.listing_html import _Words, inbox_rows_html, listed_subject_html
from exchanges.models import Exchange, ExchangeKind, Recipient
from exchanges.selectors_inbox import InboxQuery, inbox_search
from exchanges.selectors_subjects import ListedSubject, Withheld, listed_subjects
from partners.models import Agency, Officer
from tests.exchanges.inbox_pages import _send
from tests.exchanges.scenario import set_due


def _rows_html(officer: Officer, *, nfp: bool = False) -> str:
    page = inbox_search(officer, InboxQuery(), subjects=True)
    exchanges = [row.exchange for row in page.rows]
    subjects = listed_subjects(officer, exchanges)
    return inbox_rows_html(
        [ListedRow(row, subjects[row.exchange.pk]) for row in page.rows], nfp=nfp
    )


def _cells(html: str) -> list[list[str]]:
    """Each row's cells, their markup as built."""
    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    ]


def test_every_value_is_escaped(lo_ro: Officer, lo_bg: Officer) -> None:
    assert lo_ro.agency is not None
    Agency.objects.filter(pk=lo_ro.agency.pk).update(name="Police <Romania> & Co")
    _send(lo_ro, "Bulgarian Police", subject='<script>alert("x")</script> & more')

    html = _rows_html(lo_bg)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in html
    assert "Police &lt;Romania&gt; &amp; Co" in html


def test_a_row_links_its_thread_and_shows_its_kind_priority_handling_and_dates(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = _send(lo_ro, "Bulgarian Police", subject="Heroin on the E80", code="H2")
    assert lo_ro.agency is not None

    [cells] = _cells(_rows_html(lo_bg))

    assert (
        cells[0]
        == f'<a href="/exchanges/{exchange.reference}/"><code>{exchange.reference}</code></a>'
    )
    assert cells[1] == "Heroin on the E80"
    assert cells[2] == "Request for assistance"
    assert cells[3] == f"<code>RO</code> {lo_ro.agency.name}"
    assert cells[4] == '<ul class="plain"><li><code>BG</code> Bulgarian Police</li></ul>'
    assert cells[6] == '<span class="badge priority-urgent">Urgent</span>'
    assert 'class="badge handling h2"' in cells[7]
    assert cells[8].startswith(
        f'<time datetime="{exchange.sent_at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"'
    )
    assert cells[9].startswith("<time ")
    # The reader's own receipt, unnamed: the agency is theirs.
    assert cells[10] == (
        '<ul class="plain receipts"><li><span class="badge receipt delivered">'
        "delivered, not read</span></li></ul>"
    )


def test_the_sender_sees_every_receipt_named_and_an_overdue_request_marked(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = _send(lo_ro, "Bulgarian Police", "Turkish National Police")
    set_due(Exchange.objects.filter(pk=exchange.pk), timezone.now() - dt.timedelta(days=1))
    Recipient.objects.filter(exchange=exchange, agency__party__code="BG").update(
        read_at=timezone.now(), acknowledged_at=timezone.now()
    )

    [cells] = _cells(_rows_html(lo_ro))

    assert '<span class="badge direction">Outgoing</span>' in cells[0]
    assert cells[9].endswith(' <span class="badge overdue">Overdue</span>')
    assert "<code>BG</code> Bulgarian Police: " in cells[10]
    assert '<span class="badge receipt acknowledged">acknowledged</span>' in cells[10]
    assert "<code>TR</code> Turkish National Police: " in cells[10]
    assert '<span class="badge receipt delivered">delivered, not read</span>' in cells[10]


def test_information_has_no_due_date_and_an_nfp_sees_its_agencies_receipts_named(
    lo_ro: Officer, nfp_bg: Officer
) -> None:
    _send(lo_ro, "Bulgarian Police", kind=ExchangeKind.INFORMATION)

    [cells] = _cells(_rows_html(nfp_bg, nfp=True))

    assert cells[9] == "—"
    assert cells[10].startswith('<ul class="plain receipts"><li><code>BG</code> Bulgarian Police: ')


def test_the_words_are_the_readers_language(lo_ro: Officer, lo_bg: Officer) -> None:
    _send(lo_ro, "Bulgarian Police")

    with translation.override("ro"):
        html = _rows_html(lo_ro)
        outgoing = gettext("Outgoing")
        delivered = pgettext("receipt state", "delivered, not read")

    assert outgoing != "Outgoing"
    assert f'<span class="badge direction">{outgoing}</span>' in html
    assert delivered in html


def test_a_withheld_subject_says_why() -> None:
    assert listed_subject_html(ListedSubject("a < b", Withheld.NO)) == "a &lt; b"
    h3 = listed_subject_html(ListedSubject("", Withheld.H3_UNCONFIRMED))
    assert h3 == (
        '<span class="muted withheld">Withheld until your agency confirms the H3 restriction</span>'
    )
    assert listed_subject_html(ListedSubject("", Withheld.ERASED)) == (
        '<span class="muted withheld">Erased</span>'
    )


def test_the_dashboards_rows_name_the_receiving_agency_for_an_nfp_and_escape_it(
    login, lo_ro: Officer, nfp_bg: Officer
) -> None:
    exchange = _send(lo_ro, "Bulgarian Police", subject="Heroin & <more>")
    set_due(Exchange.objects.filter(pk=exchange.pk), timezone.now() - dt.timedelta(hours=1))
    Agency.objects.filter(name="Bulgarian Police").update(
        name="Bulgarian <Police>", closed_at=timezone.now()
    )

    content = login(nfp_bg).get("/").content.decode()

    # The first section that lists it (it waits in several: overdue, unread...).
    row = next(c for c in _cells(content) if c and f"<code>{exchange.reference}</code>" in c[0])
    assert lo_ro.agency is not None
    assert row[1] == "Heroin &amp; &lt;more&gt;"
    assert row[3] == f"<code>RO</code> {lo_ro.agency.name}"
    assert row[4] == 'Bulgarian &lt;Police&gt; <span class="badge closed">closed</span>'
    assert row[8].endswith(' <span class="badge overdue">Overdue</span>')


def test_the_thread_address_is_the_resolvers_for_any_reference() -> None:
    """Reversed once a page around a stand-in: the same address as reversing each row's."""
    words = _Words()
    for reference in ("SELEC-2026-000123", "SELEC-2026-1", "a b&c?d#e%f", "ü ş~:@", "0reference0"):
        assert words.thread_url(reference) == reverse("exchanges:thread", args=[reference])
