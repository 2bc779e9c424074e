"""The agencies an officer wrote to last, offered first by the compose page's recipient picker."""

from __future__ import annotations

import pytest

from exchanges import selectors_recipients
from exchanges.selectors_recipients import recently_addressed_agency_ids
from exchanges.services.sending import exchange_forward
from partners.models import Officer
from tests.exchanges.scenario import agency_ids, send

pytestmark = pytest.mark.django_db


def test_it_lists_the_agencies_of_the_last_sends_most_recently_addressed_first(
    lo_ro: Officer,
) -> None:
    send(lo_ro, "Bulgarian Police")
    send(lo_ro, "Turkish Customs", "Hellenic Police")
    send(lo_ro, "Bulgarian Police")
    # Two agencies of one send are as recent as each other: they come by id, a stable order.
    second = sorted(agency_ids("Turkish Customs", "Hellenic Police"))
    assert recently_addressed_agency_ids(officer=lo_ro) == [
        *agency_ids("Bulgarian Police"),
        *second,
    ]


def test_it_is_one_query(lo_ro: Officer, django_assert_num_queries) -> None:
    send(lo_ro, "Bulgarian Police", "Turkish Customs")
    send(lo_ro, "Hellenic Police")
    with django_assert_num_queries(1):
        recently_addressed_agency_ids(officer=lo_ro)


def test_it_offers_at_most_the_limit(lo_ro: Officer) -> None:
    send(lo_ro, "Bulgarian Police", "Turkish Customs", "Hellenic Police")
    send(lo_ro, "Serbian Police", "Moldovan Police")
    assert recently_addressed_agency_ids(officer=lo_ro, limit=2) == sorted(
        agency_ids("Serbian Police", "Moldovan Police")
    )


def test_only_the_last_sends_are_read(lo_ro: Officer, monkeypatch) -> None:
    monkeypatch.setattr(selectors_recipients, "RECENT_SENDS_READ", 2)
    send(lo_ro, "Hellenic Police")
    send(lo_ro, "Bulgarian Police")
    send(lo_ro, "Turkish Customs")
    assert recently_addressed_agency_ids(officer=lo_ro) == agency_ids(
        "Turkish Customs", "Bulgarian Police"
    )


def test_other_officers_sends_count_for_them_alone(
    lo_ro: Officer, nfp_ro: Officer, outsider: Officer
) -> None:
    send(nfp_ro, "Bulgarian Police")  # the same party, another agency
    send(outsider, "Turkish Customs")
    assert recently_addressed_agency_ids(officer=lo_ro) == []
    assert recently_addressed_agency_ids(officer=outsider) == agency_ids("Turkish Customs")


def test_agencies_a_recipient_forwarded_to_are_not_the_senders_choice(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    exchange_forward(
        officer=lo_bg,
        exchange=exchange,
        agency_ids=agency_ids("Hellenic Police"),
        justification="The same lorry crossed into Greece.",
    )
    assert recently_addressed_agency_ids(officer=lo_ro) == agency_ids("Bulgarian Police")
    # Nor is the forward a send of the officer who forwarded it.
    assert recently_addressed_agency_ids(officer=lo_bg) == []


def test_secretariat_staff_have_no_agency_and_no_recent_recipients(
    analyst: Officer, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        assert recently_addressed_agency_ids(officer=analyst) == []
