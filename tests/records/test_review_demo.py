"""The demo's retention reviews: the demo agencies have reviews due and overdue on the day it is
seeded, of exchanges dated as the send would have dated them a review period ago."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings

from exchanges.models import Exchange
from exchanges.policy import date_plus_years
from partners.models import Officer
from records.selectors_review import review_counts, review_today
from selec.demo import DEMO_REVIEWS, seed_demo_reviews

pytestmark = pytest.mark.django_db


def test_the_demo_agencies_have_reviews_due_and_overdue(
    lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    assert seed_demo_reviews() is True

    counts = {o.username: review_counts(o) for o in (lo_ro, lo_bg, nfp_bg)}
    assert {name: (c.overdue, c.due) for name, c in counts.items()} == {
        "lo.ro": (2, 2),
        "lo.bg": (1, 1),
        "nfp.bg": (1, 0),
    }
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    reviewed = Exchange.objects.filter(review_due_on__isnull=False)
    assert reviewed.count() == len(DEMO_REVIEWS)
    for exchange in reviewed:
        sent_on = exchange.sent_at.astimezone(zone).date()
        assert sent_on < review_today() - dt.timedelta(days=300)
        assert exchange.review_due_on == date_plus_years(
            sent_on, settings.PERSONAL_DATA_REVIEW_YEARS
        )
        assert exchange.recipients.get().delivered_at == exchange.sent_at


def test_seeding_the_demo_twice_adds_nothing() -> None:
    assert seed_demo_reviews() is True
    assert seed_demo_reviews() is False
    assert Exchange.objects.count() == len(DEMO_REVIEWS)
