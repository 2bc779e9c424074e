"""An audit search as a CSV file: the page's download and the API's ``format=csv`` give the
same bytes. Bounded, not streamed (``oversight.selectors.EXPORT_LIMIT`` rows): the export's
audit event records how many events left, which a stream cut short could not promise, and DRF's
renderers answer a whole body.

A cell a spreadsheet would take for a formula (``= + - @``, a tab, a carriage return at its
start) is made text with a leading ``'``: what officers typed reaches the file (reasons,
justifications, usernames)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from oversight.rows import AuditRow

CSV_MEDIA_TYPE = "text/csv"
COLUMNS = (
    "id",
    "occurred_at",
    "username",
    "agency",
    "party",
    "category",
    "event",
    "object_type",
    "object_id",
    "reference",
    "ip_address",
    "reason",
    "justification",
    "request_id",
    "client_request_id",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _justification(row: AuditRow) -> str | None:
    # Translators: in the CSV export of the audit log, a justification that cannot be shown.
    return _("(altered or removed)") if row.justification_altered else row.justification


def _values(row: AuditRow) -> tuple[Any, ...]:
    event = row.event
    return (
        event.pk,
        event.occurred_at.isoformat(),
        event.actor_username,
        event.actor_agency,
        event.actor_party,
        event.action,
        event.event,
        event.object_type,
        event.object_id,
        row.reference,
        event.ip_address,
        event.reason,
        _justification(row),
        event.request_id,
        event.client_request_id,
    )


def audit_csv(rows: Iterable[AuditRow], *, truncated: bool) -> bytes:
    """The header, one line per event (newest first), and, when the search had more events
    than an export holds, a last line that says so."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([_cell(value) for value in _values(row)] for row in rows)
    if truncated:
        writer.writerow([_("truncated: narrow the search to export the older events")])
    return out.getvalue().encode("utf-8")


def export_filename() -> str:
    return f"selec-audit-{timezone.now():%Y%m%d-%H%M%S}.csv"
