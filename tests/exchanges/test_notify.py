"""Notices about an exchange are told once per event and kind, never deduplicated on wording."""

from __future__ import annotations

import pytest
from django.db import transaction

from exchanges.models import ExchangeNotificationKind
from exchanges.notify import notify_agencies
from partners.models import Officer
from selec.core.models import Notification
from tests.exchanges.scenario import send

pytestmark = pytest.mark.django_db

TITLE = "Restrictions of an exchange changed"


def _notify(
    exchange, officer: Officer, *, kind=ExchangeNotificationKind.RESTRICTION_TIGHTENED, key: str
):
    assert officer.agency_id is not None  # an officer of an agency
    with transaction.atomic():
        return notify_agencies(
            agency_ids=[officer.agency_id],
            kind=kind,
            exchange=exchange,
            title=TITLE,
            dedupe_key=key,
        )


def test_a_notice_names_its_event_or_is_refused(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    assert lo_bg.agency_id is not None
    with pytest.raises(TypeError, match="dedupe_key"):
        notify_agencies(  # type: ignore[call-arg]
            agency_ids=[lo_bg.agency_id],
            kind=ExchangeNotificationKind.REPLY,
            exchange=exchange,
            title=TITLE,
        )
    with pytest.raises(ValueError, match="dedupe_key"):
        _notify(exchange, lo_bg, key="x" * 200)


def test_the_same_event_is_told_once_and_two_events_alike_twice(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    # The Bulgarian Police's officers and Bulgaria's NFP officers.
    told = _notify(exchange, lo_bg, key="audit-event:1")
    assert told >= 2
    assert _notify(exchange, lo_bg, key="audit-event:1") == 0
    assert _notify(exchange, lo_bg, key="audit-event:2") == told
    # One event may cause notices of several kinds: each is told.
    assert _notify(
        exchange, lo_bg, key="audit-event:1", kind=ExchangeNotificationKind.RESTRICTION_LOOSENED
    )
    titles = Notification.objects.filter(officer=lo_bg, title=TITLE)
    assert titles.count() == 3
