"""The deadline notices: the addressees that owe an answer, and the sender of an overdue
request, each told once."""

from __future__ import annotations

import datetime as dt

import pytest

from exchanges.models import Exchange, ExchangeNotificationKind
from exchanges.services import deadlines, sending
from partners.models import ContentAccess, Officer
from selec.core.models import Notification, OutboxMessage
from tests.exchanges.scenario import message, send
from tests.helpers import agency_of

pytestmark = pytest.mark.django_db

OVERDUE = ExchangeNotificationKind.REQUEST_OVERDUE


def _told_overdue(officer: Officer, exchange: Exchange) -> int:
    return Notification.objects.filter(
        officer=officer, kind=OVERDUE, object_id=str(exchange.pk)
    ).count()


def test_the_sender_is_told_once_when_its_request_becomes_overdue(
    lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, nfp_ro: Officer, outsider: Officer
) -> None:
    request = send(lo_ro, "Bulgarian Police", "Turkish Customs", priority="urgent")
    before = request.due_at - dt.timedelta(minutes=1)
    deadlines.deadlines_flag(now=before)
    assert _told_overdue(lo_ro, request) == 0

    later = request.due_at + dt.timedelta(minutes=1)
    deadlines.deadlines_flag(now=later)
    deadlines.deadlines_flag(now=later + dt.timedelta(hours=1))

    # Two addressees late, two runs: one notice, in the app and by e-mail.
    note = Notification.objects.get(officer=lo_ro, kind=OVERDUE, object_id=str(request.pk))
    assert request.reference in note.title
    assert "overdue" in note.title
    assert note.link == f"/exchanges/{request.reference}/"
    assert OutboxMessage.objects.filter(dedupe_key=f"{note.dedupe_key}:{lo_ro.pk}").count() == 1
    # The addressees are told their own notice (deadline passed), not the sender's; the
    # sender's NFP and an outsider hear nothing of it.
    for officer in (lo_bg, lo_tr, nfp_ro, outsider):
        assert _told_overdue(officer, request) == 0
    assert Notification.objects.filter(
        officer=lo_bg, kind=ExchangeNotificationKind.DEADLINE_PASSED, object_id=str(request.pk)
    ).exists()


def test_a_request_answered_by_all_in_time_tells_its_sender_nothing(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    request = send(lo_ro, "Bulgarian Police", priority="urgent")
    sending.exchange_reply(officer=lo_bg, parent=request, message=message(attachments=()))

    deadlines.deadlines_flag(now=request.due_at + dt.timedelta(minutes=1))

    assert _told_overdue(lo_ro, request) == 0


def test_every_officer_of_the_sending_agency_is_told_once(lo_ro: Officer) -> None:
    request = send(lo_ro, "Bulgarian Police", priority="urgent")
    agency_officers = Officer.objects.filter(
        agency=agency_of(lo_ro), is_active=True, content_access=ContentAccess.CONFIRMED
    )

    deadlines.deadlines_flag(now=request.due_at + dt.timedelta(minutes=1))

    told = list(
        Notification.objects.filter(kind=OVERDUE, object_id=str(request.pk)).values_list(
            "officer_id", flat=True
        )
    )
    assert sorted(told) == sorted(agency_officers.values_list("pk", flat=True))


def test_the_author_is_told_after_moving_to_another_agency(lo_ro: Officer, nfp_ro: Officer) -> None:
    request = send(lo_ro, "Bulgarian Police", priority="urgent")
    Officer.objects.filter(pk=lo_ro.pk).update(agency_id=nfp_ro.agency_id)

    deadlines.deadlines_flag(now=request.due_at + dt.timedelta(minutes=1))

    assert _told_overdue(lo_ro, request) == 1
    assert _told_overdue(nfp_ro, request) == 0
