"""What the thread page reads: the messages of an exchange's thread the officer may see, with
what the page shows of them, and the agencies an exchange could still be forwarded or
disseminated to."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from exchanges.models import DisseminationRequest, Exchange, Recipient
from exchanges.selectors import exchanges_visible_by_key
from partners.capabilities import statuses_that_may_hold
from partners.models import Agency, Officer


def _thread_rows(officer: Officer) -> QuerySet[Exchange]:
    """Visible exchanges with everything the thread page shows of them, prefetched (a thread
    is a few messages, each checked as it is read: ``exchanges_visible_by_key``)."""
    return (
        exchanges_visible_by_key(officer)
        .select_related("sender_agency__party", "author")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=Recipient.objects.select_related("agency__party").order_by("pk"),
            ),
            Prefetch(
                "dissemination_requests",
                queryset=DisseminationRequest.objects.select_related(
                    "requesting_agency__party", "requested_by"
                )
                .prefetch_related(
                    Prefetch("target_agencies", queryset=Agency.objects.select_related("party"))
                )
                .order_by("requested_at", "pk"),
            ),
        )
    )


def thread_messages(officer: Officer, exchange: Exchange) -> list[Exchange]:
    """Every message of the exchange's thread (its root and the replies) the officer may see,
    oldest first: a fixed number of queries whatever the length of the thread. Each reply's
    ``in_reply_to`` is its parent as loaded here when the officer may see it (the page names
    the parent only then); it is never joined in the query."""
    root_id = exchange.thread_root_id or exchange.pk
    messages = list(
        _thread_rows(officer)
        .filter(Q(pk=root_id) | Q(thread_root_id=root_id))
        .order_by("sent_at", "pk")
    )
    by_id = {message.pk: message for message in messages}
    for message in messages:
        parent = by_id.get(message.in_reply_to_id) if message.in_reply_to_id else None
        if parent is not None:
            message.in_reply_to = parent
    return messages


def agencies_to_add(officer: Officer, exchange: Exchange) -> list[Agency]:
    """Agencies an exchange could still be forwarded or disseminated to: not the officer's own,
    not its sender, not a current recipient, not closed, of a party that takes part in SELEC
    (and, when the exchange carries personal data, one that may hold it). Ordered by party,
    then name."""
    statuses = statuses_that_may_hold(personal_data=exchange.personal_data)
    return list(
        Agency.objects.select_related("party")
        .filter(party__status__in=statuses, closed_at__isnull=True)
        .exclude(pk__in=Recipient.objects.filter(exchange=exchange).values("agency_id"))
        .exclude(pk=exchange.sender_agency_id)
        .exclude(pk=officer.agency_id or 0)
        .order_by("party__name", "-is_national_focal_point", "name")
    )
