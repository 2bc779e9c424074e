"""The retention review date an exchange gets when it is sent: the send's day in the
installation's time zone plus the crime area's period (or PERSONAL_DATA_REVIEW_YEARS); none
without personal data; a reply takes its thread root's current date."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchanges.models import Exchange
from exchanges.policy import date_plus_years, review_due_on
from exchanges.services.sending import exchange_forward
from partners.models import Officer
from taskforces.models import CrimeArea
from tests.exchanges.scenario import agency_ids
from tests.records.reviews import freeze, moment, replied, sent

pytestmark = pytest.mark.django_db


# --- The rule ---------------------------------------------------------------------------------


def test_the_29th_of_february_is_reviewed_on_the_28th() -> None:
    assert date_plus_years(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)
    assert date_plus_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)
    assert date_plus_years(dt.date(2025, 3, 1), 3) == dt.date(2028, 3, 1)


def test_the_area_s_period_wins_over_the_default_and_a_root_s_date_over_both() -> None:
    day = dt.date(2026, 5, 4)

    def due(*, personal: bool = True, area: int | None = None, root: dt.date | None = None):
        return review_due_on(
            personal_data=personal,
            sent_on=day,
            area_years=area,
            default_years=3,
            root_review_due_on=root,
        )

    assert due() == dt.date(2029, 5, 4)
    assert due(area=10) == dt.date(2036, 5, 4)
    assert due(area=10, root=dt.date(2027, 1, 1)) == dt.date(2027, 1, 1)
    assert due(personal=False, area=10, root=dt.date(2027, 1, 1)) is None


@given(
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)),
    years=st.integers(min_value=1, max_value=50),
)
def test_a_review_falls_the_given_number_of_years_later_never_earlier(
    day: dt.date, years: int
) -> None:
    due = date_plus_years(day, years)
    assert due.year == day.year + years
    assert (due.month, due.day) == (day.month, day.day) or (day.month, day.day, due.day) == (
        2,
        29,
        28,
    )


# --- At the send ------------------------------------------------------------------------------


def test_personal_data_is_reviewed_after_the_default_period(
    lo_ro: Officer, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    freeze(monkeypatch, moment(2026, 3, 10))
    assert sent(lo_ro, "Bulgarian Police").review_due_on == dt.date(2029, 3, 10)

    settings.PERSONAL_DATA_REVIEW_YEARS = 5
    assert sent(lo_ro, "Bulgarian Police").review_due_on == dt.date(2031, 3, 10)


def test_a_crime_area_sets_its_own_period(lo_ro: Officer, monkeypatch: pytest.MonkeyPatch) -> None:
    CrimeArea.objects.filter(code="terrorism").update(personal_data_review_years=10)
    freeze(monkeypatch, moment(2026, 3, 10))

    assert sent(lo_ro, "Bulgarian Police", area="terrorism").review_due_on == dt.date(2036, 3, 10)
    assert sent(lo_ro, "Bulgarian Police", area="drugs").review_due_on == dt.date(2029, 3, 10)


def test_the_day_of_the_send_is_bucharest_s_whatever_the_clock_s_zone(
    lo_ro: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 23:30 UTC on 28 February 2027 is already 1 March in Bucharest.
    freeze(monkeypatch, dt.datetime(2027, 2, 28, 23, 30, tzinfo=dt.UTC))
    assert sent(lo_ro, "Bulgarian Police").review_due_on == dt.date(2030, 3, 1)


def test_a_send_on_the_29th_of_february_is_reviewed_on_the_28th(
    lo_ro: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, moment(2028, 2, 29))
    assert sent(lo_ro, "Bulgarian Police").review_due_on == dt.date(2031, 2, 28)


def test_an_exchange_without_personal_data_has_no_review(
    lo_ro: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, moment(2026, 3, 10))
    assert sent(lo_ro, "Bulgarian Police", personal=False).review_due_on is None


def test_a_reply_takes_its_root_s_current_date(
    lo_ro: Officer, lo_bg: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, moment(2026, 3, 10))
    root = sent(lo_ro, "Bulgarian Police")
    freeze(monkeypatch, moment(2026, 9, 1))
    answer = replied(lo_bg, root)
    # The root's date as it stands now (a keep decision moved it), not as it was sent.
    Exchange.objects.filter(pk=root.pk).update(review_due_on=dt.date(2030, 1, 15))
    freeze(monkeypatch, moment(2027, 1, 5))
    second = replied(lo_ro, answer)

    assert answer.review_due_on == dt.date(2029, 3, 10)
    assert second.thread_root_id == root.pk
    assert second.review_due_on == dt.date(2030, 1, 15)


def test_a_personal_reply_to_a_root_without_a_review_counts_from_its_own_send(
    lo_ro: Officer, lo_bg: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, moment(2026, 3, 10))
    root = sent(lo_ro, "Bulgarian Police", personal=False)
    freeze(monkeypatch, moment(2026, 4, 20))

    answer = replied(lo_bg, root, personal=True)
    plain = replied(lo_ro, answer, personal=False)

    assert (root.review_due_on, answer.review_due_on) == (None, dt.date(2029, 4, 20))
    # A reply to personal data carries it, and so is reviewed: with the root's date, or,
    # the root having none, its own.
    assert plain.personal_data
    assert plain.review_due_on == dt.date(2029, 4, 20)


def test_a_forward_keeps_the_exchange_s_date(
    lo_ro: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, moment(2026, 3, 10))
    exchange = sent(lo_ro, "Bulgarian Police")
    freeze(monkeypatch, moment(2026, 6, 1))
    exchange_forward(
        officer=lo_ro,
        exchange=exchange,
        agency_ids=agency_ids("Turkish Customs"),
        justification="Joint check of the border crossings",
    )

    exchange.refresh_from_db()
    assert exchange.review_due_on == dt.date(2029, 3, 10)
    assert Exchange.objects.count() == 1
