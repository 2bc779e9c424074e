"""The agencies an officer wrote to last: the quick picks of the compose page's recipient picker.

They are the officer's own, not their agency's: the liaison officers of one agency work different
desks (a task force, a crime area, a border crossing), and a colleague's correspondents pushed
to the top would bury the officer's own. Only what the officer sent from their current agency
counts, so that an officer moved to another agency starts afresh.
"""

from __future__ import annotations

from django.db.models import Max

from exchanges.models import Exchange, Recipient, RecipientVia
from partners.models import Officer

# How many agencies the picker offers first, and how many of the officer's last sends are read
# to find them: enough for the few agencies an officer works with, bounded whatever their
# history.
RECENT_RECIPIENTS = 6
RECENT_SENDS_READ = 20


def recently_addressed_agency_ids(*, officer: Officer, limit: int = RECENT_RECIPIENTS) -> list[int]:
    """The agencies the officer addressed in their last sends, the most recently addressed
    first (ties by id, so the order is stable). One query: the officer's last
    ``RECENT_SENDS_READ`` exchanges from their agency, newest first, read from the sender's index
    (``exchange_by_sender``), and their addressed receipts (``receipt_addressed``). Forwarded
    and disseminated receipts are not the officer's choice and are left out. Whether an agency
    may still be addressed is for the caller to check against the agencies it offers."""
    if officer.agency_id is None:
        return []
    last_sends = (
        Exchange.objects.filter(sender_agency_id=officer.agency_id, author_id=officer.pk)
        .order_by("-sent_at")
        .values("id")[:RECENT_SENDS_READ]
    )
    rows = (
        Recipient.objects.filter(exchange_id__in=last_sends, via=RecipientVia.ADDRESSED)
        .values("agency_id")
        .annotate(last_addressed=Max("exchange__sent_at"))
        .order_by("-last_addressed", "agency_id")[:limit]
    )
    return [row["agency_id"] for row in rows]
