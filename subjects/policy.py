"""Who handles data subject requests, and the rules of a request's life: decided here only,
from plain facts (no database), like ``exchanges.policy``.

The DPO alone searches, forwards and follows requests; everybody else (directory
administrators and analysts included) is answered 404 on every page and endpoint of theirs, as
for an address that does not exist. A provider agency's officers answer the items addressed to
their agency, and no other agency learns of them.
"""

from __future__ import annotations

import datetime as dt

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from partners.models import Role
from subjects.models import Decision, RequestKind, RequestStatus

# The time the law gives the controller to answer (LED Art. 12(3): without undue delay; the
# GDPR's month is the usual yardstick), the default of a request's due date.
ANSWER_WITHIN = dt.timedelta(days=30)

# What a provider may decide, per kind of request: what was asked, a refusal (with its
# grounds, LED Art. 15 and 16(4)), or that the exchange holds no such data after all (a blind
# index match is on identifiers, which two people may share).
DECISIONS: dict[str, tuple[Decision, ...]] = {
    RequestKind.ACCESS: (Decision.ACCESS_GIVEN, Decision.REFUSED, Decision.NO_DATA),
    RequestKind.RECTIFICATION: (Decision.RECTIFIED, Decision.REFUSED, Decision.NO_DATA),
    RequestKind.ERASURE: (Decision.ERASED, Decision.REFUSED, Decision.NO_DATA),
}
# Decisions that need words: what is given to the person, or the grounds of a refusal.
ANSWER_REQUIRED = frozenset({Decision.ACCESS_GIVEN, Decision.REFUSED})


def handles_subject_requests(*, role: str, is_active: bool) -> bool:
    """The DPO's pages and endpoints: the active DPO only."""
    return is_active and role == Role.DPO


def answers_subject_requests(
    *, has_agency: bool, is_active: bool, awaits_confirmation: bool
) -> bool:
    """The provider's queue: the active officers of an agency whose access is confirmed."""
    return has_agency and is_active and not awaits_confirmation


def decisions_for(kind: str) -> tuple[Decision, ...]:
    return DECISIONS[RequestKind(kind)]


def decision_problem(
    *,
    kind: str,
    decision: str,
    answer: str,
    erased: bool,
    corrected_on: dt.date | None,
    received_on: dt.date,
) -> tuple[str, str] | None:
    """(field, message) when the decision does not fit the request, None when it does.

    The DPO tells the person what the provider decided: "erased" and "rectified" must be true
    when they are given. Erased: the exchange's content is erased (``erased``). Rectified: the
    exchange was corrected on or after the day the request was received (``corrected_on``,
    the day of its last correction): a correction made before it cannot answer it, and a
    provider may correct between the receipt and the forwarding, when the DPO asks it first."""
    allowed = decisions_for(kind)
    if decision not in allowed:
        names = ", ".join(str(d.label).lower() for d in allowed)
        # Translators: %(kind)s is a kind of request (access, rectification, erasure), lower case;
        # %(decisions)s lists the decisions that answer it, lower case.
        return "decision", _("A request for %(kind)s is answered: %(decisions)s.") % {
            "kind": str(RequestKind(kind).label).lower(),
            "decisions": names,
        }
    if decision == Decision.ERASED and not erased:
        return "decision", _(
            "The exchange's content is not erased: erase it on its erasure page first (it shows "
            "what would be removed), then record this decision."
        )
    if decision == Decision.RECTIFIED and (corrected_on is None or corrected_on < received_on):
        return "decision", _(
            "The exchange has not been corrected since the request was received "
            "(%(date)s): correct it on its correction page first, then record "
            "this decision."
        ) % {"date": date_format(received_on, "d M Y")}
    if Decision(decision) in ANSWER_REQUIRED and not answer.strip():
        if decision == Decision.REFUSED:
            return "answer", _("Give the grounds of the refusal.")
        return "answer", _("Say what is given to the person, and how.")
    return None


def default_due_on(received_on: dt.date) -> dt.date:
    return received_on + ANSWER_WITHIN


def dates_problem(
    *, received_on: dt.date, due_on: dt.date, today: dt.date
) -> tuple[str, str] | None:
    """(field, message) when the dates do not fit, None when they do."""
    if received_on > today:
        return "received_on", _("A request cannot have been received in the future.")
    if due_on < received_on:
        return "due_on", _("The due date cannot be before the request was received.")
    return None


def request_status(*, answered: bool, due_on: dt.date, today: dt.date) -> RequestStatus:
    """Answered once every item is; overdue while one is pending after the due date."""
    if answered:
        return RequestStatus.ANSWERED
    return RequestStatus.OVERDUE if due_on < today else RequestStatus.OPEN


def item_overdue(*, pending: bool, due_on: dt.date, today: dt.date) -> bool:
    return pending and due_on < today
