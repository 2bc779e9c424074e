"""The thread page offers the provider its correction and erasure, and a recipient the flag of a
suspected inaccuracy; nobody is offered them on an erased message (``exchanges.message_actions``,
filled in by ``records.apps``)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from exchanges.models import Exchange
from partners.models import Officer
from tests.exchanges.scenario import send
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db

CORRECT = "/records/correct/{}/"
FLAG = "/records/flag/{}/"
ERASE = "/records/erasure/{}/"


def offered(login, officer: Officer, exchange: Exchange) -> set[str]:
    purpose_given(officer, exchange)
    page = login(officer).get(f"/exchanges/{exchange.reference}/").content.decode()
    return {
        name
        for name, url in (("correct", CORRECT), ("flag", FLAG), ("erase", ERASE))
        if f'href="{url.format(exchange.reference)}"' in page
    }


def test_the_provider_is_offered_correction_and_erasure(login, lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", personal=True)
    assert offered(login, lo_ro, exchange) == {"correct", "erase"}


def test_a_recipient_is_offered_the_flag_only(login, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", personal=True)
    assert offered(login, lo_bg, exchange) == {"flag"}


def test_nothing_is_offered_on_an_erased_message(login, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", personal=True)
    Exchange.objects.filter(pk=exchange.pk).update(erased_at=timezone.now())
    assert offered(login, lo_ro, exchange) == set()
    assert offered(login, lo_bg, exchange) == set()
