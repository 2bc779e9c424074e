"""The rules of the retention review, decided here only: pure functions over plain values (no
database), which the services, selectors, pages, API and tests all ask.

- Who keeps a review queue: officers of an agency, each for what their agency sent (the
  agency's group holds ``manage_exchange`` on its exchanges: ``exchanges.policy.grants_for``).
  Secretariat staff (no agency) have none: 404.
- What the queue holds: the exchanges whose review falls within ``DUE_WITHIN_DAYS`` or has
  passed (overdue: the review date is before today).
- A keep decision: a reason, and a next date after today and at most the crime area's period
  (or the installation's) ahead.
- Which replies follow a kept root's new date: those of the same agency whose date was the
  root's old one; another agency's replies are that agency's to decide.
- Who hears of an agency's overdue reviews: the National Focal Point of its party, which
  follows its country's traffic, and every DPO; the notice names the agency and the count.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchanges.policy import date_plus_years, review_years
from partners.capabilities import status_may_hold
from partners.models import Role
from records.models import NOTE_MAX_LENGTH

# How far ahead the queue looks: a review due within this many days is listed as due.
DUE_WITHIN_DAYS = 30


class ReviewState(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"


def keeps_review_queue(*, has_agency: bool, is_active: bool) -> bool:
    """Officers of an agency review what their agency sent; nobody else has a queue."""
    return is_active and has_agency


def decides_reviews(*, has_agency: bool, is_active: bool, party_status: str) -> bool:
    """Whether an officer's queue holds anything: the agency decides on the personal data it
    sent while its party may hold personal data. Its group then holds ``manage_exchange`` on
    each of those exchanges; an agency of an observer or of a party that left holds none
    (``exchanges.policy.grants_for``), so its queue is empty."""
    return keeps_review_queue(has_agency=has_agency, is_active=is_active) and status_may_hold(
        party_status, personal_data=True
    )


def shown_date(day: dt.date) -> str:
    """A date as the review's pages and messages write it: 1 Mar 2032."""
    return date_format(day, "j M Y")


def due_horizon(today: dt.date) -> dt.date:
    """The last review date the queue lists as due."""
    return today + dt.timedelta(days=DUE_WITHIN_DAYS)


def review_state(*, today: dt.date, review_due_on: dt.date) -> ReviewState | None:
    """Overdue once the review date has passed; due from ``DUE_WITHIN_DAYS`` before it; else
    not yet in the queue (None)."""
    if review_due_on < today:
        return ReviewState.OVERDUE
    if review_due_on <= due_horizon(today):
        return ReviewState.DUE
    return None


def overdue_days(*, today: dt.date, review_due_on: dt.date) -> int:
    """By how many days the review is late (0 when it is not)."""
    return max(0, (today - review_due_on).days)


def latest_next_review(*, today: dt.date, area_years: int | None, default_years: int) -> dt.date:
    """The furthest date a keep decision may set: as far ahead as a send would."""
    return date_plus_years(today, review_years(area_years=area_years, default_years=default_years))


def keep_problems(
    *,
    today: dt.date,
    reason: str,
    next_review_on: dt.date | None,
    area_years: int | None,
    default_years: int,
) -> dict[str, list[str]]:
    """What is wrong with a keep decision, by field (empty: nothing)."""
    problems: dict[str, list[str]] = {}
    if not reason.strip():
        problems["reason"] = [_("Say why the information is still needed.")]
    elif len(reason) > NOTE_MAX_LENGTH:
        problems["reason"] = [_("At most %(max)d characters.") % {"max": NOTE_MAX_LENGTH}]
    latest = latest_next_review(today=today, area_years=area_years, default_years=default_years)
    if next_review_on is None:
        problems["next_review_on"] = [_("Choose the date of the next review.")]
    elif next_review_on <= today:
        problems["next_review_on"] = [_("The next review must be after today.")]
    elif next_review_on > latest:
        years = review_years(area_years=area_years, default_years=default_years)
        problems["next_review_on"] = [
            ngettext(
                "The next review may be at most %(years)d year ahead (on %(latest)s at the "
                "latest), the retention period of the exchange's crime area.",
                "The next review may be at most %(years)d years ahead (on %(latest)s at the "
                "latest), the retention period of the exchange's crime area.",
                years,
            )
            % {"years": years, "latest": shown_date(latest)}
        ]
    return problems


def follows_kept_root(
    *,
    reply_agency_id: int,
    root_agency_id: int,
    reply_review_due_on: dt.date | None,
    root_old_review_due_on: dt.date,
) -> bool:
    """A reply takes its kept root's new date when it followed the root's old one and comes
    from the same agency: other providers decide on their own replies."""
    return reply_agency_id == root_agency_id and reply_review_due_on == root_old_review_due_on


def told_of_overdue_reviews(
    *, role: str, officer_party_id: int | None, provider_party_id: int
) -> bool:
    """Whether an officer hears that an agency's reviews are overdue: the NFP officers of the
    agency's party and the DPOs."""
    if role == Role.DPO:
        return True
    return role == Role.NFP_OFFICER and officer_party_id == provider_party_id
