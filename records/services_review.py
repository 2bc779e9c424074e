"""The retention review's writes: a provider keeps an exchange (with a reason and the date of
its next review), and the daily escalation of overdue reviews. Erasure, the other outcome of a
review, is ``records.services_erasure``.

Each write is one transaction with its audit event; notices are written in it too and sent
after the commit (``selec.core.notifications``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchanges.models import Exchange
from partners.models import Agency, Officer, Role
from records import policy
from records.models import RecordsAuditEvent, RecordsNotificationKind, ReviewDecision, ReviewOutcome
from records.selectors_review import (
    AgencyReviewCounts,
    agencies_with_overdue_reviews,
    exchange_to_review,
    officers_told_of_overdue_reviews,
    review_today,
)
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers


@transaction.atomic
def review_keep(
    *, officer: Officer, exchange: Exchange, reason: str, next_review_on: dt.date | None
) -> ReviewDecision:
    """The provider keeps the exchange after its review: the reason (stored encrypted, and as
    the audit event's justification) and the date of the next review, which becomes the
    exchange's. The same agency's replies in its thread that followed the old date follow the
    new one. 404 to anybody but the provider, as for an exchange that does not exist."""
    # The provider's own reach, read afresh and locked: two decisions on one exchange happen
    # one after the other, each seeing the other's date.
    exchange_to_review(officer, exchange.reference)
    locked = (
        Exchange.objects.select_for_update(of=("self",))
        .select_related("crime_area")
        .get(pk=exchange.pk)
    )
    old = locked.review_due_on
    if old is None or locked.erased_at is not None:
        raise ValidationError(
            _(
                "%(reference)s has no retention review pending: it carries no personal data "
                "or its content was erased."
            )
            % {"reference": locked.reference}
        )
    problems = policy.keep_problems(
        today=review_today(),
        reason=reason,
        next_review_on=next_review_on,
        area_years=locked.crime_area.personal_data_review_years,
        default_years=settings.PERSONAL_DATA_REVIEW_YEARS,
    )
    if problems:
        raise ValidationError(problems)
    assert next_review_on is not None  # keep_problems refuses a missing date
    decision = ReviewDecision.objects.create(
        exchange=locked,
        agency_id=locked.sender_agency_id,
        decided_by=officer,
        decided_at=timezone.now(),
        outcome=ReviewOutcome.KEEP,
        reason=reason.strip(),
        next_review_on=next_review_on,
    )
    locked.review_due_on = next_review_on
    locked.save(update_fields=["review_due_on"])
    followed = _replies_follow(locked, old=old)
    audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=RecordsAuditEvent.REVIEW_KEPT,
        target=locked,
        reason="kept after its retention review",
        details={
            "reference": locked.reference,
            "next_review_on": next_review_on.isoformat(),
            "replies_following": followed,
        },
        # What the officer wrote may name people: encrypted, never in the log itself.
        justification=reason,
    )
    return decision


def _replies_follow(root: Exchange, *, old: dt.date) -> list[str]:
    """Move the replies of the kept exchange's thread that follow it to its new date; return
    their references. Only a thread's root carries its replies along."""
    if root.thread_root_id is not None:
        return []
    replies = Exchange.objects.filter(thread_root=root, review_due_on__isnull=False).values_list(
        "pk", "reference", "sender_agency_id", "review_due_on"
    )
    following = {
        pk: reference
        for pk, reference, agency_id, review_due_on in replies
        if policy.follows_kept_root(
            reply_agency_id=agency_id,
            root_agency_id=root.sender_agency_id,
            reply_review_due_on=review_due_on,
            root_old_review_due_on=old,
        )
    }
    if following:
        Exchange.objects.filter(pk__in=following).update(review_due_on=root.review_due_on)
    return sorted(following.values())


@transaction.atomic
def reviews_escalate(*, today: dt.date | None = None) -> int:
    """Tell the NFP of each agency with overdue reviews, and every DPO, how many there are:
    one notice per agency and day (run it twice, nobody hears twice), and one audit event per
    agency whose notice went out. Returns how many notices were written."""
    today = today or review_today()
    overdue = agencies_with_overdue_reviews(today=today)
    if not overdue:
        return 0
    candidates = officers_told_of_overdue_reviews()
    agencies = Agency.objects.in_bulk([row.agency_id for row in overdue])
    notified = 0
    for row in overdue:
        told = _escalate(row, candidates, today=today)
        if told:
            _audit_escalation(agencies[row.agency_id], row, told=told, today=today)
        notified += told
    return notified


def _escalate(row: AgencyReviewCounts, candidates: list[Officer], *, today: dt.date) -> int:
    audience = [
        officer
        for officer in candidates
        if policy.told_of_overdue_reviews(
            role=officer.role,
            officer_party_id=officer.agency.party_id if officer.agency else None,
            provider_party_id=row.party_id,
        )
    ]
    # The DPOs' notice leads to their counts per agency; the NFP's names the agency, whose
    # officers keep the queue.
    dpos = [officer for officer in audience if officer.role == Role.DPO]
    nfps = [officer for officer in audience if officer.role != Role.DPO]
    return _notify(nfps, row, today=today) + _notify(
        dpos, row, today=today, link=reverse("oversight:retention")
    )


def _notify(
    officers: list[Officer], row: AgencyReviewCounts, *, today: dt.date, link: str = ""
) -> int:
    if not officers:
        return 0
    # A title is one line of 200 characters at most; an agency's name may be 160.
    agency = Truncator(row.agency).chars(120)
    return notify_officers(
        officers=officers,
        kind=RecordsNotificationKind.REVIEW_OVERDUE,
        title=lambda: (
            # Translators: party is the code of the agency's party, e.g. "RO".
            ngettext(
                "%(count)d retention review is overdue at %(agency)s (%(party)s)",
                "%(count)d retention reviews are overdue at %(agency)s (%(party)s)",
                row.overdue,
            )
            % {"count": row.overdue, "agency": agency, "party": row.party}
        ),
        link=link,
        object_type="partners.agency",
        object_id=str(row.agency_id),
        # Once per agency and day, whatever the count says by then.
        dedupe_key=f"review-overdue:{row.agency_id}:{today.isoformat()}",
    )


def _audit_escalation(
    agency: Agency, row: AgencyReviewCounts, *, told: int, today: dt.date
) -> None:
    audit_record(
        actor=None,
        action=AuditAction.DISCLOSURE,
        event=RecordsAuditEvent.REVIEW_ESCALATED,
        target=agency,
        reason="overdue retention reviews escalated",
        details={
            "party": row.party,
            "overdue": row.overdue,
            "due": row.due,
            "on": today.isoformat(),
            "notified": told,
        },
    )
