"""The benchmark's exchanges carry the retention review dates the send would have given them:
the send's day plus the crime area's period (or the installation's), a reply its root's date,
nothing without personal data. So the review queue is measured on the data it would meet."""

from __future__ import annotations

import zoneinfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from bench.directory import load_directory, staff_every_agency
from bench.generate import Generator
from exchanges.models import Exchange
from exchanges.policy import date_plus_years
from taskforces.models import CrimeArea

EXCHANGES = 400


@pytest.mark.django_db(transaction=True)
def test_the_generated_exchanges_carry_the_review_dates_the_send_gives() -> None:
    call_command("seed_demo", "--personas-only", verbosity=0)
    # Areas of their own period, beside those of the installation's.
    CrimeArea.objects.filter(code__in=["drugs", "smuggling_fraud"]).update(
        personal_data_review_years=10
    )
    staff_every_agency()
    Generator(
        load_directory(), exchanges=EXCHANGES, now=timezone.now(), progress=lambda _: None
    ).run()

    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    exchanges = list(Exchange.objects.select_related("crime_area", "thread_root"))
    followed = own = 0
    for exchange in exchanges:
        root = exchange.thread_root
        if not exchange.personal_data:
            assert exchange.review_due_on is None, exchange.reference
        elif root is not None and root.review_due_on is not None:
            assert exchange.review_due_on == root.review_due_on, exchange.reference
            followed += 1
        else:
            years = (
                exchange.crime_area.personal_data_review_years
                or settings.PERSONAL_DATA_REVIEW_YEARS
            )
            sent_on = exchange.sent_at.astimezone(zone).date()
            assert exchange.review_due_on == date_plus_years(sent_on, years), exchange.reference
            own += 1
    assert len(exchanges) == EXCHANGES
    # Each case was met: replies following their root, and dates of both kinds of period.
    assert followed
    assert own
    dated = [e for e in exchanges if e.review_due_on and e.thread_root_id is None]
    assert {e.crime_area.personal_data_review_years for e in dated} >= {None, 10}
