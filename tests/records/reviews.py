"""Building retention reviews for tests: exchanges sent through the real services at a chosen
moment (the project's clock, ``django.utils.timezone.now``, frozen there), and rows in the
shape the send service stores them when a test needs thousands."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import pytest
from django.utils import timezone

from exchanges.models import Exchange, ExchangeGroupObjectPermission, ExchangeKind, Priority
from exchanges.permissions import exchange_permission_ids
from exchanges.policy import Perm
from exchanges.services.inputs import EntityInput, Evaluation, Message
from exchanges.services.sending import exchange_reply, exchange_send
from partners.models import Officer
from taskforces.models import CrimeArea
from tests.exchanges.scenario import A_PERSON, EVALUATED, agency_ids

BUCHAREST = zoneinfo.ZoneInfo("Europe/Bucharest")


def moment(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A moment in the installation's time zone (Bucharest)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BUCHAREST)


def freeze(monkeypatch: pytest.MonkeyPatch, at: dt.datetime) -> None:
    """Stop the project's clock at ``at`` (until the next call or the test's end): every
    ``timezone.now()`` of the services, selectors and pages answers it."""
    monkeypatch.setattr(timezone, "now", lambda: at.astimezone(dt.UTC))


def message(*, personal: bool, subject: str = "Heroin courier through Giurgiu") -> Message:
    return Message(
        subject=subject,
        body="The courier crosses the Danube bridge on Fridays.",
        personal_data=personal,
        evaluation=EVALUATED if personal else Evaluation(),
        entities=[A_PERSON] if personal else [],
    )


def sent(
    officer: Officer,
    *recipients: str,
    personal: bool = True,
    area: str = "drugs",
    subject: str = "Heroin courier through Giurgiu",
) -> Exchange:
    """An information exchange sent now (the clock's now) through ``exchange_send``."""
    return exchange_send(
        officer=officer,
        kind=ExchangeKind.INFORMATION,
        recipient_agency_ids=agency_ids(*recipients),
        crime_area_id=CrimeArea.objects.get(code=area).pk,
        priority=Priority.ROUTINE,
        message=message(personal=personal, subject=subject),
    )


def replied(officer: Officer, parent: Exchange, *, personal: bool = True) -> Exchange:
    """A reply sent now through ``exchange_reply`` (a reply to personal data carries it)."""
    evaluated = personal or parent.personal_data
    return exchange_reply(
        officer=officer,
        parent=parent,
        message=Message(
            subject="Re: the courier",
            body="Seen twice at Ruse in March.",
            personal_data=personal,
            evaluation=EVALUATED if evaluated else Evaluation(),
            entities=[EntityInput("vehicle", {"plate": "RU 1234 AB"})] if personal else [],
        ),
    )


def stored_reviews(officer: Officer, review_dates: list[dt.date], *, prefix: str) -> list[int]:
    """Exchanges of the officer's agency with these review dates, stored as the send stores
    them (the row, and its agency's group holding every provider's right) but in bulk: for
    the tests that need thousands. Returns their ids."""
    agency = officer.agency
    assert agency is not None
    area = CrimeArea.objects.get(code="drugs")
    sent_at = timezone.now() - dt.timedelta(days=3 * 365)
    rows = Exchange.objects.bulk_create(
        [
            Exchange(
                uuid=uuid.uuid4(),
                reference=f"{prefix}-{index:06d}",
                kind=ExchangeKind.INFORMATION,
                sender_agency=agency,
                author=officer,
                crime_area=area,
                priority=Priority.ROUTINE,
                sent_at=sent_at,
                due_at=sent_at + dt.timedelta(days=7),
                subject="Bulk",
                body="Bulk",
                personal_data=True,
                source_reliability="B",
                information_accuracy="2",
                review_due_on=review_due_on,
            )
            for index, review_due_on in enumerate(review_dates)
        ],
        batch_size=1000,
    )
    perm_ids = exchange_permission_ids()
    ExchangeGroupObjectPermission.objects.bulk_create(
        [
            ExchangeGroupObjectPermission(
                group_id=agency.group_id, permission_id=perm_ids[perm], content_object_id=row.pk
            )
            for row in rows
            for perm in set(Perm) - {Perm.REQUEST_DISSEMINATION}
        ],
        batch_size=5000,
    )
    return [row.pk for row in rows]


# The day the queue tests look from, and what each exchange of the scenario was sent for.
TODAY = dt.date(2029, 3, 1)
# name: (day sent, in Bucharest), review three years later (PERSONAL_DATA_REVIEW_YEARS).
ROMANIAN_SENDS = {
    "overdue_long": dt.date(2026, 1, 5),  # review 5 Jan 2029: overdue by 55 days
    "overdue": dt.date(2026, 2, 27),  # 27 Feb 2029: overdue by 2 days
    "today": dt.date(2026, 3, 1),  # today: due, not overdue
    "due": dt.date(2026, 3, 15),
    "horizon": dt.date(2026, 3, 31),  # the 30th day from today: still due
    "later": dt.date(2026, 4, 1),  # beyond the horizon: not listed
}


def review_scenario(
    monkeypatch: pytest.MonkeyPatch, lo_ro: Officer, lo_bg: Officer
) -> dict[str, Exchange]:
    """lo.ro's agency's reviews around ``TODAY`` (one per ``ROMANIAN_SENDS``, and one without
    personal data), and the Bulgarian Police's: its own exchange to Romania and its reply in
    lo.ro's "overdue" thread. The clock is left at noon on ``TODAY``."""
    made: dict[str, Exchange] = {}
    for name, day in ROMANIAN_SENDS.items():
        freeze(monkeypatch, moment(day.year, day.month, day.day))
        made[name] = sent(lo_ro, "Bulgarian Police", subject=f"Review scenario: {name}")
    freeze(monkeypatch, moment(2026, 1, 10))
    made["plain"] = sent(lo_ro, "Bulgarian Police", personal=False)
    freeze(monkeypatch, moment(2026, 2, 1))
    made["bulgarian"] = sent(lo_bg, "Romanian Police")
    freeze(monkeypatch, moment(2026, 3, 2))
    made["bulgarian_reply"] = replied(lo_bg, made["overdue"])
    freeze(monkeypatch, moment(TODAY.year, TODAY.month, TODAY.day))
    return made
