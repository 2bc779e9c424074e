"""The deadlines of requests: the periodic notice of requests due soon or overdue, to the
agencies that owe the answer and, once a request is overdue, to the agency that sent it."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from exchanges.models import (
    Exchange,
    ExchangeNotificationKind,
    Priority,
    Recipient,
)
from exchanges.notify import notify_agencies
from partners.models import Officer
from partners.selectors import officers_concerned
from selec.core.notifications import notify_officers

# How long before its due date an unanswered request is flagged as approaching.
APPROACHING_WITHIN = {
    Priority.IMMEDIATE: dt.timedelta(hours=2),
    Priority.URGENT: dt.timedelta(hours=24),
    Priority.ROUTINE: dt.timedelta(hours=48),
}


@transaction.atomic
def deadlines_flag(*, now: dt.datetime | None = None) -> int:
    """Notify the agencies whose answer to a request is due soon or overdue, and the sender of
    each request that became overdue. Idempotent: each receipt is flagged once per kind of
    notice, each overdue request told to its sender once (the notifications' dedupe keys)."""
    now = now or timezone.now()
    horizon = now + max(APPROACHING_WITHIN.values())
    open_receipts = Recipient.objects.filter(
        awaits_answer=True, answered_at__isnull=True, due_at__lte=horizon
    ).select_related("exchange", "agency")
    notified = 0
    overdue: dict[int, Exchange] = {}
    for receipt in open_receipts.iterator(chunk_size=500):
        exchange = receipt.exchange
        if exchange.due_at <= now:
            kind, title = (
                ExchangeNotificationKind.DEADLINE_PASSED,
                # Composed in each recipient's language (notify_officers calls it).
                functools.partial(_overdue_title, exchange.reference),
            )
            overdue[exchange.pk] = exchange
        elif exchange.due_at - now <= APPROACHING_WITHIN[Priority(exchange.priority)]:
            kind, title = (
                ExchangeNotificationKind.DEADLINE_APPROACHING,
                functools.partial(_approaching_title, exchange.reference, exchange.due_at),
            )
        else:
            continue
        notified += notify_agencies(
            agency_ids=[receipt.agency_id],
            party_ids=[receipt.agency.party_id],
            kind=kind,
            exchange=exchange,
            title=title,
            # Once per receipt and kind of notice, whatever the wording (the due time shown).
            dedupe_key=f"receipt:{receipt.pk}",
        )
    for exchange in overdue.values():
        notified += request_overdue_tell_sender(exchange=exchange)
    return notified


def request_overdue_tell_sender(*, exchange: Exchange) -> int:
    """Tell the officers of the agency that sent an overdue request, and its author, that an
    answer is missing: they are the ones to chase it. Not the sender's NFP: the overdue answer
    is owed by other countries, its own traffic review has nothing to act on. Once per request,
    however many addressees are late or however often the task runs."""
    officers = officers_concerned(agency_ids=[exchange.sender_agency_id]) | Officer.objects.filter(
        pk=exchange.author_id
    )
    return notify_officers(
        officers=officers,
        kind=ExchangeNotificationKind.REQUEST_OVERDUE,
        title=lambda: (
            # Translators: %(reference)s is the reference of a request the officer's agency sent.
            _("Your request %(reference)s is overdue: an answer is missing")
            % {"reference": exchange.reference}
        ),
        link=f"/exchanges/{exchange.reference}/",
        object_type="exchanges.exchange",
        object_id=str(exchange.pk),
        dedupe_key=f"{ExchangeNotificationKind.REQUEST_OVERDUE}:exchange:{exchange.pk}",
    )


def _when(moment: dt.datetime) -> str:
    # Django's format, not strftime: the month's abbreviation in the active language.
    return dateformat.format(timezone.localtime(moment), "d M Y H:i T")


def _overdue_title(reference: str) -> str:
    # Translators: %(reference)s is an exchange reference.
    return _("%(reference)s is overdue: no answer yet") % {"reference": reference}


def _approaching_title(reference: str, due_at: dt.datetime) -> str:
    # Translators: %(reference)s is an exchange reference, %(when)s a date and time
    # ("06 Dec 2026 14:00 CET").
    return _("%(reference)s is due %(when)s") % {"reference": reference, "when": _when(due_at)}
