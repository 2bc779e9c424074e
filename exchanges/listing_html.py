"""The inbox's table rows, the dashboard's rows of work waiting, and a listed subject, as HTML
built in Python.

The inbox draws fifty rows of a dozen cells, each with its receipts, dates and badges. Drawn by
Django's template engine they took about 40 ms of CPU a page on a two-core machine, half of the
page's time (every ``{{ }}`` resolved, escaped and translated apart: about 1,100 translations a
page), and the server answered 11 inbox pages a second. Built here, with the words translated
once a page and every value escaped with the standard library's ``html.escape`` (what Django's
``escape`` calls), the same markup takes about 7 ms. The dashboard, every officer's home page,
draws up to forty such rows and is built alike, the cells the two lists share by the same
functions. The pages' templates keep everything else (headings, paging, the empty table's
sentence); ``exchanges.templatetags.exchange_rows`` hands these to them."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from exchanges.inbox import ListedRow
from exchanges.models import Exchange, ExchangeKind, ListedReceipt, Recipient
from exchanges.selectors_dashboard import Overdue
from exchanges.selectors_subjects import ListedSubject, Withheld
from partners.models import Agency
from selec.core.templatetags.selec_tags import handling_badges, moment

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

_ROW = (
    "<tr>\n<td>{}{}{}</td>\n"
    '<td class="subject">{}</td>\n'
    "<td>{}</td>\n"
    "<td>{}</td>\n"
    '<td><ul class="plain">{}</ul></td>\n'
    "<td>{}</td>\n"
    "<td>{}</td>\n"
    "<td>{}</td>\n"
    "<td>{}</td>\n"
    "<td>{}</td>\n"
    '<td><ul class="plain receipts">{}</ul></td>\n</tr>\n'
)
_WORK_ROW = (
    "<tr>\n<td>{}</td>\n"
    '<td class="subject">{}</td>\n'
    "<td>{}</td>\n"
    "<td>{}</td>\n"
    "{}"
    "<td>{}</td>\n"
    "<td>{}</td>\n"
    "<td>{}</td>\n"
    "<td>{}</td>\n</tr>\n"
)
_THREAD_LINK = '<a href="{}"><code>{}</code></a>'
_PRIORITY = '<span class="badge priority-{}">{}</span>'
_AGENCY = "<code>{}</code> {}"
_AGENCY_ITEM = f"<li>{_AGENCY}</li>"
_RECEIPT_ITEM = "<li>{}{}</li>"
_RECEIPT_AGENCY = f"{_AGENCY}: "
_RECEIPT_BADGE = '<span class="badge receipt {}">{}</span>'
_WITHHELD = '<span class="muted withheld">{}</span>'


class _Words:
    """The rows' words in the active language, translated once for the page."""

    def __init__(self) -> None:
        self.outgoing = format_html(
            '<br><span class="badge direction">{}</span>', gettext("Outgoing")
        )
        self.erased = format_html(
            '<br><span class="muted erased">{}</span>', gettext("(content erased)")
        )
        self.overdue = format_html(' <span class="badge overdue">{}</span>', gettext("Overdue"))
        self.closed = format_html(' <span class="badge closed">{}</span>', gettext("closed"))
        self.receipt_states = {
            state: format_html(_RECEIPT_BADGE, state, word)
            for state, word in (
                # A context of their own: "read" and "answered" are also a verb and a
                # date's label elsewhere, and several languages say those differently.
                ("answered", pgettext("receipt state", "answered")),
                ("acknowledged", pgettext("receipt state", "acknowledged")),
                ("read", pgettext("receipt state", "read")),
                ("delivered", pgettext("receipt state", "delivered, not read")),
            )
        }
        # The thread's address around its reference, reversed once a page: fifty reverses
        # were a twentieth of the inbox page's time.
        self._thread_url = reverse("exchanges:thread", args=[_STAND_IN]).split(_STAND_IN)

    def thread_url(self, reference: str) -> str:
        """``reverse("exchanges:thread", args=[reference])``, the reference quoted as the
        resolver quotes it."""
        before, after = self._thread_url
        return f"{before}{quote(reference, safe=_PATH_SAFE)}{after}"


# A stand-in the thread's address contains once, with nothing to quote.
_STAND_IN = "0reference0"
# What the URL resolver leaves unquoted in an argument.
_PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"


def listed_subject_html(subject: ListedSubject) -> SafeString:
    """A subject as a list shows it: its text, or why it is withheld."""
    if subject.shown:
        return format_html("{}", subject.text)
    if subject.withheld == Withheld.H3_UNCONFIRMED:
        reason = gettext("Withheld until your agency confirms the H3 restriction")
    else:
        reason = gettext("Erased")
    return format_html(_WITHHELD, reason)


def inbox_rows_html(rows: Sequence[ListedRow], *, nfp: bool) -> SafeString:
    """The ``<tr>`` of each row, in order. ``nfp``: the reader reviews their country's traffic,
    so each receipt names its agency (a liaison officer sees their agency's own, unnamed,
    except on what they sent)."""
    words = _Words()
    # Safe: every value ``_row_html`` interpolates is escaped there or is markup built here.
    return mark_safe("".join(_row_html(listed, words, nfp=nfp) for listed in rows))  # noqa: S308


def work_rows_html(
    rows: Sequence[tuple[WithAnnotations[Recipient, Overdue], ListedSubject]], *, nfp: bool
) -> SafeString:
    """The dashboard's rows of work waiting: a receipt (annotated ``is_overdue``, with its
    exchange) and the subject shown. ``nfp``: a column names the agency that received it."""
    words = _Words()
    # Safe: as the inbox's rows.
    return mark_safe(  # noqa: S308
        "".join(_work_row_html(receipt, subject, words, nfp=nfp) for receipt, subject in rows)
    )


def _row_html(listed: ListedRow, words: _Words, *, nfp: bool) -> str:
    # str.format over values escaped here (``escape`` is the standard library's, which
    # Django's own wraps): format_html would check every argument for laziness and safety.
    row, exchange = listed.row, listed.row.exchange
    return _ROW.format(
        _thread_link(exchange, words),
        words.outgoing if row.outgoing else "",
        words.erased if exchange.erased_at else "",
        listed_subject_html(listed.subject),
        escape(exchange.get_kind_display()),
        _sender(exchange),
        "".join(_AGENCY_ITEM.format(*_code_and_name(r.agency)) for r in exchange.listed_receipts),
        escape(exchange.crime_area.label),
        _priority(exchange),
        handling_badges(exchange.handling_codes),
        moment(exchange.sent_at),
        _due(exchange, words, overdue=row.overdue),
        "\n".join(
            _RECEIPT_ITEM.format(
                _RECEIPT_AGENCY.format(*_code_and_name(r.agency)) if row.outgoing or nfp else "",
                words.receipt_states[_receipt_state(r)],
            )
            for r in row.receipts
        ),
    )


def _work_row_html(
    receipt: WithAnnotations[Recipient, Overdue],
    subject: ListedSubject,
    words: _Words,
    *,
    nfp: bool,
) -> str:
    exchange = receipt.exchange
    received_by = ""
    if nfp:
        closed = words.closed if receipt.agency.closed_at else ""
        received_by = f"<td>{escape(receipt.agency.name)}{closed}</td>\n"
    return _WORK_ROW.format(
        _thread_link(exchange, words),
        listed_subject_html(subject),
        escape(exchange.get_kind_display()),
        _sender(exchange),
        received_by,
        _priority(exchange),
        handling_badges(exchange.handling_codes),
        moment(exchange.sent_at),
        _due(exchange, words, overdue=receipt.is_overdue),
    )


# The cells both lists draw alike.


def _thread_link(exchange: Exchange, words: _Words) -> str:
    url = words.thread_url(exchange.reference)
    return _THREAD_LINK.format(escape(url), escape(exchange.reference))


def _sender(exchange: Exchange) -> str:
    return _AGENCY.format(*_code_and_name(exchange.sender_agency))


def _priority(exchange: Exchange) -> str:
    return _PRIORITY.format(escape(exchange.priority), escape(exchange.get_priority_display()))


def _due(exchange: Exchange, words: _Words, *, overdue: bool) -> str:
    """A request's due date, marked when overdue; nothing is due on the other kinds."""
    if exchange.kind != ExchangeKind.REQUEST:
        return "—"
    return moment(exchange.due_at) + (words.overdue if overdue else "")


def _code_and_name(agency: Agency) -> tuple[str, str]:
    """An agency as the lists name it: its party's code and its name, escaped."""
    return escape(agency.party.code), escape(agency.name)


def _receipt_state(receipt: ListedReceipt) -> str:
    """How far the receipt has gone, the furthest step named."""
    if receipt.answered_at:
        return "answered"
    if receipt.acknowledged_at:
        return "acknowledged"
    if receipt.read_at:
        return "read"
    return "delivered"
