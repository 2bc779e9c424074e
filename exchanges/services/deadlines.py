"""The deadlines of requests: the periodic notice of requests due soon or overdue."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from exchanges.models import (
    ExchangeNotificationKind,
    Priority,
    Recipient,
)
from exchanges.notify import notify_agencies

# How long before its due date an unanswered request is flagged as approaching.
APPROACHING_WITHIN = {
    Priority.IMMEDIATE: dt.timedelta(hours=2),
    Priority.URGENT: dt.timedelta(hours=24),
    Priority.ROUTINE: dt.timedelta(hours=48),
}


@transaction.atomic
def deadlines_flag(*, now: dt.datetime | None = None) -> int:
    """Notify the agencies whose answer to a request is due soon or overdue. Idempotent: each
    receipt is flagged once per kind of notice (the notification's dedupe key)."""
    now = now or timezone.now()
    horizon = now + max(APPROACHING_WITHIN.values())
    open_receipts = Recipient.objects.filter(
        awaits_answer=True, answered_at__isnull=True, due_at__lte=horizon
    ).select_related("exchange", "agency")
    notified = 0
    for receipt in open_receipts.iterator(chunk_size=500):
        exchange = receipt.exchange
        if exchange.due_at <= now:
            kind, title = (
                ExchangeNotificationKind.DEADLINE_PASSED,
                f"{exchange.reference} is overdue: no answer yet",
            )
        elif exchange.due_at - now <= APPROACHING_WITHIN[Priority(exchange.priority)]:
            kind, title = (
                ExchangeNotificationKind.DEADLINE_APPROACHING,
                f"{exchange.reference} is due {_when(exchange.due_at)}",
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
    return notified


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d %b %Y %H:%M %Z")
